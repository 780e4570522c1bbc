/// Little helpers for the chunk codecs: varints, zigzag, and block-wise bit-packing.
///
/// Packed layout for a sequence of unsigned integers: blocks of 128 values (the last may be
/// shorter), each in the smaller of two forms (see ``BlockPlan``):
/// - patched frame of reference: `[u8 width][u8 exceptions][ceil(n × width / 8) bytes of low
///   bits][exceptions × (u8 index, varint high bits)]`. A block of zeros (a regular sampling
///   interval) costs two bytes.
/// - Rice codes (``Rice``), where the caller asks for them (the value codec): `[u8 0x80 | k]
///   [u8 escapes]`, the `k` low bits of each value packed, each value's quotient `v >> k` in
///   unary (whole bytes), then the quotients of ``Rice/escape`` or more as varints. Residuals
///   that scatter like noise (a PM series' steps) cost about half a bit less each than packed,
///   close to their entropy. Hour summaries do not ask: an aggregate reads them for every
///   chunk, and Rice codes saved only 3 % of their bytes (0.005 B per value) while the
///   aggregate over them was no faster (0.218-0.230 s against 0.208-0.223 s packed, within
///   the machine's noise).
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

    /// Packs `values` into blocks (see the type comment); with `riceCodes`, a block may take the
    /// Rice form where it is smaller.
    static func pack(_ values: [UInt64], frameOfReference: Bool = false, riceCodes: Bool = false, into out: inout [UInt8]) {
        values.withUnsafeBufferPointer { pack($0, frameOfReference: frameOfReference, riceCodes: riceCodes, into: &out) }
    }

    /// How one block is packed: its width and how many of its values are exceptions, or, for a
    /// Rice-coded block, its parameter `k` (also in `width`) and how many values are escaped.
    struct BlockPlan {
        var width = 0
        var exceptions = 0
        /// Rice parameter of a Rice-coded block; `nil` for a packed one.
        var rice: Int?
    }

    /// Blocks a sequence of `n` values packs into.
    static func blockCount(_ n: Int) -> Int { (n + blockSize - 1) / blockSize }

    /// Chooses each block's width into `plans` (``blockCount(_:)`` of them) and returns the
    /// bytes ``pack(_:frameOfReference:riceCodes:plans:into:)`` will write with them: a caller choosing
    /// between two forms packs only the smaller.
    static func plan(_ values: UnsafeBufferPointer<UInt64>, frameOfReference: Bool = false, riceCodes: Bool = false,
                     into plans: UnsafeMutableBufferPointer<BlockPlan>) -> Int {
        var size = 0
        forEachBlock(values, frameOfReference: frameOfReference) { index, block, base in
            let (plan, bytes) = bestPlan(block, riceCodes: riceCodes)
            plans[index] = plan
            size += (frameOfReference ? varintLength(zigzag(base)) : 0) + bytes
        }
        return size
    }

    /// Calls `body` with each block's index and values, less the block's base (its smallest
    /// value, as a signed integer) with `frameOfReference`.
    @inline(__always)
    private static func forEachBlock(_ values: UnsafeBufferPointer<UInt64>, frameOfReference: Bool,
                                     _ body: (Int, UnsafeBufferPointer<UInt64>, Int64) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: blockSize) { shifted in
            var start = 0, index = 0
            while start < values.count {
                let end = min(start + blockSize, values.count)
                var block = UnsafeBufferPointer(rebasing: values[start..<end])
                var base: Int64 = 0
                if frameOfReference {
                    base = Int64(bitPattern: block[0])
                    for v in block { base = min(base, Int64(bitPattern: v)) }
                    for k in block.indices { shifted[k] = UInt64(bitPattern: Int64(bitPattern: block[k]) &- base) }
                    block = UnsafeBufferPointer(rebasing: shifted[0..<block.count])
                }
                body(index, block, base)
                start = end
                index += 1
            }
        }
    }

    static func varintLength(_ v: UInt64) -> Int { max(1, (64 - v.leadingZeroBitCount + 6) / 7) }

    /// Packs `values` into blocks, written into a scratch buffer and appended to `out` at once;
    /// with `plans` from ``plan(_:frameOfReference:riceCodes:into:)``, without choosing the widths again.
    static func pack(_ values: UnsafeBufferPointer<UInt64>, frameOfReference: Bool = false, riceCodes: Bool = false,
                     plans: UnsafeBufferPointer<BlockPlan>? = nil, into out: inout [UInt8]) {
        let n = values.count
        guard n > 0 else { return }
        // A block the planner chose takes at most 8 bytes a value (it is no larger than packed at
        // the widest value without exceptions), a 10-byte base, 2 header bytes and one partial
        // word, written whole. A Rice block the caller's plan imposes may take more: 56 low bits,
        // 25 unary bits and a 10-byte escape, under 24 bytes a value.
        let perValue = plans?.contains { $0.rice != nil } == true ? 24 : 8
        let capacity = n * perValue + (n / blockSize + 1) * 24
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            let bytes = UnsafeMutableRawPointer(buffer.baseAddress!)
            var w = 0
            forEachBlock(values, frameOfReference: frameOfReference) { index, block, base in
                if frameOfReference { w = writeVarint(zigzag(base), bytes, w) }
                let plan = plans?[index] ?? bestPlan(block, riceCodes: riceCodes).plan
                w = plan.rice == nil ? packBlock(block, plan, bytes, w) : Rice.write(block, plan, bytes, w)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<w]))
        }
    }

    @inline(__always)
    static func writeVarint(_ v: UInt64, _ bytes: UnsafeMutableRawPointer, _ at: Int) -> Int {
        var x = v, w = at
        while x >= 0x80 {
            bytes.storeBytes(of: UInt8(truncatingIfNeeded: x) | 0x80, toByteOffset: w, as: UInt8.self)
            x >>= 7
            w += 1
        }
        bytes.storeBytes(of: UInt8(x), toByteOffset: w, as: UInt8.self)
        return w + 1
    }

    /// One block at byte `at`: width, exception count, the low bits, then the exceptions' high
    /// bits. Returns where the next byte goes.
    private static func packBlock(_ block: UnsafeBufferPointer<UInt64>, _ plan: BlockPlan, _ bytes: UnsafeMutableRawPointer, _ at: Int) -> Int {
        let (width, exceptions) = (plan.width, plan.exceptions)
        let limit: UInt64 = width == 64 ? .max : (1 << UInt64(width)) &- 1
        bytes.storeBytes(of: UInt8(width), toByteOffset: at, as: UInt8.self)
        bytes.storeBytes(of: UInt8(exceptions), toByteOffset: at + 1, as: UInt8.self)
        var w = packBits(block, width: width, bytes, at + 2)
        guard exceptions > 0 else { return w }
        for k in block.indices where block[k] > limit {
            bytes.storeBytes(of: UInt8(k), toByteOffset: w, as: UInt8.self)
            w = writeVarint(block[k] >> UInt64(width), bytes, w &+ 1)
        }
        return w
    }

    /// The low `width` bits of each value, least significant first in whole little-endian
    /// words (the last one's bytes past the bits are overwritten by what follows, or never
    /// appended), at byte `at`. Returns the byte after the last bit.
    static func packBits(_ block: UnsafeBufferPointer<UInt64>, width: Int, _ bytes: UnsafeMutableRawPointer, _ at: Int) -> Int {
        guard width > 0 else { return at }
        let limit: UInt64 = width == 64 ? .max : (1 << UInt64(width)) &- 1
        var writer = BitWriter(bytes: bytes, at: at)
        for value in block { writer.put(value & limit, count: width) }
        return writer.finish()
    }

    /// The block's smaller form (``BlockPlan``) and its size in bytes, headers included. A Rice
    /// code is chosen only when it saves more than a quarter of a bit per value: it decodes
    /// about 1 ns per value more slowly than packed bits, which a block that barely gains from
    /// it does not pay for. Blocks packed 3 bits wide or less (timestamps' jitter) cannot gain
    /// that much and are not tried. Without `riceCodes`, always the packed form.
    static func bestPlan(_ block: UnsafeBufferPointer<UInt64>, riceCodes: Bool) -> (plan: BlockPlan, bytes: Int) {
        let (packed, exceptionBytes) = bestWidth(block)
        let packedBytes = 2 + (block.count * packed.width + 7) / 8 + exceptionBytes
        guard riceCodes, packed.width > 3, let (rice, riceBytes) = Rice.plan(block),
              8 * riceBytes + block.count / 4 < 8 * (packedBytes - 2) else { return (packed, packedBytes) }
        return (rice, 2 + riceBytes)
    }

    /// The width that minimises the block's size, how many values are wider (those become
    /// exceptions: an index byte plus a varint of their high bits), and the bytes they take. A
    /// rare outlier, such as a missed reading or a spike, then no longer widens the whole block.
    static func bestWidth(_ block: UnsafeBufferPointer<UInt64>) -> (plan: BlockPlan, exceptionBytes: Int) {
        // Widths above the widest value only cost more, so the search stops there. Four
        // histograms, a value's by its position, so that runs of equal lengths (the usual case)
        // do not wait on each other's counts; on the stack (this runs for every block written),
        // which 16-bit counts keep them within (a block has at most 128 values).
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 4 * 65) { histograms in
            histograms.initialize(repeating: 0)
            var all: UInt64 = 0
            for k in block.indices {
                let v = block[k]
                histograms[(k & 3) &* 65 &+ (64 &- v.leadingZeroBitCount)] &+= 1
                all |= v
            }
            let widest = 64 - all.leadingZeroBitCount
            for l in 0...widest {
                histograms[l] = histograms[l] &+ histograms[65 &+ l] &+ histograms[130 &+ l] &+ histograms[195 &+ l]
            }
            var best = widest, bestCost = Int.max, bestExceptions = 0
            for w in 0...widest {
                var cost = block.count * w
                var tooWide = 0
                if w < widest {
                    for l in (w + 1)...widest where histograms[l] > 0 {
                        let n = Int(histograms[l])
                        tooWide += n
                        cost += n * (8 + 8 * ((l - w + 6) / 7))
                    }
                }
                if tooWide > 255 { continue }
                if cost < bestCost { bestCost = cost; best = w; bestExceptions = tooWide }
            }
            return (BlockPlan(width: best, exceptions: bestExceptions), (bestCost - block.count * best) / 8)
        }
    }

    /// Unpacks `count` values written by ``pack(_:frameOfReference:riceCodes:into:)``.
    static func unpack(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, count: Int,
                       frameOfReference: Bool = false) throws(ChunkCodecError) -> [UInt64] {
        try unpacked(as: UInt64.self, count: count) { out throws(ChunkCodecError) in
            try unpack(bytes, &i, into: out, frameOfReference: frameOfReference)
        }
    }

    /// An array of `count` 64-bit values that `fill` writes as bit patterns into the array's own
    /// memory, all bits zero before it runs (a block of width 0 writes nothing): the decoders
    /// unpack into their result and finish it in place, without a second array.
    static func unpacked<T: BitwiseCopyable>(as _: T.Type, count: Int,
                                             _ fill: (UnsafeMutableBufferPointer<UInt64>) throws(ChunkCodecError) -> Void) throws(ChunkCodecError) -> [T] {
        precondition(MemoryLayout<T>.stride == MemoryLayout<UInt64>.stride, "64-bit values only")
        var failure: ChunkCodecError?
        let result = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            buffer.withMemoryRebound(to: UInt64.self) { slots in
                slots.initialize(repeating: 0)
                do throws(ChunkCodecError) {
                    try fill(slots)
                } catch {
                    failure = error
                }
            }
            initialized = count
        }
        if let failure { throw failure }
        return result
    }

    /// Unpacks `out.count` values written by ``pack(_:frameOfReference:riceCodes:into:)`` into `out`.
    static func unpack(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, into out: UnsafeMutableBufferPointer<UInt64>,
                       frameOfReference: Bool = false) throws(ChunkCodecError) {
        var position = i, done = 0
        while done < out.count {
            let n = min(blockSize, out.count - done)
            try unpackBlock(bytes, &position, into: UnsafeMutableBufferPointer(rebasing: out[done..<(done + n)]),
                            frameOfReference: frameOfReference)
            done += n
        }
        i = position
    }

    /// Decodes one block into `out` (its length is the block's value count).
    private static func unpackBlock(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, into out: UnsafeMutableBufferPointer<UInt64>,
                                    frameOfReference: Bool) throws(ChunkCodecError) {
        let n = out.count
        let base: UInt64 = frameOfReference ? UInt64(bitPattern: unzigzag(try readVarint(bytes, &i))) : 0
        guard i + 2 <= bytes.count else { throw ChunkCodecError("truncated block header") }
        let width = Int(bytes[i]), exceptions = Int(bytes[i + 1])
        i += 2
        if width & Rice.marker != 0 {
            try Rice.read(bytes, &i, k: width & ~Rice.marker, escapes: exceptions, into: out)
        } else {
            try unpackBits(bytes, &i, width: width, exceptions: exceptions, into: out)
        }
        if frameOfReference { for k in 0..<n { out[k] = out[k] &+ base } }
    }

    /// The bit-packed form of a block (header read) into `out`: `out.count` values of `width`
    /// bits, then the high bits of `exceptions` of them.
    static func unpackBits(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, width: Int, exceptions: Int,
                           into out: UnsafeMutableBufferPointer<UInt64>) throws(ChunkCodecError) {
        let n = out.count
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
    }
}
