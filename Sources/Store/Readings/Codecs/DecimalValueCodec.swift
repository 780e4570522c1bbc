/// Values as scaled decimals (ALP-style): find the smallest exponent `e` (0...9)
/// for which every value equals `round(v × 10^e) / 10^e` exactly, then store those
/// integers as zigzagged deltas, bit-packed in blocks. Sensor data is decimal by
/// nature (12.3 µg/m³), so this is exact and compact. A chunk with a value that is
/// not such a decimal (or not finite) falls back to raw IEEE-754 doubles, so the
/// round trip is always bit-exact.
///
/// Layout: `u8 mode` (0...9 = decimal exponent, 255 = raw), `varint count`, then the
/// packed deltas (first value zigzag varint) or `count × 8` raw bytes.
package enum DecimalValueCodec {
    static let raw: UInt8 = 255
    static let powers: [Double] = (0...9).map { e in (0..<e).reduce(1.0) { x, _ in x * 10 } }
    /// Integers above this lose precision as doubles, so decimal mode is refused beyond it.
    static let maxScaled = 9.007_199_254_740_992e15

    package static func encode(_ values: [Double]) -> [UInt8] {
        var out: [UInt8] = []
        if let (e, scaled) = decimal(values) {
            out.append(UInt8(e))
            BitPacking.appendVarint(UInt64(values.count), to: &out)
            guard let first = scaled.first else { return out }
            BitPacking.appendVarint(BitPacking.zigzag(first), to: &out)
            var deltas = [UInt64]()
            deltas.reserveCapacity(scaled.count)
            for k in 1..<scaled.count { deltas.append(BitPacking.zigzag(scaled[k] &- scaled[k - 1])) }
            BitPacking.pack(deltas, into: &out)
        } else {
            out.append(raw)
            BitPacking.appendVarint(UInt64(values.count), to: &out)
            for v in values {
                let bits = v.bitPattern
                for b in 0..<8 { out.append(UInt8(truncatingIfNeeded: bits >> UInt64(8 * b))) }
            }
        }
        return out
    }

    /// The smallest exponent that represents every value exactly, with the scaled integers.
    static func decimal(_ values: [Double]) -> (Int, [Int64])? {
        var scaled = [Int64](repeating: 0, count: values.count)
        exponents: for e in 0...9 {
            let p = powers[e]
            for (k, v) in values.enumerated() {
                let s = v * p
                guard abs(s) < maxScaled else { continue exponents }   // also refuses NaN and infinities
                // Rounds half away from zero by truncation (no libm call); a value that is not
                // this decimal fails the exact check below whichever way it rounds.
                let n = Int64(s + (s < 0 ? -0.5 : 0.5))
                guard (Double(n) / p).bitPattern == v.bitPattern else { continue exponents }
                scaled[k] = n
            }
            return (e, scaled)
        }
        return nil
    }

    package static func decode(_ bytes: UnsafeRawBufferPointer) throws(ChunkCodecError) -> [Double] {
        guard !bytes.isEmpty else { throw ChunkCodecError("empty value blob") }
        let mode = bytes[0]
        var i = 1
        let count = Int(try BitPacking.readVarint(bytes, &i))
        guard count <= 1 << 26 else { throw ChunkCodecError("value count \(count) too large") }
        if mode == raw {
            guard i + count * 8 <= bytes.count else { throw ChunkCodecError("truncated raw values") }
            return (0..<count).map { k in
                var bits: UInt64 = 0
                for b in 0..<8 { bits |= UInt64(bytes[i + k * 8 + b]) << UInt64(8 * b) }
                return Double(bitPattern: bits)
            }
        }
        guard Int(mode) < powers.count else { throw ChunkCodecError("unknown value mode \(mode)") }
        guard count > 0 else { return [] }
        let p = powers[Int(mode)]
        var current = BitPacking.unzigzag(try BitPacking.readVarint(bytes, &i))
        let deltas = try BitPacking.unpack(bytes, &i, count: count - 1)
        return [Double](unsafeUninitializedCapacity: count) { out, initialized in
            out[0] = Double(current) / p
            deltas.withUnsafeBufferPointer { d in
                for k in 0..<d.count {
                    current = current &+ BitPacking.unzigzag(d[k])
                    out[k + 1] = Double(current) / p
                }
            }
            initialized = count
        }
    }
}
