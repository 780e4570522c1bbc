/// A chunk ready to store: its statistics and encoded columns. Encoding is most of what storing
/// a chunk costs, so the appender may make these off the writer's thread (a backfill's merged
/// chunks are made by ``SeriesWork``), and a backend only writes the bytes.
package struct EncodedChunk: Sendable {
    package var statistics: ChunkStatistics
    /// The readings' times: a backend compares them to share a timestamp block between a
    /// sensor's quantities.
    package var times: [Int64]
    /// The encoded times, when the encoder made them; `nil` leaves encoding to the backend, for
    /// when it holds no block with these times (the second quantity of a sensor then encodes none).
    package var timestamps: [UInt8]?
    package var values: [UInt8]
    package var flags: [UInt8]
    /// Statistics per hour (``SubWindowSummary``); `nil` for a chunk within one hour.
    package var summary: [UInt8]?

    /// Encodes readings sorted by time (non-empty); the times only when `timestamps` says so
    /// (``TimestampEncoding``).
    package init(ts: [Int64], vs: [Double], fs: [UInt8], timestamps: [UInt8]? = nil) {
        statistics = ChunkStatistics(timestamps: ts, values: vs)
        times = ts
        self.timestamps = timestamps
        var summary: [UInt8]?
        values = DecimalValueCodec.encode(vs) { exponent, scaled in
            summary = SubWindowSummary.encode(ts: ts, vs: vs, exponent: exponent, scaled: scaled)
        }
        self.summary = summary
        flags = FlagsCodec.encode(fs)
    }

    /// The encoded times: the encoder's, or encoded now.
    package var encodedTimestamps: [UInt8] { timestamps ?? TimestampCodec.encode(times) }
}
