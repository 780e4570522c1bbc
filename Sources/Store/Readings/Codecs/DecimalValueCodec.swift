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

    /// The encoded values. `observe` (when given) sees the exponent found and the scaled
    /// integers before they are packed, or `nil` and nothing for raw doubles: what
    /// ``SubWindowSummary`` is made from, without finding them again.
    package static func encode(_ values: [Double], observe: ((Int?, UnsafeBufferPointer<Int64>) -> Void)? = nil) -> [UInt8] {
        var out: [UInt8] = []
        let n = values.count
        let isDecimal = withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(n, 1)) { scaled -> Bool in
            guard let e = decimal(values, into: scaled) else {
                observe?(nil, UnsafeBufferPointer(start: nil, count: 0))
                return false
            }
            observe?(e, UnsafeBufferPointer(rebasing: scaled[0..<n]))
            out.append(UInt8(e))
            BitPacking.appendVarint(UInt64(n), to: &out)
            guard n > 0 else { return true }
            BitPacking.appendVarint(BitPacking.zigzag(scaled[0]), to: &out)
            scaled.withMemoryRebound(to: UInt64.self) { deltas in
                // Zigzagged deltas in place, last first: each still reads its predecessor.
                for k in stride(from: n - 1, to: 0, by: -1) {
                    deltas[k] = BitPacking.zigzag(Int64(bitPattern: deltas[k]) &- Int64(bitPattern: deltas[k - 1]))
                }
                BitPacking.pack(UnsafeBufferPointer(rebasing: deltas[1..<n]), riceCodes: true, into: &out)
            }
            return true
        }
        guard !isDecimal else { return out }
        out.append(raw)
        BitPacking.appendVarint(UInt64(n), to: &out)
        for v in values { appendDouble(v, to: &out) }
        return out
    }

    /// Appends `d` as 8 little-endian bytes (the raw mode here and in ``SubWindowSummary``).
    static func appendDouble(_ d: Double, to out: inout [UInt8]) {
        let bits = d.bitPattern
        for b in 0..<8 { out.append(UInt8(truncatingIfNeeded: bits >> UInt64(8 * b))) }
    }

    /// The double written by ``appendDouble(_:to:)`` at byte `at` (the caller checked the length).
    @inline(__always)
    static func double(_ bytes: UnsafeRawBufferPointer, at: Int) -> Double {
        Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self)))
    }

    /// The smallest exponent that represents every value exactly, with the scaled integers
    /// written to `scaled` (at least as long as `values`).
    static func decimal(_ values: [Double], into scaled: UnsafeMutableBufferPointer<Int64>) -> Int? {
        values.withUnsafeBufferPointer { v in
            exponents: for e in 0...9 {
                let p = powers[e]
                for k in v.indices {
                    let s = v[k] * p
                    guard abs(s) < maxScaled else { continue exponents }   // also refuses NaN and infinities
                    // Rounds half away from zero by truncation (no libm call); a value that is not
                    // this decimal fails the exact check below whichever way it rounds.
                    let n = Int64(s + (s < 0 ? -0.5 : 0.5))
                    guard (Double(n) / p).bitPattern == v[k].bitPattern else { continue exponents }
                    scaled[k] = n
                }
                return e
            }
            return nil
        }
    }

    package static func decode(_ bytes: UnsafeRawBufferPointer) throws(ChunkCodecError) -> [Double] {
        guard !bytes.isEmpty else { throw ChunkCodecError("empty value blob") }
        let mode = bytes[0]
        var i = 1
        let count = Int(try BitPacking.readVarint(bytes, &i))
        guard count <= 1 << 26 else { throw ChunkCodecError("value count \(count) too large") }
        if mode == raw {
            guard i + count * 8 <= bytes.count else { throw ChunkCodecError("truncated raw values") }
            return (0..<count).map { k in double(bytes, at: i + k * 8) }
        }
        guard Int(mode) < powers.count else { throw ChunkCodecError("unknown value mode \(mode)") }
        guard count > 0 else { return [] }
        let p = powers[Int(mode)]
        var current = BitPacking.unzigzag(try BitPacking.readVarint(bytes, &i))
        // The deltas are unpacked into the result's own memory, summed in place, then scaled in
        // a loop of its own: without the running sum in it, its divisions overlap.
        return try BitPacking.unpacked(as: Double.self, count: count) { slots throws(ChunkCodecError) in
            try BitPacking.unpack(bytes, &i, into: UnsafeMutableBufferPointer(rebasing: slots[1...]))
            slots[0] = UInt64(bitPattern: current)
            for k in 1..<count {
                current = current &+ BitPacking.unzigzag(slots[k])
                slots[k] = UInt64(bitPattern: current)
            }
            for k in 0..<count { slots[k] = (Double(Int64(bitPattern: slots[k])) / p).bitPattern }
        }
    }
}
