import Foundation
@testable import Store
import Testing

/// The Rice-coded block form of ``BitPacking``: chosen where it is smaller, exact on every input
/// (escapes, every parameter, a frame of reference), and a damaged block throws or decodes to
/// some values without crashing.
struct RiceCodingTests {
    /// Zigzagged steps of a noisy series: normal with standard deviation `sigma`.
    static func noise(_ n: Int, sigma: Double, seed: UInt64) -> [UInt64] {
        var state = seed
        func unit() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        return (0..<n).map { _ in
            let g = sqrt(-2 * log(unit())) * cos(2 * .pi * unit())
            return BitPacking.zigzag(Int64((g * sigma).rounded()))
        }
    }

    /// Empirical entropy in bits per value.
    static func entropy(_ values: [UInt64]) -> Double {
        let counts = Dictionary(values.map { ($0, 1) }, uniquingKeysWith: +).values
        return counts.reduce(0) { h, c in
            let p = Double(c) / Double(values.count)
            return h - p * log2(p)
        }
    }

    func packed(_ values: [UInt64], frameOfReference: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        BitPacking.pack(values, frameOfReference: frameOfReference, riceCodes: true, into: &out)
        return out
    }

    func expectRoundTrip(_ values: [UInt64], frameOfReference: Bool = false, _ comment: Comment,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        let bytes = packed(values, frameOfReference: frameOfReference)
        var i = 0
        let back = try bytes.withUnsafeBytes { try BitPacking.unpack($0, &i, count: values.count, frameOfReference: frameOfReference) }
        #expect(back == values, comment, sourceLocation: sourceLocation)
        #expect(i == bytes.count, comment, sourceLocation: sourceLocation)
        // The plan's size is the packed size, and packing by the plan writes the same bytes.
        let plans = [BitPacking.BlockPlan](unsafeUninitializedCapacity: BitPacking.blockCount(values.count)) { plans, n in
            let size = values.withUnsafeBufferPointer { BitPacking.plan($0, frameOfReference: frameOfReference, riceCodes: true, into: plans) }
            #expect(size == bytes.count, comment, sourceLocation: sourceLocation)
            n = plans.count
        }
        var byPlan: [UInt8] = []
        values.withUnsafeBufferPointer { v in
            plans.withUnsafeBufferPointer { BitPacking.pack(v, frameOfReference: frameOfReference, riceCodes: true, plans: $0, into: &byPlan) }
        }
        #expect(byPlan == bytes, comment, sourceLocation: sourceLocation)
        return bytes
    }

    /// The packed form's size, block by block (headers and exceptions included).
    func packedOnlyBits(_ values: [UInt64]) -> Double {
        var bytes = 0
        values.withUnsafeBufferPointer { v in
            for start in stride(from: 0, to: v.count, by: BitPacking.blockSize) {
                bytes += BitPacking.bestPlan(UnsafeBufferPointer(rebasing: v[start..<min(start + BitPacking.blockSize, v.count)]), riceCodes: false).bytes
            }
        }
        return Double(bytes * 8) / Double(values.count)
    }

    /// Noisy steps (the generated PM2.5's are about 30 hundredths) cost within 0.35 bits of
    /// their entropy, 0.4 bits or more below the packed form.
    @Test(arguments: [4.0, 31.6])
    func noiseCostsCloseToItsEntropy(sigma: Double) throws {
        let values = Self.noise(128 * 40, sigma: sigma, seed: UInt64(sigma * 10))
        let bytes = try expectRoundTrip(values, "sigma \(sigma)")
        #expect(bytes[0] & UInt8(BitPacking.Rice.marker) != 0, "the first block is Rice-coded")
        let bits = Double(bytes.count * 8) / Double(values.count), entropy = Self.entropy(values), packed = packedOnlyBits(values)
        #expect(bits < entropy + 0.35, "sigma \(sigma): \(bits) bits per value, entropy \(entropy)")
        #expect(bits < packed - 0.4, "sigma \(sigma): \(bits) bits per value, packed \(packed)")
    }

    /// Where Rice codes gain less than a quarter of a bit a value (wide or tiny steps, or a
    /// packed block that needs few exceptions), blocks stay packed: never larger than packed.
    @Test(arguments: [0.3, 114.0, 5_000.0])
    func neverLargerThanPacked(sigma: Double) throws {
        let values = Self.noise(128 * 40, sigma: sigma, seed: UInt64(sigma * 10))
        let bytes = try expectRoundTrip(values, "sigma \(sigma)")
        let bits = Double(bytes.count * 8) / Double(values.count), packed = packedOnlyBits(values)
        #expect(bits <= packed, "sigma \(sigma): \(bits) bits per value, packed \(packed)")
    }

    /// `values` with every block Rice-coded with parameter `k`, whatever the planner would choose.
    func riceCoded(_ values: [UInt64], k: Int, frameOfReference: Bool = false) -> [UInt8] {
        var plans: [BitPacking.BlockPlan] = []
        for start in stride(from: 0, to: values.count, by: BitPacking.blockSize) {
            var block = Array(values[start..<min(start + BitPacking.blockSize, values.count)])
            if frameOfReference {
                let base = block.map { Int64(bitPattern: $0) }.min()!
                block = block.map { UInt64(bitPattern: Int64(bitPattern: $0) &- base) }
            }
            let escapes = block.filter { $0 >> UInt64(k) >= BitPacking.Rice.escape }.count
            plans.append(BitPacking.BlockPlan(width: k, exceptions: escapes, rice: k))
        }
        var out: [UInt8] = []
        values.withUnsafeBufferPointer { v in
            plans.withUnsafeBufferPointer { BitPacking.pack(v, frameOfReference: frameOfReference, plans: $0, into: &out) }
        }
        return out
    }

    /// Every parameter a block may carry (0...56), values escaped at every size up to all 64
    /// bits, with and without a frame of reference, a last block cut short; and the planner's
    /// own choice on the same values.
    @Test func escapesAndEveryParameterRoundTrip() throws {
        for k in 0...BitPacking.Rice.maxK {
            let scale = UInt64(1) << UInt64(min(k, 40))
            var values = Self.noise(300, sigma: 30, seed: UInt64(k) + 7).map { $0 &* scale &+ (scale > 1 ? scale / 3 : 0) }
            values[5] = .max
            values[130] = 1 << 63
            values[131] = scale &* 25
            values[299] = scale &* 1_000
            for frameOfReference in [false, true] {
                for count in [300, 129, 1] {
                    let sequence = Array(values.prefix(count))
                    let bytes = riceCoded(sequence, k: k, frameOfReference: frameOfReference)
                    var i = 0
                    let back = try bytes.withUnsafeBytes { try BitPacking.unpack($0, &i, count: count, frameOfReference: frameOfReference) }
                    #expect(back == sequence, "k \(k), \(count) values, frame of reference \(frameOfReference)")
                    #expect(i == bytes.count)
                    _ = try expectRoundTrip(sequence, frameOfReference: frameOfReference, "planner, k near \(k), \(count) values")
                }
            }
        }
        // All zeros and all equal never take the Rice form (nothing to gain).
        #expect(packed(Array(repeating: 0, count: 128)) == [0, 0])
    }

    /// A Rice block cut at any length throws; any single damaged bit either throws or decodes
    /// to some values (the codecs carry no checksum), and never crashes or reads past the blob.
    @Test func damagedRiceBlocksThrowOrDecode() throws {
        var values = Self.noise(256, sigma: 30, seed: 3)
        values[10] = 1 << 40   // an escaped value
        let bytes = riceCoded(values, k: 5)
        #expect(bytes[0] == UInt8(BitPacking.Rice.marker | 5) && bytes[1] == 1)
        for cut in 0..<bytes.count {
            var i = 0
            #expect(throws: ChunkCodecError.self, "cut at \(cut)") {
                try Array(bytes.prefix(cut)).withUnsafeBytes { try BitPacking.unpack($0, &i, count: values.count) }
            }
        }
        var thrown = 0
        for bit in 0..<(bytes.count * 8) {
            var damaged = bytes
            damaged[bit / 8] ^= UInt8(1 << (bit % 8))
            var i = 0
            do {
                let back = try damaged.withUnsafeBytes { try BitPacking.unpack($0, &i, count: values.count) }
                #expect(back.count == values.count && i <= damaged.count)
            } catch {
                thrown += 1
            }
        }
        #expect(thrown > 0)
        // A header that announces fewer escapes than the block holds, or more.
        for escapes: UInt8 in [0, 2, 200] {
            var damaged = bytes
            damaged[1] = escapes
            var i = 0
            #expect(throws: ChunkCodecError.self, "header with \(escapes) escapes") {
                try damaged.withUnsafeBytes { try BitPacking.unpack($0, &i, count: values.count) }
            }
        }
    }

    /// A series of the generated PM2.5's kind (steps of about 0.3 µg/m³) encodes within half a
    /// bit of its steps' entropy, and decodes exactly.
    @Test func decimalValuesUseRiceCodes() throws {
        let steps = Self.noise(5_000, sigma: 31.6, seed: 11)
        var level = 100_000.0
        let values: [Double] = steps.map { step in
            level += Double(BitPacking.unzigzag(step))
            return level / 100
        }
        let encoded = DecimalValueCodec.encode(values)
        let back = try encoded.withUnsafeBytes { try DecimalValueCodec.decode($0) }
        #expect(back.map(\.bitPattern) == values.map(\.bitPattern))
        let bits = Double(encoded.count * 8) / Double(values.count), entropy = Self.entropy(steps)
        #expect(bits < entropy + 0.45, "\(bits) bits per value, the steps' entropy \(entropy)")
    }
}
