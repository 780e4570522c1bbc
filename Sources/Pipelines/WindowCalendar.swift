import LantaarnModel

/// How a pipeline's time is cut into run windows: fixed lengths aligned to the epoch (15m,
/// 1h; these also align with Dutch local hours), Dutch days (local midnight to midnight: 23,
/// 24 or 25 hours) or Dutch weeks (Monday 00:00 local time, CET/CEST).
public enum WindowCalendar: Sendable, Hashable {
    case fixed(Int64)
    case dutchDay
    case dutchWeek

    /// The calendar of a window length: a day is a Dutch day.
    public static func of(length: Int64) -> WindowCalendar {
        length == 86_400_000 ? .dutchDay : .fixed(length)
    }

    /// Nominal length in milliseconds.
    public var length: Int64 {
        switch self {
        case .fixed(let ms): ms
        case .dutchDay: 86_400_000
        case .dutchWeek: 7 * 86_400_000
        }
    }

    /// Start of the window holding `t`.
    public func floor(_ t: Int64) -> Int64 {
        switch self {
        case .fixed(let ms): TimeBucket.floor(t, size: ms)
        case .dutchDay: DutchTime.dayStart(t)
        case .dutchWeek: DutchTime.weekStart(t)
        }
    }

    /// Start of the window after the one starting at `start`.
    public func next(_ start: Int64) -> Int64 {
        switch self {
        case .fixed(let ms): start + ms
        case .dutchDay: DutchTime.dayStart(start + 36 * 3_600_000)
        // A week is 167, 168 or 169 hours across a change of summer time.
        case .dutchWeek: DutchTime.weekStart(start + 7 * 86_400_000 + 12 * 3_600_000)
        }
    }

    /// The windows that cover `range`, from the one holding its start.
    public func windows(in range: TimeWindow) -> [TimeWindow] {
        var out: [TimeWindow] = []
        var start = floor(range.start)
        while start < range.end {
            let end = next(start)
            out.append(TimeWindow(start: start, end: end))
            start = end
        }
        return out
    }
}
