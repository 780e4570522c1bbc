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
        var g: UInt64 = 0, previous: UInt64 = 0
        for k in 1..<ts.count {
            // A delta like the one before, or one the divisor already divides, changes nothing.
            let d = (ts[k] &- ts[k - 1]).magnitude
            if d == previous || (g > 1 && d % g == 0) { continue }
            g = gcd(g, d)
            previous = d
        }
        // Wrapping deltas (huge jumps) only divide exactly when g is 1; keep it simple then.
        if g == 0 || g > UInt64(Int64.max) { g = 1 }
        let step = Int64(g)
        let deltas = (1..<ts.count).map { k in (ts[k] &- ts[k - 1]) / step }

        var dodForm = out
        BitPacking.appendVarint(g, to: &dodForm)
        BitPacking.appendVarint(BitPacking.zigzag(deltas[0]), to: &dodForm)
        BitPacking.pack((1..<deltas.count).map { k in BitPacking.zigzag(deltas[k] &- deltas[k - 1]) }, into: &dodForm)

        var deltaForm = out
        BitPacking.appendVarint(0, to: &deltaForm)
        BitPacking.appendVarint(g, to: &deltaForm)
        BitPacking.pack(deltas.map { UInt64(bitPattern: $0) }, frameOfReference: true, into: &deltaForm)
        return deltaForm.count < dodForm.count ? deltaForm : dodForm
    }

    package static func decode(_ bytes: UnsafeRawBufferPointer) throws(ChunkCodecError) -> [Int64] {
        var i = 0
        let count = Int(try BitPacking.readVarint(bytes, &i))
        guard count <= 1 << 26 else { throw ChunkCodecError("timestamp count \(count) too large") }
        guard count > 0 else { return [] }
        var out = [Int64]()
        out.reserveCapacity(count)
        out.append(BitPacking.unzigzag(try BitPacking.readVarint(bytes, &i)))
        guard count > 1 else { return out }
        var g = try BitPacking.readVarint(bytes, &i)
        let deltaForm = g == 0
        if deltaForm { g = try BitPacking.readVarint(bytes, &i) }
        guard g >= 1, g <= UInt64(Int64.max) else { throw ChunkCodecError("timestamp step \(g) out of range") }
        let step = Int64(g)
        if deltaForm {
            for delta in try BitPacking.unpack(bytes, &i, count: count - 1, frameOfReference: true) {
                out.append(out[out.count - 1] &+ Int64(bitPattern: delta) &* step)
            }
            return out
        }
        var delta = BitPacking.unzigzag(try BitPacking.readVarint(bytes, &i))
        out.append(out[0] &+ delta &* step)
        for dod in try BitPacking.unpack(bytes, &i, count: count - 2) {
            delta = delta &+ BitPacking.unzigzag(dod)
            out.append(out[out.count - 1] &+ delta &* step)
        }
        return out
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }
}
