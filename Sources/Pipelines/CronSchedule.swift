import LantaarnModel

/// A five-field cron expression (minute hour day-of-month month day-of-week), evaluated in UTC.
/// Supports `*`, numbers, lists (`1,15`), ranges (`1-5`) and steps (`*/5`, `0-30/10`).
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    private let minutes: Set<Int>, hours: Set<Int>, days: Set<Int>, months: Set<Int>, weekdays: Set<Int>
    private let daysRestricted: Bool, weekdaysRestricted: Bool

    /// Parses `text`; throws a message naming the bad field.
    public init(_ text: String) throws {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronError("'\(text)' has \(fields.count) fields; cron needs 5: minute hour day month weekday")
        }
        self.text = text
        minutes = try Self.field(fields[0], 0...59, "minute")
        hours = try Self.field(fields[1], 0...23, "hour")
        days = try Self.field(fields[2], 1...31, "day of month")
        months = try Self.field(fields[3], 1...12, "month")
        weekdays = Set(try Self.field(fields[4], 0...7, "day of week").map { $0 % 7 })
        daysRestricted = fields[2] != "*"
        weekdaysRestricted = fields[4] != "*"
    }

    public var description: String { text }

    /// True when the schedule fires in the minute starting at `minuteStart` (epoch ms).
    public func fires(at minuteStart: Int64) -> Bool {
        let totalMinutes = Int(minuteStart / 60_000)
        let minute = totalMinutes % 60, hour = totalMinutes / 60 % 24
        let daysSinceEpoch = totalMinutes / 1440
        let weekday = (daysSinceEpoch + 4) % 7   // 1970-01-01 was a Thursday
        let (_, month, day) = ISO8601.civilFromDays(daysSinceEpoch)
        guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
        // Classic cron: when both day fields are restricted, either may match.
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): return days.contains(day) || weekdays.contains(weekday)
        case (true, false): return days.contains(day)
        case (false, true): return weekdays.contains(weekday)
        case (false, false): return true
        }
    }

    /// The first minute after `time` at which the schedule fires (searches up to a year ahead).
    public func next(after time: Int64) -> Int64? {
        var t = TimeBucket.floor(time, size: 60_000) + 60_000
        for _ in 0..<(366 * 1440) {
            if fires(at: t) { return t }
            t += 60_000
        }
        return nil
    }

    private static func field(_ text: String, _ range: ClosedRange<Int>, _ name: String) throws -> Set<Int> {
        var result = Set<Int>()
        // Empty pieces are kept, so that `/`, `/5`, `5/` and `1,,2` are errors: left out, `/`
        // had no value at all (a crash found by fuzzing) and `/5` read as `5`.
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let base = pieces.first, !base.isEmpty else {
                throw CronError("\(name) field '\(text)': a value is missing; use *, a number, a range such as 1-5, a list such as 1,15 or a step such as */5")
            }
            let step = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let step, step > 0 else { throw CronError("\(name) field '\(text)': the step after '/' must be a whole number above 0") }
            let span: ClosedRange<Int>
            if base == "*" {
                span = range
            } else if let dash = base.firstIndex(of: "-") {
                guard let lo = Int(base[..<dash]), let hi = Int(base[base.index(after: dash)...]),
                      lo <= hi, range.contains(lo), range.contains(hi) else {
                    throw CronError("\(name) field '\(text)': range must lie within \(range.lowerBound)-\(range.upperBound)")
                }
                span = lo...hi
            } else {
                guard let v = Int(base), range.contains(v) else {
                    throw CronError("\(name) field '\(text)': use a number from \(range.lowerBound) to \(range.upperBound)")
                }
                span = v...(pieces.count == 2 ? range.upperBound : v)
            }
            result.formUnion(stride(from: span.lowerBound, through: span.upperBound, by: step))
        }
        return result
    }
}

/// A cron expression is malformed.
public struct CronError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
