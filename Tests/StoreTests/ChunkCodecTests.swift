import Foundation
import LantaarnModel
@testable import Store
import Testing

struct ChunkCodecTests {
    func roundTrip(_ ts: [Int64], _ vs: [Double], sourceLocation: SourceLocation = #_sourceLocation) throws -> Chunk {
        let chunk = Chunk(timestamps: ts, values: vs, flags: Array(repeating: 0, count: ts.count))
        let decoded = try chunk.decode()
        #expect(decoded.timestamps == ts, sourceLocation: sourceLocation)
        #expect(decoded.values.map(\.bitPattern) == vs.map(\.bitPattern), "values must round-trip bit-exactly", sourceLocation: sourceLocation)
        let sum = vs.reduce(0, +)
        #expect(chunk.count == ts.count && (chunk.sum == sum || (chunk.sum.isNaN && sum.isNaN)), sourceLocation: sourceLocation)
        return chunk
    }

    static let minute: Int64 = 60_000
    static let start: Int64 = 1_795_341_600_000

    @Test func constantSeriesCostsAlmostNothing() throws {
        let ts = (0..<1440).map { Self.start + Int64($0) * Self.minute }
        let chunk = try roundTrip(ts, Array(repeating: 12.3, count: 1440))
        #expect(chunk.byteCount < 80, "\(chunk.byteCount) bytes for 1,440 constant readings")
        #expect(chunk.minValue == 12.3 && chunk.maxValue == 12.3)
    }

    @Test func alternatingAndNegativeValues() throws {
        let ts = (0..<1000).map { Self.start + Int64($0) * 1000 }
        _ = try roundTrip(ts, (0..<1000).map { $0 % 2 == 0 ? -40.5 : 85.25 })
        _ = try roundTrip(ts, (0..<1000).map { Double($0 % 7) - 3.001 })
        _ = try roundTrip(ts, (0..<1000).map { $0 % 3 == 0 ? -0.0 : 0.0 })   // -0.0 kept bit-exact (raw mode)
    }

    /// NaN and ±inf are rejected at validation; the codec still stores them bit-exactly in raw mode.
    @Test func nonFiniteFallsBackToRaw() throws {
        let vs: [Double] = [1.5, .nan, .infinity, -.infinity, 2, .greatestFiniteMagnitude, .leastNonzeroMagnitude]
        let chunk = try roundTrip((0..<Int64(vs.count)).map { Self.start + $0 }, vs)
        #expect(chunk.values.first == DecimalValueCodec.raw)
    }

    @Test func nonDecimalValuesFallBackToRaw() throws {
        let vs = [0.1 + 0.2, 1.0 / 3.0, 2.5]
        let chunk = try roundTrip([1, 2, 3], vs)
        #expect(chunk.values.first == DecimalValueCodec.raw)
        #expect(try roundTrip([1, 2, 3], [0.1, 0.25, 1e-9]).values.first == 9)
    }

    @Test func hugeJumpsDuplicatesAndReverseOrder() throws {
        _ = try roundTrip([Int64.min, 0, Int64.max, Int64.min, Int64.max], [1e15, -1e15, 0, 9e15, -9e15])
        _ = try roundTrip([5, 5, 5, 5, 6, 6], [1, 1, 2, 2, 3, 3])   // duplicate timestamps
        _ = try roundTrip((0..<500).map { Self.start - Int64($0) * 997 }, (0..<500).map { Double($0) / 10 })   // reverse order
        _ = try roundTrip([42], [7.25])
        _ = try roundTrip([1, 2], [1e300, -1e-300])
    }

    @Test(arguments: [false, true])
    func bitPackingEveryWidth(frameOfReference: Bool) throws {
        for width in 0...64 {
            let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
            var rng = SystemRandomNumberGenerator()
            // With a frame of reference: signed values around an offset, including the extremes.
            let offset = frameOfReference ? UInt64(bitPattern: Int64.random(in: Int64.min...Int64.max, using: &rng)) : 0
            var values = (0..<300).map { _ in (UInt64.random(in: 0...UInt64.max, using: &rng) & mask) &+ offset }
            if frameOfReference { values[17] = UInt64(bitPattern: Int64.min); values[200] = UInt64(bitPattern: Int64.max) }
            var out: [UInt8] = []
            BitPacking.pack(values, frameOfReference: frameOfReference, into: &out)
            var i = 0
            let back = try out.withUnsafeBytes { try BitPacking.unpack($0, &i, count: values.count, frameOfReference: frameOfReference) }
            #expect(back == values, "width \(width)")
            #expect(i == out.count)
            // Mostly narrow values with wide outliers (exceptions): the plan's size is the packed
            // size, and packing by the plan writes the same bytes.
            var outliers = values
            for k in stride(from: 5, to: outliers.count, by: 37) { outliers[k] = UInt64.random(in: 0...UInt64.max, using: &rng) }
            for sequence in [values, outliers, Array(values.prefix(1)), []] {
                var packed: [UInt8] = [], byPlan: [UInt8] = []
                BitPacking.pack(sequence, frameOfReference: frameOfReference, into: &packed)
                let plans = [BitPacking.BlockPlan](unsafeUninitializedCapacity: BitPacking.blockCount(sequence.count)) { plans, n in
                    let size = sequence.withUnsafeBufferPointer { BitPacking.plan($0, frameOfReference: frameOfReference, into: plans) }
                    #expect(size == packed.count, "width \(width): planned \(size) bytes, packed \(packed.count)")
                    n = plans.count
                }
                sequence.withUnsafeBufferPointer { v in
                    plans.withUnsafeBufferPointer { BitPacking.pack(v, frameOfReference: frameOfReference, plans: $0, into: &byPlan) }
                }
                #expect(byPlan == packed, "width \(width)")
            }
        }
    }

    /// Sensor.Community clocks report every 148 s ± 1 s: deltas from the block's smallest cost
    /// two bits where delta-of-deltas cost three; a slowly drifting interval favours the latter.
    @Test func timestampFormFollowsTheData() throws {
        var rng = SystemRandomNumberGenerator()
        var t = Self.start
        let jittery = (0..<584).map { _ in defer { t += Int64.random(in: 147...149, using: &rng) * 1000 }; return t }
        let encoded = TimestampCodec.encode(jittery)
        #expect(Double(encoded.count * 8) / Double(jittery.count) < 2.5, "\(encoded.count) bytes for 584 jittery timestamps")
        #expect(try encoded.withUnsafeBytes { try TimestampCodec.decode($0) } == jittery)
        t = Self.start
        let drifting = (0..<584).map { k in defer { t += 60_000 + Int64(k) * 1000 }; return t }
        let dod = TimestampCodec.encode(drifting)
        #expect(dod.count < 584 * 3 / 8, "\(dod.count) bytes for 584 drifting timestamps")   // deltas alone: 7 bits each
        #expect(try dod.withUnsafeBytes { try TimestampCodec.decode($0) } == drifting)
        // Blobs in the delta-of-delta layout (all that earlier versions wrote) still decode.
        var legacy: [UInt8] = []
        BitPacking.appendVarint(4, to: &legacy)
        BitPacking.appendVarint(BitPacking.zigzag(1000), to: &legacy)
        BitPacking.appendVarint(1000, to: &legacy)   // gcd
        BitPacking.appendVarint(BitPacking.zigzag(2), to: &legacy)   // first delta / gcd
        BitPacking.pack([BitPacking.zigzag(1), BitPacking.zigzag(-3)], into: &legacy)
        #expect(try legacy.withUnsafeBytes { try TimestampCodec.decode($0) } == [1000, 3000, 6000, 6000])
    }

    @Test func damagedBlobsThrowInsteadOfCrashing() {
        let chunk = Chunk(timestamps: (0..<300).map { Int64($0) * 1000 }, values: (0..<300).map { Double($0) / 10 },
                          flags: Array(repeating: 0, count: 300))
        for cut in [0, 1, 3, chunk.values.count / 2] {
            var damaged = chunk
            damaged.values = Array(chunk.values.prefix(cut))
            #expect(throws: (any Error).self) { try damaged.decode() }
        }
        var wrongCount = chunk
        wrongCount.count = 299
        #expect(throws: (any Error).self) { try wrongCount.decode() }
    }

    /// Each hour's figures as the summary gives them, keyed by hour start.
    func hours(_ chunk: EncodedChunk) throws -> [Int64: (count: Int, sum: Double, min: Double, max: Double)] {
        var out: [Int64: (count: Int, sum: Double, min: Double, max: Double)] = [:]
        try #require(chunk.summary).withUnsafeBytes { bytes in
            try SubWindowSummary.withSlots(bytes, chunk: chunk.statistics) { slots in
                for h in slots {
                    let hour = TimeBucket.floor(h.first, size: TimeBucket.hour)
                    #expect(TimeBucket.floor(h.last, size: TimeBucket.hour) == hour && h.first <= h.last)
                    out[hour] = (h.count, h.sum, h.min, h.max)
                }
            }
        }
        return out
    }

    /// Hour summaries agree with the readings: decimal values (exact sums), negative values and
    /// empty hours, values that are no decimals and sums too large to be exact in 53 bits (both
    /// kept as doubles); a chunk within one hour has none, and a damaged one throws.
    @Test func hourSummariesMatchTheReadings() throws {
        var rng = SystemRandomNumberGenerator()
        let jittered = (0..<600).map { Self.start + Int64($0) * 150_000 + Int64.random(in: 0..<1000, using: &rng) }.filter { !(8..<11).contains(($0 - Self.start) / 3_600_000) }
        let regular = (0..<600).map { Self.start + Int64($0) * 150_000 }   // the same count every hour
        for ts in [jittered, regular] {
            var level = 0.0
            let walk = ts.map { _ in level += Double(Int.random(in: -30...30, using: &rng)) / 10; return (level * 10).rounded() / 10 + 0 }   // + 0: no -0.0, which is no decimal
            for vs in [walk, walk.map { $0 / 3 }, ts.map { _ in 4e15 }] {
                let chunk = EncodedChunk(ts: ts, vs: vs, fs: Array(repeating: 0, count: ts.count))
                var expected: [Int64: [Double]] = [:]
                for (t, v) in zip(ts, vs) { expected[TimeBucket.floor(t, size: TimeBucket.hour), default: []].append(v) }
                let got = try hours(chunk)
                #expect(Set(got.keys) == Set(expected.keys))
                for (hour, values) in expected {
                    let h = try #require(got[hour])
                    #expect(h.count == values.count && h.min == values.min() && h.max == values.max())
                    #expect(abs(h.sum - values.reduce(0, +)) <= 1e-12 * max(1, abs(h.sum)))
                }
                // A few bytes per hour of a random walk of decimals (steps up to 3.0 here), not 24 as raw.
                if vs == walk { #expect(chunk.summary!.count < 6 * expected.count + 16, "\(chunk.summary!.count) bytes for \(expected.count) hours") }
                let bytes = chunk.summary!
                for cut in [0, 1, 2, bytes.count / 2, bytes.count - 1] {
                    #expect(throws: (any Error).self) {
                        try Array(bytes.prefix(cut)).withUnsafeBytes { try SubWindowSummary.withSlots($0, chunk: chunk.statistics) { _ in } }
                    }
                }
                var fewer = chunk.statistics
                fewer.count -= 1
                #expect(throws: (any Error).self) {
                    try bytes.withUnsafeBytes { try SubWindowSummary.withSlots($0, chunk: fewer) { _ in } }
                }
            }
        }
        #expect(EncodedChunk(ts: [Self.start, Self.start + 60_000], vs: [1, 2], fs: [0, 0]).summary == nil)
    }

    /// Real Sensor.Community SDS011 data (two days, 2.5 min interval): compressed size per value.
    @Test func realSensorCommunityDataCompresses() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/data/sensors/sensor_community_archive").standardizedFileURL
        var total = 0, bytes = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.contains("sds011") {
            let lines = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").dropFirst()
            var ts: [Int64] = [], p1: [Double] = [], p2: [Double] = []
            for line in lines {
                let f = line.split(separator: ";", omittingEmptySubsequences: false)
                guard f.count > 9, let t = ISO8601.parse(String(f[5]) + "Z"), let a = Double(f[6]), let b = Double(f[9]) else { continue }
                ts.append(t); p1.append(a); p2.append(b)
            }
            for column in [p1, p2] {
                let chunk = try roundTrip(ts, column)
                print("  \(file): \(column.count) values, timestamps \(chunk.timestamps.count) B, values \(chunk.values.count) B")
                total += column.count
                bytes += chunk.byteCount
            }
        }
        #expect(total > 4000)
        let perValue = Double(bytes) / Double(total)
        print("chunk codec on real SDS011 data: \(total) values, \(bytes) bytes, \(perValue) B/value (blobs only)")
        #expect(perValue < 2.0)
    }
}
