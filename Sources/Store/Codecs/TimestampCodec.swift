/// Delta-of-delta timestamps (Gorilla-style), zigzagged and bit-packed in blocks.
///
/// Deltas are first divided by their greatest common divisor: sensors that stamp whole
/// seconds (most do) then cost no bits for the always-zero milliseconds.
///
/// Layout: `varint count`, then for count ≥ 1 `zigzag varint first`, for count ≥ 2
/// `varint gcd` and `zigzag varint firstDelta/gcd`, then the packed delta-of-deltas/gcd.
/// A sensor reporting at a steady interval costs about one byte per 128 timestamps.
enum TimestampCodec {
    static func encode(_ ts: [Int64]) -> [UInt8] {
        var out: [UInt8] = []
        BitPacking.appendVarint(UInt64(ts.count), to: &out)
        guard let first = ts.first else { return out }
        BitPacking.appendVarint(BitPacking.zigzag(first), to: &out)
        guard ts.count > 1 else { return out }
        var g: UInt64 = 0
        for k in 1..<ts.count { g = gcd(g, (ts[k] &- ts[k - 1]).magnitude) }
        // Wrapping deltas (huge jumps) only divide exactly when g is 1; keep it simple then.
        if g == 0 || g > UInt64(Int64.max) { g = 1 }
        let step = Int64(g)
        BitPacking.appendVarint(g, to: &out)
        var prevDelta = (ts[1] &- ts[0]) / step
        BitPacking.appendVarint(BitPacking.zigzag(prevDelta), to: &out)
        var dods = [UInt64]()
        dods.reserveCapacity(ts.count - 2)
        for k in 2..<ts.count {
            let delta = (ts[k] &- ts[k - 1]) / step
            dods.append(BitPacking.zigzag(delta &- prevDelta))
            prevDelta = delta
        }
        BitPacking.pack(dods, into: &out)
        return out
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(ChunkCodecError) -> [Int64] {
        var i = 0
        let count = Int(try BitPacking.readVarint(bytes, &i))
        guard count <= 1 << 26 else { throw ChunkCodecError("timestamp count \(count) too large") }
        guard count > 0 else { return [] }
        var out = [Int64]()
        out.reserveCapacity(count)
        out.append(BitPacking.unzigzag(try BitPacking.readVarint(bytes, &i)))
        guard count > 1 else { return out }
        let g = try BitPacking.readVarint(bytes, &i)
        guard g >= 1, g <= UInt64(Int64.max) else { throw ChunkCodecError("timestamp step \(g) out of range") }
        let step = Int64(g)
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
