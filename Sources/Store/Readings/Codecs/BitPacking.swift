/// Little helpers for the chunk codecs: varints, zigzag, and block-wise bit-packing.
///
/// Packed layout for a sequence of unsigned integers (patched frame of reference):
/// blocks of 128 values (the last may be shorter), each `[u8 width][u8 exceptions]
/// [ceil(n × width / 8) bytes of low bits][exceptions × (u8 index, varint high bits)]`.
/// A block of zeros (a regular sampling interval) costs two bytes.
///
/// With `frameOfReference` the values are signed (Int64 bit patterns) and each block
/// starts with `zigzag varint base`, its smallest value; the packed integers are the
/// differences from it. Intervals that jitter around 148 s then cost two bits each.
enum BitPacking {
    static let blockSize = 128

    @inline(__always) static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    @inline(__always) static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

    static func appendVarint(_ v: UInt64, to out: inout [UInt8]) {
        var x = v
        while x >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: x) | 0x80)
            x >>= 7
        }
        out.append(UInt8(x))
    }

    static func readVarint(_ bytes: UnsafeRawBufferPointer, _ i: inout Int) throws(ChunkCodecError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard i < bytes.count, shift < 64 else { throw ChunkCodecError("truncated varint") }
            let b = bytes[i]
            i += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    /// Packs `values` into blocks (see the type comment).
    static func pack(_ values: [UInt64], frameOfReference: Bool = false, into out: inout [UInt8]) {
        out.reserveCapacity(out.count + values.count + 16)
        var start = 0
        var shifted = [UInt64]()
        while start < values.count {
            let end = min(start + blockSize, values.count)
            if frameOfReference {
                let base = values[start..<end].lazy.map { Int64(bitPattern: $0) }.min()!
                appendVarint(zigzag(base), to: &out)
                shifted.removeAll(keepingCapacity: true)
                for v in values[start..<end] { shifted.append(UInt64(bitPattern: Int64(bitPattern: v) &- base)) }
                packBlock(shifted[...], into: &out)
            } else {
                packBlock(values[start..<end], into: &out)
            }
            start = end
        }
    }

    /// One block: width, exception count, the low bits, then the exceptions' high bits.
    private static func packBlock(_ block: ArraySlice<UInt64>, into out: inout [UInt8]) {
        let width = bestWidth(block)
        let limit: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
        var exceptions = 0
        for v in block where v > limit { exceptions += 1 }
        out.append(UInt8(width))
        out.append(UInt8(exceptions))
        packLows(block, width: width, mask: limit, into: &out)
        guard exceptions > 0 else { return }
        for (k, v) in block.enumerated() where v > limit {
            out.append(UInt8(k))
            appendVarint(v >> UInt64(width), to: &out)
        }
    }

    /// The width that minimises the block's size: values wider than it become
    /// exceptions (an index byte plus a varint of their high bits). A rare outlier,
    /// such as a missed reading or a spike, then no longer widens the whole block.
    static func bestWidth(_ block: ArraySlice<UInt64>) -> Int {
        // Widths above the widest value only cost more, so the search stops there; the
        // histogram lives on the stack (this runs for every block of every chunk written).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 65) { histogram in
            histogram.initialize(repeating: 0)
            var widest = 0
            for v in block {
                let l = v == 0 ? 0 : 64 - v.leadingZeroBitCount
                histogram[l] += 1
                widest = max(widest, l)
            }
            var best = widest, bestCost = Int.max
            for w in 0...widest {
                var cost = block.count * w
                var tooWide = 0
                if w < widest {
                    for l in (w + 1)...widest where histogram[l] > 0 {
                        tooWide += histogram[l]
                        cost += histogram[l] * (8 + 8 * ((l - w + 6) / 7))
                    }
                }
                if tooWide > 255 { continue }
                if cost < bestCost { bestCost = cost; best = w }
            }
            return best
        }
    }

    private static func packLows(_ values: ArraySlice<UInt64>, width: Int, mask: UInt64, into out: inout [UInt8]) {
        guard width > 0 else { return }
        var acc: UInt64 = 0
        var bits = 0
        for value in values {
            let v = value & mask
            acc |= v << UInt64(bits)
            let room = 64 - bits
            if width >= room {
                appendWord(acc, bytes: 8, to: &out)
                acc = room == 64 ? 0 : v >> UInt64(room)
                bits = width - room
            } else {
                bits += width
            }
        }
        if bits > 0 { appendWord(acc, bytes: (bits + 7) / 8, to: &out) }
    }

    /// Unpacks `count` values written by ``pack(_:frameOfReference:into:)``.
    static func unpack(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, count: Int,
                       frameOfReference: Bool = false) throws(ChunkCodecError) -> [UInt64] {
        var result = [UInt64](repeating: 0, count: count)
        var position = i
        let failure = result.withUnsafeMutableBufferPointer { out -> ChunkCodecError? in
            do {
                var done = 0
                while done < count {
                    let n = min(blockSize, count - done)
                    try unpackBlock(bytes, &position, into: UnsafeMutableBufferPointer(rebasing: out[done..<(done + n)]),
                                    frameOfReference: frameOfReference)
                    done += n
                }
                return nil
            } catch let error as ChunkCodecError {
                return error
            } catch {
                return ChunkCodecError("\(error)")
            }
        }
        if let failure { throw failure }
        i = position
        return result
    }

    /// Decodes one block into `out` (its length is the block's value count).
    private static func unpackBlock(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, into out: UnsafeMutableBufferPointer<UInt64>,
                                    frameOfReference: Bool) throws(ChunkCodecError) {
        let n = out.count
        let base: UInt64 = frameOfReference ? UInt64(bitPattern: unzigzag(try readVarint(bytes, &i))) : 0
        guard i + 2 <= bytes.count else { throw ChunkCodecError("truncated block header") }
        let width = Int(bytes[i]), exceptions = Int(bytes[i + 1])
        i += 2
        guard width <= 64, exceptions <= n else { throw ChunkCodecError("block header out of range") }
        if width > 0 {
            let byteCount = (n * width + 7) / 8
            guard i + byteCount <= bytes.count else { throw ChunkCodecError("truncated block") }
            let mask: UInt64 = width == 64 ? .max : (1 << UInt64(width)) - 1
            let source = (bytes.baseAddress! + i).assumingMemoryBound(to: UInt8.self)
            // Whole 8-byte loads while they stay inside the block, then byte by byte.
            let fast = byteCount >= 8 ? min(n, ((byteCount - 8) * 8) / width + 1) : 0
            var bitPos = 0
            for k in 0..<fast {
                let byte = bitPos &>> 3, shift = bitPos & 7
                var v = UInt64(littleEndian: UnsafeRawPointer(source + byte).loadUnaligned(as: UInt64.self)) &>> UInt64(shift)
                if shift + width > 64 { v |= UInt64(source[byte + 8]) &<< UInt64(64 - shift) }
                out[k] = v & mask
                bitPos &+= width
            }
            for k in fast..<n {
                let byte = bitPos &>> 3, shift = bitPos & 7
                var word: UInt64 = 0
                for b in 0..<min(8, byteCount - byte) { word |= UInt64(source[byte + b]) &<< UInt64(8 * b) }
                var v = word &>> UInt64(shift)
                if shift + width > 64, byte + 8 < byteCount { v |= UInt64(source[byte + 8]) &<< UInt64(64 - shift) }
                out[k] = v & mask
                bitPos &+= width
            }
            i += byteCount
        }
        for _ in 0..<exceptions {
            guard i < bytes.count else { throw ChunkCodecError("truncated exception") }
            let k = Int(bytes[i])
            i += 1
            guard k < n, width < 64 else { throw ChunkCodecError("exception out of range") }
            out[k] |= try readVarint(bytes, &i) << UInt64(width)
        }
        if frameOfReference { for k in 0..<n { out[k] = out[k] &+ base } }
    }

    @inline(__always)
    private static func appendWord(_ w: UInt64, bytes: Int, to out: inout [UInt8]) {
        withUnsafeBytes(of: w.littleEndian) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[..<bytes])) }
    }
}

/// A chunk blob could not be decoded: the database is damaged or from an unknown version.
public struct ChunkCodecError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ reason: String) { description = "damaged chunk: \(reason)" }
}
