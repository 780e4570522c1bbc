import Foundation

/// What a chunk's row says about its readings without decoding them.
package struct ChunkStatistics: Equatable, Sendable {
    package var count: Int
    package var minTimestamp: Int64
    package var maxTimestamp: Int64
    package var minValue: Double
    package var maxValue: Double
    package var sum: Double

    package init(count: Int, minTimestamp: Int64, maxTimestamp: Int64, minValue: Double, maxValue: Double, sum: Double) {
        self.count = count
        self.minTimestamp = minTimestamp
        self.maxTimestamp = maxTimestamp
        self.minValue = minValue
        self.maxValue = maxValue
        self.sum = sum
    }
}

extension ChunkStatistics {
    /// The statistics of readings sorted by time (non-empty).
    package init(timestamps ts: [Int64], values vs: [Double]) {
        let (low, high, sum) = vs.withUnsafeBufferPointer { Self.extremesAndSum($0[...]) }
        self.init(count: ts.count, minTimestamp: ts.first!, maxTimestamp: ts.last!, minValue: low, maxValue: high, sum: sum)
    }

    /// Smallest, largest and sum of non-empty `values` in one pass; the sum in reading order, as
    /// `reduce` adds (a chunk's row, an hour of a raw ``SubWindowSummary``).
    static func extremesAndSum(_ values: Slice<UnsafeBufferPointer<Double>>) -> (min: Double, max: Double, sum: Double) {
        var (low, high, sum) = (values.first!, values.first!, 0.0)
        for v in values {
            if v < low { low = v }
            if v > high { high = v }
            sum += v
        }
        return (low, high, sum)
    }
}

/// One sealed chunk of a series: its readings in time order, compressed column by
/// column, with the statistics that let aggregates skip decompression.
@dynamicMemberLookup
struct Chunk: Equatable {
    var timestamps: [UInt8]
    var values: [UInt8]
    var flags: [UInt8]
    var statistics: ChunkStatistics

    subscript<T>(dynamicMember path: WritableKeyPath<ChunkStatistics, T>) -> T {
        get { statistics[keyPath: path] }
        set { statistics[keyPath: path] = newValue }
    }

    /// Encodes readings that are already sorted by time (duplicates allowed).
    init(timestamps ts: [Int64], values vs: [Double], flags fs: [UInt8]) {
        precondition(ts.count == vs.count && vs.count == fs.count && !ts.isEmpty, "a chunk needs equal, non-empty columns")
        timestamps = TimestampCodec.encode(ts)
        values = DecimalValueCodec.encode(vs)
        flags = FlagsCodec.encode(fs)
        statistics = ChunkStatistics(timestamps: ts, values: vs)
    }

    /// Decompresses all three columns; throws when the blobs disagree with the count.
    func decode() throws -> (timestamps: [Int64], values: [Double], flags: [UInt8]) {
        let ts = try timestamps.withUnsafeBytes { try TimestampCodec.decode($0) }
        let vs = try values.withUnsafeBytes { try DecimalValueCodec.decode($0) }
        let fs = try flags.withUnsafeBytes { try FlagsCodec.decode($0) }
        let count = statistics.count
        guard ts.count == count, vs.count == count, fs.count == count else {
            throw ChunkCodecError("column lengths \(ts.count)/\(vs.count)/\(fs.count) differ from count \(count)")
        }
        return (ts, vs, fs)
    }

    /// Compressed size in bytes (the three blobs).
    var byteCount: Int { timestamps.count + values.count + flags.count }
}

/// Decoding a stored chunk's three column blobs. Every error names the chunk.
package enum ChunkColumns {
    /// The chunk's readings; throws when a column does not decode or the columns disagree in
    /// length. `chunk` names it in the error.
    package static func decode(chunk: @autoclosure () -> String, ts: some ContiguousBytes, vs: some ContiguousBytes,
                               fs: some ContiguousBytes) throws -> ReadingColumns {
        try decode(chunk: chunk(), times: try timestamps(chunk: chunk(), ts), vs: vs, fs: fs)
    }

    /// The chunk's timestamp column.
    package static func timestamps(chunk: @autoclosure () -> String, _ ts: some ContiguousBytes) throws -> [Int64] {
        do {
            return try ts.withUnsafeBytes { try TimestampCodec.decode($0) }
        } catch let error as ChunkCodecError {
            throw error.naming(chunk())
        }
    }

    /// The same, with the timestamps already decoded (a block the sensor's other quantities share).
    package static func decode(chunk: @autoclosure () -> String, times: [Int64], vs: some ContiguousBytes,
                               fs: some ContiguousBytes) throws -> ReadingColumns {
        do {
            let values = try vs.withUnsafeBytes { try DecimalValueCodec.decode($0) }
            let flags = try fs.withUnsafeBytes { try FlagsCodec.decode($0) }
            guard times.count == values.count, values.count == flags.count else {
                throw ChunkCodecError("\(times.count) timestamps, \(values.count) values and \(flags.count) flags")
            }
            return ReadingColumns(ts: times, vs: values, fs: flags)
        } catch let error as ChunkCodecError {
            throw error.naming(chunk())
        }
    }
}
