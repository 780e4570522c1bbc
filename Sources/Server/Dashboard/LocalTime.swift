import LantaarnModel

/// Shows times in Dutch local time (Europe/Amsterdam, by `DutchTime`), as residents read them.
enum LocalTime {
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

    static func parts(_ ms: Int64) -> (Int, Int, Int, Int, Int) {
        let local = ms + DutchTime.offset(utcMilliseconds: ms)
        let days = Int(TimeBucket.floor(local, size: 86_400_000) / 86_400_000)
        let (y, mo, d) = ISO8601.civilFromDays(days)
        let secondsOfDay = Int((local - Int64(days) * 86_400_000) / 1000)
        return (y, mo, d, secondsOfDay / 3600, secondsOfDay % 3600 / 60)
    }

    private static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
}

extension LocalTime {
    private static let months = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]

    /// `22 nov` in local time.
    static func dayMonth(_ ms: Int64) -> String {
        let (_, mo, d, _, _) = parts(ms)
        return "\(d) \(months[mo - 1])"
    }

    /// Round local times for a time axis from `start` to `end`: about `count` of them, `step`
    /// apart (an hour to four weeks), each with its label.
    static func axisTicks(start: Int64, end: Int64, count: Int) -> [(time: Int64, label: String)] {
        let hour: Int64 = 3_600_000, day = 24 * hour
        let steps: [Int64] = [hour, 2 * hour, 3 * hour, 6 * hour, 12 * hour, day, 2 * day, 7 * day, 14 * day, 28 * day, 91 * day, 364 * day]
        let span = max(end - start, 1)
        let step = steps.first { span / $0 <= Int64(max(count - 1, 1)) } ?? steps.last!
        var out: [(Int64, String)] = []
        // Weeks start on Monday (1970-01-05 was one); shorter steps on the local hour grid.
        let anchor: Int64 = step >= 7 * day ? 4 * day : 0
        let localStart = start + DutchTime.offset(utcMilliseconds: start)
        var local = TimeBucket.floor(localStart - anchor, size: step) + anchor
        if local < localStart { local += step }
        while out.count < 40 {
            let t = local - DutchTime.offset(localMilliseconds: local)
            if t > end { break }
            let (_, _, _, h, m) = parts(t)
            let label = step >= day || (h == 0 && m == 0 && span > day) ? dayMonth(t) : hourMinute(t)
            out.append((t, label))
            local += step
        }
        return out
    }
}
