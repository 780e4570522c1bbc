/// Dutch civil time (Europe/Amsterdam: CET, CEST in summer by the EU rule) without a
/// time-zone database: local times in MOR-ODS files, and days and weeks (from Monday 00:00)
/// in local time, as Dutch reports count them.
public enum DutchTime {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000
    static let week: Int64 = 7 * 86_400_000

    /// Offset from UTC at a local wall-clock time (epoch milliseconds read as if UTC):
    /// +1 h, +2 h from the last Sunday of March 02:00 to the last Sunday of October 03:00.
    public static func offset(localMilliseconds local: Int64) -> Int64 {
        let (start, end) = summer(year: year(of: local))
        return (local >= start + 2 * hour && local < end + 3 * hour) ? 2 * hour : hour
    }

    /// Offset from UTC at a UTC instant.
    public static func offset(utcMilliseconds utc: Int64) -> Int64 {
        let (start, end) = summer(year: year(of: utc))
        return (utc >= start + hour && utc < end + hour) ? 2 * hour : hour
    }

    /// Local midnight of the Dutch calendar day holding `utc`, as UTC milliseconds. The day
    /// lasts 23 hours on the last Sunday of March and 25 on the last Sunday of October.
    public static func dayStart(_ utc: Int64) -> Int64 {
        let midnight = TimeBucket.floor(utc + offset(utcMilliseconds: utc), size: day)
        return midnight - offset(localMilliseconds: midnight)
    }

    /// Monday 00:00 local time of the week holding `utc`, as UTC milliseconds.
    public static func weekStart(_ utc: Int64) -> Int64 {
        let local = utc + offset(utcMilliseconds: utc)
        // 1970-01-01 was a Thursday; Monday 1969-12-29 starts week 0.
        let monday = TimeBucket.floor(local + 3 * day, size: week) - 3 * day
        return monday - offset(localMilliseconds: monday)
    }

    /// Midnights (as day numbers since 1970) of the last Sundays of March and October.
    private static func summer(year y: Int) -> (Int64, Int64) {
        func lastSunday(_ month: Int) -> Int64 {
            let last = ISO8601.daysFromCivil(year: y, month: month, day: 31)
            let weekday = ((last % 7) + 7 + 4) % 7   // 0 = Sunday
            return Int64(last - weekday) * day
        }
        return (lastSunday(3), lastSunday(10))
    }

    private static func year(of ms: Int64) -> Int {
        Int(ISO8601.format(milliseconds: ms).prefix(4)) ?? 1970
    }
}
