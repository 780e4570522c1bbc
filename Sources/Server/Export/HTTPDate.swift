import LantaarnModel

/// HTTP dates (RFC 9110 IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) for Last-Modified and
/// If-Modified-Since.
enum HTTPDate {
    private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]   // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `ms` (epoch milliseconds) to the second, as an HTTP date.
    static func format(_ ms: Int64) -> String {
        let iso = ISO8601.format(milliseconds: TimeBucket.floor(ms, size: 1000))   // 1994-11-06T08:49:37Z
        let days = Int(TimeBucket.floor(ms, size: 86_400_000) / 86_400_000)
        let weekday = weekdays[((days % 7) + 7) % 7]
        let parts = iso.split(separator: "T")
        let date = parts[0].split(separator: "-")
        let time = parts[1].prefix(8)
        return "\(weekday), \(date[2]) \(months[Int(date[1])! - 1]) \(date[0]) \(time) GMT"
    }

    /// An IMF-fixdate as epoch milliseconds, or `nil` for anything else (RFC 9110: a date
    /// that cannot be parsed is ignored).
    static func parse(_ text: String) -> Int64? {
        let f = text.split(separator: " ")
        guard f.count == 6, f[5] == "GMT", f[1].count == 2, f[3].count == 4, f[4].count == 8,
              let month = months.firstIndex(of: String(f[2])) else { return nil }
        let m = month + 1
        return ISO8601.parse("\(f[3])-\(m < 10 ? "0" : "")\(m)-\(f[1])T\(f[4])Z")
    }
}
