/// A half-open time interval `[start, end)` in epoch milliseconds.
public struct TimeWindow: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Inclusive start, epoch milliseconds.
    public var start: Int64
    /// Exclusive end, epoch milliseconds.
    public var end: Int64

    /// Creates a window; `end` must not be before `start`.
    public init(start: Int64, end: Int64) {
        precondition(end >= start, "a time window cannot end before it starts")
        self.start = start
        self.end = end
    }

    /// True when `timestamp` falls in `[start, end)`.
    public func contains(_ timestamp: Int64) -> Bool { timestamp >= start && timestamp < end }

    /// Splits the window into consecutive buckets of `size` milliseconds, aligned to the epoch.
    public func buckets(of size: Int64) -> [TimeWindow] {
        var result: [TimeWindow] = []
        var s = TimeBucket.floor(start, size: size)
        while s < end {
            result.append(TimeWindow(start: s, end: s + size))
            s += size
        }
        return result
    }

    public var description: String {
        "\(ISO8601.format(milliseconds: start))/\(ISO8601.format(milliseconds: end))"
    }

    public static func < (lhs: TimeWindow, rhs: TimeWindow) -> Bool { (lhs.start, lhs.end) < (rhs.start, rhs.end) }
}

/// Epoch-aligned time buckets (hour, day, ...).
public enum TimeBucket {
    /// One hour in milliseconds.
    public static let hour: Int64 = 3_600_000
    /// One minute in milliseconds.
    public static let minute: Int64 = 60_000

    /// Start of the bucket of `size` milliseconds that contains `timestamp`.
    public static func floor(_ timestamp: Int64, size: Int64) -> Int64 {
        let r = timestamp % size
        return r >= 0 ? timestamp - r : timestamp - r - size
    }
}
