import LantaarnModel

/// How readings are cut into chunks.
public struct ChunkPolicy: Sendable, Hashable {
    /// Length of one chunk's time window, milliseconds (aligned to the epoch).
    public var span: Int64
    /// How long after a window ends (by the series' newest reading) it stays in the open
    /// buffer for late or out-of-order readings. Readings after that are merged into the
    /// window's sealed chunk (backfill, `ReadingAppender`).
    public var lateness: Int64

    /// One day per chunk, two hours of lateness.
    public static let standard = ChunkPolicy(span: 86_400_000, lateness: 2 * TimeBucket.hour)

    public init(span: Int64, lateness: Int64) {
        precondition(span > 0 && lateness >= 0, "chunk span must be positive and lateness not negative")
        self.span = span
        self.lateness = lateness
    }

    /// Windows ending at or before this are sealed once a series has seen `watermark`.
    package func sealLimit(watermark: Int64) -> Int64 {
        TimeBucket.floor(watermark &- lateness, size: span)
    }

    /// Calls `body` with each window and the range of indices `0..<count` in it, for indices
    /// whose times (`time(k)`) are in order: each window's indices are one run.
    package func forEachWindow(count: Int, time: (Int) -> Int64, _ body: (_ window: Int64, _ run: Range<Int>) throws -> Void) rethrows {
        var start = 0
        while start < count {
            let window = TimeBucket.floor(time(start), size: span)
            var end = start + 1
            while end < count, TimeBucket.floor(time(end), size: span) == window { end += 1 }
            try body(window, start..<end)
            start = end
        }
    }
}
