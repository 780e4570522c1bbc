/// Timestamps as delta-of-deltas (Gorilla-style) or as deltas with a frame of reference,
/// whichever is smaller for the chunk, bit-packed in blocks.
///
/// Deltas are first divided by their greatest common divisor: sensors that stamp whole
/// seconds (most do) then cost no bits for the always-zero milliseconds. A steady interval
/// costs almost nothing either way; an interval that jitters (148 s ± 1 s, as
/// Sensor.Community sensors do) costs two bits as a delta from the block's smallest but
/// three as a delta-of-delta, while an interval that drifts slowly favours delta-of-deltas.
///
/// Layout: `varint count`, then for count ≥ 1 `zigzag varint first`, and for count ≥ 2:
/// - delta-of-deltas: `varint gcd` (≥ 1), `zigzag varint firstDelta/gcd`, then the packed
///   zigzagged delta-of-deltas/gcd;
/// - deltas: `varint 0`, `varint gcd`, then the deltas/gcd packed with a frame of reference.
package enum TimestampCodec {
    package static func encode(_ ts: [Int64]) -> [UInt8] {
        var out: [UInt8] = []
        BitPacking.appendVarint(UInt64(ts.count), to: &out)
        guard let first = ts.first else { return out }
        BitPacking.appendVarint(BitPacking.zigzag(first), to: &out)
        guard ts.count > 1 else { return out }
        return ts.withUnsafeBufferPointer { t in
            let n = t.count
            var g: UInt64 = 0, previous: UInt64 = 0
            var divisor = ExactDivisor(1)
            for k in 1..<n {
                // A delta like the one before, or one the divisor already divides, changes nothing.
                let d = (t[k] &- t[k - 1]).magnitude
                if d == previous || (g > 1 && divisor.divides(d)) { continue }
                g = gcd(g, d)
                if g > 1 { divisor = ExactDivisor(g) }
                previous = d
            }
            // Wrapping deltas (huge jumps) only divide exactly when g is 1; keep it simple then.
            if g == 0 || g > UInt64(Int64.max) { g = 1 }
            divisor = ExactDivisor(g)
            return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * n) { scratch in
                // Deltas / g, then their zigzagged differences: both forms from one pass each.
                let deltas = UnsafeMutableBufferPointer(rebasing: scratch[0..<(n - 1)])
                let dods = UnsafeMutableBufferPointer(rebasing: scratch[n..<(2 * n - 2)])
                for k in 1..<n { deltas[k - 1] = UInt64(bitPattern: divisor.quotient(t[k] &- t[k - 1])) }
                for k in dods.indices { dods[k] = BitPacking.zigzag(Int64(bitPattern: deltas[k + 1]) &- Int64(bitPattern: deltas[k])) }

                // Both forms sized by their block plans; only the smaller is packed.
                return withUnsafeTemporaryAllocation(of: BitPacking.BlockPlan.self, capacity: 2 * BitPacking.blockCount(n)) { plans in
                    let blocks = BitPacking.blockCount(n - 1)
                    let dodPlans = UnsafeMutableBufferPointer(rebasing: plans[0..<BitPacking.blockCount(n - 2)])
                    let deltaPlans = UnsafeMutableBufferPointer(rebasing: plans[blocks..<(2 * blocks)])
                    let firstDelta = BitPacking.zigzag(Int64(bitPattern: deltas[0]))
                    let dodSize = BitPacking.varintLength(g) + BitPacking.varintLength(firstDelta)
                        + BitPacking.plan(UnsafeBufferPointer(dods), into: dodPlans)
                    let deltaSize = 1 + BitPacking.varintLength(g)
                        + BitPacking.plan(UnsafeBufferPointer(deltas), frameOfReference: true, into: deltaPlans)
                    if deltaSize < dodSize {
                        BitPacking.appendVarint(0, to: &out)
                        BitPacking.appendVarint(g, to: &out)
                        BitPacking.pack(UnsafeBufferPointer(deltas), frameOfReference: true, plans: UnsafeBufferPointer(deltaPlans), into: &out)
                    } else {
                        BitPacking.appendVarint(g, to: &out)
                        BitPacking.appendVarint(firstDelta, to: &out)
                        BitPacking.pack(UnsafeBufferPointer(dods), plans: UnsafeBufferPointer(dodPlans), into: &out)
                    }
                    return out
                }
            }
        }
    }

    package static func decode(_ bytes: UnsafeRawBufferPointer) throws(ChunkCodecError) -> [Int64] {
        var i = 0
        let count = Int(try BitPacking.readVarint(bytes, &i))
        guard count <= 1 << 26 else { throw ChunkCodecError("timestamp count \(count) too large") }
        guard count > 0 else { return [] }
        let first = BitPacking.unzigzag(try BitPacking.readVarint(bytes, &i))
        guard count > 1 else { return [first] }
        var g = try BitPacking.readVarint(bytes, &i)
        let deltaForm = g == 0
        if deltaForm { g = try BitPacking.readVarint(bytes, &i) }
        guard g >= 1, g <= UInt64(Int64.max) else { throw ChunkCodecError("timestamp step \(g) out of range") }
        let step = Int64(g)
        var firstDelta: Int64 = 0
        if !deltaForm { firstDelta = BitPacking.unzigzag(try BitPacking.readVarint(bytes, &i)) }
        // The packed integers are unpacked into the result's own memory, then summed in place.
        return try BitPacking.unpacked(as: Int64.self, count: count) { packed throws(ChunkCodecError) in
            if deltaForm {
                try BitPacking.unpack(bytes, &i, into: UnsafeMutableBufferPointer(rebasing: packed[1...]), frameOfReference: true)
                var t = first
                packed[0] = UInt64(bitPattern: t)
                for k in 1..<count {
                    t = t &+ Int64(bitPattern: packed[k]) &* step
                    packed[k] = UInt64(bitPattern: t)
                }
            } else {
                try BitPacking.unpack(bytes, &i, into: UnsafeMutableBufferPointer(rebasing: packed[2...]))
                var delta = firstDelta, t = first &+ firstDelta &* step
                packed[0] = UInt64(bitPattern: first)
                packed[1] = UInt64(bitPattern: t)
                for k in 2..<count {
                    delta = delta &+ BitPacking.unzigzag(packed[k])
                    t = t &+ delta &* step
                    packed[k] = UInt64(bitPattern: t)
                }
            }
        }
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}

/// Division by a constant that is known to divide exactly (Granlund and Montgomery): a shift by
/// its trailing zeros and a multiplication by the inverse of its odd part modulo 2^64, where a
/// division instruction costs tens of cycles per delta.
struct ExactDivisor {
    let shift: UInt64
    let inverse: UInt64
    /// Quotients of exact multiples are at most this.
    let limit: UInt64

    init(_ d: UInt64) {
        precondition(d > 0, "divisor must be positive")
        shift = UInt64(d.trailingZeroBitCount)
        let odd = d >> shift
        var x = odd   // correct to 3 bits; each Newton step doubles them
        for _ in 0..<5 { x = x &* (2 &- odd &* x) }
        inverse = x
        limit = UInt64.max / odd
    }

    /// Whether `n` is a multiple of the divisor.
    @inline(__always) func divides(_ n: UInt64) -> Bool {
        n & ((1 &<< shift) &- 1) == 0 && (n >> shift) &* inverse <= limit
    }

    /// `n` divided by the divisor, for a multiple of it (of either sign).
    @inline(__always) func quotient(_ n: Int64) -> Int64 {
        Int64(bitPattern: UInt64(bitPattern: n >> Int64(shift)) &* inverse)
    }
}
