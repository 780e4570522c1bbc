import LantaarnModel

/// Count, sum, min and max of a chunk's readings per sub-window (an hour of UTC: every Dutch
/// hour and day bucket is made of them), so an hourly or daily aggregate over day chunks takes
/// these instead of decoding every value (issue 33, item 2). A chunk within one sub-window has
/// none: its row's statistics are the same thing.
///
/// Layout: `u8 mode` (the chunk's decimal exponent 0...9 as ``DecimalValueCodec`` found it, or
/// 255 for raw doubles), `varint minutes` (the sub-window), `varint slots` (sub-windows from the
/// first reading's to the last's), the count of each slot bit-packed with a frame of reference,
/// then for the `k` slots with readings, in time order:
/// - decimal: three packed columns of `k` integers over the scaled values (``DecimalValueCodec``):
///   the minimum as a zigzagged delta from the previous slot's, `max - min`, and the sum's
///   distance from `count × min + count × (max - min) / 2` zigzagged. The sum is exact (integers),
///   and `Double(sum) / 10^e` is at least as close to the true sum as adding the doubles.
/// - raw: `k × (min, max, sum)` as little-endian doubles.
///
/// It costs about five bytes per hour of a series on the generated set, 0.22 B per value
/// (`make bench-store`, BENCHMARKS.md "Hour summaries").
package enum SubWindowSummary {
    /// The sub-window, milliseconds.
    package static let span: Int64 = 3_600_000
    static let raw: UInt8 = 255

    /// The summary of readings sorted by time, given their values' decimal exponent and scaled
    /// integers (`nil` exponent: raw doubles); `nil` when they lie in one sub-window. Its
    /// columns are made in one temporary allocation (a backfill encodes a chunk per window).
    static func encode(ts: [Int64], vs: [Double], exponent: Int?, scaled: UnsafeBufferPointer<Int64>) -> [UInt8]? {
        guard let first = ts.first, let last = ts.last, TimeBucket.floor(first, size: span) != TimeBucket.floor(last, size: span) else { return nil }
        let origin = TimeBucket.floor(first, size: span)
        let n = Int((TimeBucket.floor(last, size: span) - origin) / span) + 1
        var out: [UInt8] = []
        out.reserveCapacity(16 + 6 * n)
        out.append(exponent.map(UInt8.init) ?? raw)
        BitPacking.appendVarint(UInt64(span / 60_000), to: &out)
        BitPacking.appendVarint(UInt64(n), to: &out)
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 5 * n) { buffer in
            buffer.initialize(repeating: 0)
            // Counts per slot, then per slot with readings: where its run ends, and the three columns.
            let counts = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
            let ends = UnsafeMutableBufferPointer(rebasing: buffer[n..<(2 * n)])
            var used = 0, k = 0
            while k < ts.count {
                let slot = Int((TimeBucket.floor(ts[k], size: span) - origin) / span)
                let start = k, end = origin + Int64(slot + 1) * span
                while k < ts.count && ts[k] < end { k += 1 }
                counts[slot] = UInt64(k - start)
                ends[used] = UInt64(k)
                used += 1
            }
            BitPacking.pack(UnsafeBufferPointer(counts), frameOfReference: true, into: &out)
            let columns = (UnsafeMutableBufferPointer(rebasing: buffer[(2 * n)..<(2 * n + used)]),
                           UnsafeMutableBufferPointer(rebasing: buffer[(3 * n)..<(3 * n + used)]),
                           UnsafeMutableBufferPointer(rebasing: buffer[(4 * n)..<(4 * n + used)]))
            if exponent != nil, decimalColumns(ends: UnsafeBufferPointer(rebasing: ends[0..<used]), scaled, into: columns) {
                BitPacking.pack(UnsafeBufferPointer(columns.0), into: &out)
                BitPacking.pack(UnsafeBufferPointer(columns.1), frameOfReference: true, into: &out)
                BitPacking.pack(UnsafeBufferPointer(columns.2), into: &out)
                return
            }
            out[0] = raw
            vs.withUnsafeBufferPointer { v in
                var start = 0
                for end in ends[0..<used] {
                    let hour = ChunkStatistics.extremesAndSum(v[start..<Int(end)])
                    DecimalValueCodec.appendDouble(hour.min, to: &out)
                    DecimalValueCodec.appendDouble(hour.max, to: &out)
                    DecimalValueCodec.appendDouble(hour.sum, to: &out)
                    start = Int(end)
                }
            }
        }
        return out
    }

    /// Writes the three decimal columns of the runs ending at `ends`; false when a sum does not
    /// fit 53 bits (it would not be exact).
    private static func decimalColumns(ends: UnsafeBufferPointer<UInt64>, _ scaled: UnsafeBufferPointer<Int64>,
                                       into columns: (mins: UnsafeMutableBufferPointer<UInt64>, ranges: UnsafeMutableBufferPointer<UInt64>,
                                                      sums: UnsafeMutableBufferPointer<UInt64>)) -> Bool {
        var previous: Int64 = 0, start = 0
        for (m, end) in ends.enumerated() {
            var (low, high, sum) = (scaled[start], scaled[start], Int64(0))
            for x in scaled[start..<Int(end)] {
                low = Swift.min(low, x)
                high = Swift.max(high, x)
                let (s, overflow) = sum.addingReportingOverflow(x)
                guard !overflow else { return false }
                sum = s
            }
            guard sum.magnitude < 1 << 53 else { return false }
            let count = Int64(Int(end) - start), range = high &- low
            columns.mins[m] = BitPacking.zigzag(low &- previous)
            columns.ranges[m] = UInt64(bitPattern: range)
            columns.sums[m] = BitPacking.zigzag(sum &- predictedSum(count: count, min: low, range: range))
            previous = low
            start = Int(end)
        }
        return true
    }

    /// What the sum is stored relative to (wrapping: only its difference is kept).
    @inline(__always) private static func predictedSum(count: Int64, min: Int64, range: Int64) -> Int64 {
        count &* min &+ (count &* range) / 2
    }

    /// One sub-window of a chunk that holds readings: where they lie (`first...last`, within
    /// the chunk's own first and last time) and their statistics.
    package struct Slot {
        package var first: Int64
        package var last: Int64
        package var count: Int
        package var sum: Double
        package var min: Double
        package var max: Double
    }

    /// Decodes the summary of the chunk whose row is `chunk` and hands `body` its sub-windows
    /// with readings, in time order (in temporary memory: nothing is allocated per chunk). A
    /// summary that disagrees with the row throws.
    package static func withSlots<R>(_ bytes: UnsafeRawBufferPointer, chunk: ChunkStatistics,
                                     _ body: (UnsafeBufferPointer<Slot>) throws -> R) throws -> R {
        guard !bytes.isEmpty else { throw ChunkCodecError("empty sub-window summary") }
        let mode = bytes[0]
        var i = 1
        let window = Int64(try BitPacking.readVarint(bytes, &i)) &* 60_000
        let n = Int(try BitPacking.readVarint(bytes, &i))
        guard window > 0, mode == raw || mode <= 9 else { throw ChunkCodecError("sub-window summary of unknown mode \(mode) or window \(window)") }
        let origin = TimeBucket.floor(chunk.minTimestamp, size: window)
        guard n == Int((TimeBucket.floor(chunk.maxTimestamp, size: window) - origin) / window) + 1 else {
            throw ChunkCodecError("sub-window summary of \(n) windows for a chunk from \(chunk.minTimestamp) to \(chunk.maxTimestamp)")
        }
        return try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 4 * n) { buffer in
            buffer.initialize(repeating: 0)   // a packed block of width 0 writes nothing
            let counts = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
            try BitPacking.unpack(bytes, &i, into: counts, frameOfReference: true)
            var used = 0, total = 0
            for count in counts where count > 0 {
                used += 1
                total &+= Int(truncatingIfNeeded: count)
            }
            guard total == chunk.count else { throw ChunkCodecError("sub-window summary counts \(total) readings for a chunk of \(chunk.count)") }
            return try withUnsafeTemporaryAllocation(of: Slot.self, capacity: used) { slots in
                var m = 0
                @inline(__always) func append(_ k: Int, _ sum: Double, _ low: Double, _ high: Double) {
                    let start = origin + Int64(k) * window
                    slots.initializeElement(at: m, to: Slot(first: Swift.max(start, chunk.minTimestamp), last: Swift.min(start + window - 1, chunk.maxTimestamp),
                                                            count: Int(counts[k]), sum: sum, min: low, max: high))
                    m += 1
                }
                if mode == raw {
                    guard i + used * 24 <= bytes.count else { throw ChunkCodecError("truncated sub-window summary") }
                    var at = i
                    for k in 0..<n where counts[k] > 0 {
                        append(k, DecimalValueCodec.double(bytes, at: at + 16), DecimalValueCodec.double(bytes, at: at), DecimalValueCodec.double(bytes, at: at + 8))
                        at += 24
                    }
                } else {
                    let mins = UnsafeMutableBufferPointer(rebasing: buffer[n..<(n + used)])
                    let ranges = UnsafeMutableBufferPointer(rebasing: buffer[(2 * n)..<(2 * n + used)])
                    let sums = UnsafeMutableBufferPointer(rebasing: buffer[(3 * n)..<(3 * n + used)])
                    try BitPacking.unpack(bytes, &i, into: mins)
                    try BitPacking.unpack(bytes, &i, into: ranges, frameOfReference: true)
                    try BitPacking.unpack(bytes, &i, into: sums)
                    let p = DecimalValueCodec.powers[Int(mode)]
                    var previous: Int64 = 0
                    for k in 0..<n where counts[k] > 0 {
                        let low = previous &+ BitPacking.unzigzag(mins[m]), range = Int64(bitPattern: ranges[m])
                        let sum = BitPacking.unzigzag(sums[m]) &+ predictedSum(count: Int64(counts[k]), min: low, range: range)
                        append(k, Double(sum) / p, Double(low) / p, Double(low &+ range) / p)
                        previous = low
                    }
                }
                return try body(UnsafeBufferPointer(rebasing: slots[0..<m]))
            }
        }
    }
}
