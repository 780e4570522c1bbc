import Foundation
import LantaarnModel

/// Shows times in Dutch local time (Europe/Amsterdam), as residents read them.
enum LocalTime {
    private static let zone = TimeZone(identifier: "Europe/Amsterdam") ?? TimeZone(secondsFromGMT: 3600)!

    /// `HH:mm` in local time.
    static func hourMinute(_ ms: Int64) -> String {
        let (_, _, _, h, m) = parts(ms)
        return two(h) + ":" + two(m)
    }

    /// `d-M-yyyy HH:mm` in local time.
    static func dateTime(_ ms: Int64) -> String {
        let (y, mo, d, h, m) = parts(ms)
        return "\(d)-\(mo)-\(y) \(two(h)):\(two(m))"
    }

    /// `d-M-yyyy` in local time.
    static func date(_ ms: Int64) -> String {
        let (y, mo, d, _, _) = parts(ms)
        return "\(d)-\(mo)-\(y)"
    }

    private static func parts(_ ms: Int64) -> (Int, Int, Int, Int, Int) {
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000))) * 1000
        let local = ms + offset
        let days = Int(TimeBucket.floor(local, size: 86_400_000) / 86_400_000)
        let (y, mo, d) = ISO8601.civilFromDays(days)
        let secondsOfDay = Int((local - Int64(days) * 86_400_000) / 1000)
        return (y, mo, d, secondsOfDay / 3600, secondsOfDay % 3600 / 60)
    }

    private static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}
