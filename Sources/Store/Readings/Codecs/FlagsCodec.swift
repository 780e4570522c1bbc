/// Quality flags per reading, run-length encoded: `varint count`, then pairs of
/// `u8 flag, varint run`. Flags are almost always constant, so a chunk costs a few bytes.
package enum FlagsCodec {
    package static func encode(_ flags: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        BitPacking.appendVarint(UInt64(flags.count), to: &out)
        flags.withUnsafeBufferPointer { flags in
            var k = 0
            while k < flags.count {
                var run = 1
                while k + run < flags.count, flags[k + run] == flags[k] { run += 1 }
                out.append(flags[k])
                BitPacking.appendVarint(UInt64(run), to: &out)
                k += run
            }
        }
        return out
    }

    package static func decode(_ bytes: UnsafeRawBufferPointer) throws(ChunkCodecError) -> [UInt8] {
        var i = 0
        let count = Int(try BitPacking.readVarint(bytes, &i))
        guard count <= 1 << 26 else { throw ChunkCodecError("flag count \(count) too large") }
        var out = [UInt8]()
        out.reserveCapacity(count)
        while out.count < count {
            guard i < bytes.count else { throw ChunkCodecError("truncated flags") }
            let flag = bytes[i]
            i += 1
            let run = Int(try BitPacking.readVarint(bytes, &i))
            guard run > 0, out.count + run <= count else { throw ChunkCodecError("flag run out of range") }
            out.append(contentsOf: repeatElement(flag, count: run))
        }
        return out
    }
}
