/// Parquet's RLE/bit-packing hybrid, for definition levels and dictionary indices: runs of
/// eight or more equal values as RLE runs, everything between them bit-packed in groups of
/// eight (LSB first; only the last group is padded).
enum HybridEncoder {
    static func encode(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
        var out: [UInt8] = []
        let byteWidth = (bitWidth + 7) / 8
        var i = 0
        let n = values.count
        func varint(_ v: Int) {
            var v = UInt64(v)
            while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            out.append(UInt8(v))
        }
        func runLength(at start: Int) -> Int {
            var j = start + 1
            while j < n && values[j] == values[start] { j += 1 }
            return j - start
        }
        while i < n {
            let run = runLength(at: i)
            if run >= 8 {
                varint(run << 1)
                var v = values[i]
                for _ in 0..<byteWidth { out.append(UInt8(v & 0xFF)); v >>= 8 }
                i += run
                continue
            }
            // Bit-pack up to where a run of eight or more starts, in whole groups of eight.
            var end = i
            while end < n {
                let r = runLength(at: end)
                if r >= 8 { break }
                end += r
            }
            let groups = (end - i + 7) / 8
            varint(groups << 1 | 1)
            var accumulator: UInt64 = 0, bits = 0
            for k in 0..<(groups * 8) {
                let v = i + k < n ? UInt64(values[i + k]) : 0
                accumulator |= v << bits
                bits += bitWidth
                while bits >= 8 {
                    out.append(UInt8(accumulator & 0xFF))
                    accumulator >>= 8
                    bits -= 8
                }
            }
            if bits > 0 { out.append(UInt8(accumulator & 0xFF)) }
            i = min(n, i + groups * 8)
        }
        return out
    }

    /// Bits needed for values up to `max` (at least one).
    static func bitWidth(_ max: Int) -> Int { max <= 1 ? 1 : Int.bitWidth - (max).leadingZeroBitCount }
}
