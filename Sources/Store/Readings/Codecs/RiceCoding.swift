extension BitPacking {
    /// Rice codes for one block (the second form in ``BitPacking``'s layout). A value `v` is
    /// split at bit `k`: its low bits are packed `k` to a value, as the packed form's are; its
    /// quotient `q = v >> k` is written in unary (`q` one-bits and a zero bit) in a stream of its
    /// own. Residuals that scatter like noise (roughly geometric or normal around zero once
    /// zigzagged) then cost close to their entropy: bit-packing pays for the block's widest value
    /// on every value, a Rice code only for each value's own size.
    ///
    /// Layout after the header `[u8 0x80 | k][u8 escapes]`: `ceil(n × k / 8)` bytes of low bits,
    /// the unary quotients (whole bytes), then for each escaped value (a quotient of ``escape``
    /// or more, written in unary as ``escape``) its quotient as a varint. Keeping the quotients
    /// apart lets the decoder find them by walking the zero bits of whole words, without a chain
    /// of dependent reads per value, and unpack the low bits as fast as packed ones.
    enum Rice {
        /// Set in a block's first header byte: the block is Rice-coded, `k` in the low bits.
        static let marker = 0x80
        /// The unary quotient that announces an escaped value.
        static let escape: UInt64 = 24
        /// Largest `k`: a quotient below ``escape`` (5 bits) shifted by it still fits in 64 bits,
        /// where the decoder finds the escaped values after its walk.
        static let maxK = 56

        /// The cheapest parameter for `block` and the block's size in bytes after its header, or
        /// `nil` when the values are too wide to gain. Tries `k` at the integer part of the
        /// logarithm of the values' mean and either side of it: the optimum for geometric and
        /// half-normal values is there.
        static func plan(_ block: UnsafeBufferPointer<UInt64>) -> (plan: BlockPlan, bytes: Int)? {
            var sum: UInt64 = 0, all: UInt64 = 0
            for v in block {
                sum &+= min(v, 1 << 48)   // 128 values of at most 2^48 cannot overflow
                all |= v
            }
            let n = block.count
            let mean = sum / UInt64(n)
            let centre = mean == 0 ? 0 : 63 - mean.leadingZeroBitCount
            guard centre < maxK else { return nil }
            let ks = (max(0, centre - 1), centre, centre + 1)
            // The quotients' sums for the three candidates in one pass (shifts and adds, which
            // vectorise); exact unary lengths only when some quotient may be escaped.
            var quotients: (UInt64, UInt64, UInt64) = (0, 0, 0)
            for v in block {
                quotients.0 &+= v &>> UInt64(ks.0)
                quotients.1 &+= v &>> UInt64(ks.1)
                quotients.2 &+= v &>> UInt64(ks.2)
            }
            func size(_ k: Int, _ quotients: UInt64) -> Int {
                let unary = all &>> UInt64(k) < escape ? (bits: Int(quotients) + n, varintBytes: 0) : escapedUnary(block, k: k)
                return (n * k + 7) / 8 + (unary.bits + 7) / 8 + unary.varintBytes
            }
            var (best, bestBytes) = (ks.0, size(ks.0, quotients.0))
            if ks.1 != best, case let bytes = size(ks.1, quotients.1), bytes < bestBytes { (best, bestBytes) = (ks.1, bytes) }
            if case let bytes = size(ks.2, quotients.2), bytes < bestBytes { (best, bestBytes) = (ks.2, bytes) }
            var escapes = 0
            if all &>> UInt64(best) >= escape { for v in block where v &>> UInt64(best) >= escape { escapes += 1 } }
            return (BlockPlan(width: best, exceptions: escapes, rice: best), bestBytes)
        }

        /// The unary section's bits with parameter `k` when some quotients are escaped, and the
        /// bytes of those quotients' varints.
        private static func escapedUnary(_ block: UnsafeBufferPointer<UInt64>, k: Int) -> (bits: Int, varintBytes: Int) {
            var bits = 0, bytes = 0
            for v in block {
                let q = v &>> UInt64(k)
                bits += Int(min(q, escape)) + 1
                if q >= escape { bytes += varintLength(q) }
            }
            return (bits, bytes)
        }

        /// Writes the block's header and sections at byte `at` of `bytes` (which has room for
        /// whole 8-byte words past them, as ``BitPacking/pack(_:frameOfReference:riceCodes:plans:into:)``
        /// provides). Returns where the next byte goes.
        static func write(_ block: UnsafeBufferPointer<UInt64>, _ plan: BlockPlan,
                          _ bytes: UnsafeMutableRawPointer, _ at: Int) -> Int {
            let k = plan.rice!, shift = UInt64(k), escapes = plan.exceptions
            bytes.storeBytes(of: UInt8(marker | k), toByteOffset: at, as: UInt8.self)
            bytes.storeBytes(of: UInt8(escapes), toByteOffset: at + 1, as: UInt8.self)
            var w = packBits(block, width: k, bytes, at + 2)
            var unary = BitWriter(bytes: bytes, at: w)
            for v in block {
                let q = min(v &>> shift, escape)
                unary.put((1 &<< q) &- 1, count: Int(q) &+ 1)   // q one-bits and a zero bit
            }
            w = unary.finish()
            guard escapes > 0 else { return w }
            for v in block where v &>> shift >= escape { w = writeVarint(v &>> shift, bytes, w) }
            return w
        }

        /// Decodes a block's sections (its header read: `k` and the escape count) from byte `i`
        /// into `out`; `i` moves past the block.
        static func read(_ bytes: UnsafeRawBufferPointer, _ i: inout Int, k: Int, escapes: Int,
                         into out: UnsafeMutableBufferPointer<UInt64>) throws(ChunkCodecError) {
            let n = out.count
            guard k <= maxK, escapes <= n else { throw ChunkCodecError("block header out of range") }
            if k == 0 { out.update(repeating: 0) }
            try unpackBits(bytes, &i, width: k, exceptions: 0, into: out)
            // The quotients: each value's is the number of one-bits before its zero bit. Walking
            // the zero bits of whole words finds them, the quotient the distance between two.
            let shift = UInt64(k), lowMask: UInt64 = (1 &<< shift) &- 1
            let start = i, end = bytes.count, base = bytes.baseAddress!
            var done = 0, previous = -1, wordStart = 0, largest: UInt64 = 0
            while done < n {
                let byte = start &+ wordStart &>> 3
                guard byte < end else { throw ChunkCodecError("truncated block") }
                var zeros = ~word(base, byte, end)
                while zeros != 0, done < n {
                    let bit = wordStart &+ zeros.trailingZeroBitCount
                    zeros &= zeros &- 1
                    let q = UInt64(truncatingIfNeeded: bit &- previous &- 1)
                    previous = bit
                    largest = max(largest, q)
                    out[done] |= q &<< shift
                    done &+= 1
                }
                wordStart &+= 64
            }
            i = start &+ (previous &+ 8) / 8
            // Zero bits read past the end are not the block's.
            guard i <= end else { throw ChunkCodecError("truncated block") }
            guard escapes > 0 || largest < escape else { throw ChunkCodecError("escaped value in a block without escapes") }
            guard escapes > 0 else { return }
            // The escaped quotients, in order, replace the `escape` their unary stood for.
            var escaped = 0
            for j in 0..<n where out[j] &>> shift >= escape {
                escaped += 1
                guard escaped <= escapes else { throw ChunkCodecError("block has more escaped values than its header's \(escapes)") }
                let q = try readVarint(bytes, &i)
                guard q >= escape, k == 0 || q &>> UInt64(64 &- k) == 0 else { throw ChunkCodecError("escaped value out of range") }
                out[j] = (out[j] & lowMask) | q &<< shift
            }
            guard escaped == escapes else { throw ChunkCodecError("block has \(escaped) escaped values, its header \(escapes)") }
        }

        /// The 8 bytes at `byte` as a little-endian word, zeros past `end`.
        @inline(__always)
        private static func word(_ base: UnsafeRawPointer, _ byte: Int, _ end: Int) -> UInt64 {
            if byte &+ 8 <= end { return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)) }
            var word: UInt64 = 0
            for b in byte..<end { word |= UInt64(base.load(fromByteOffset: b, as: UInt8.self)) &<< UInt64(8 &* (b &- byte)) }
            return word
        }
    }

    /// Appends bit fields, least significant first, as whole little-endian 8-byte words.
    struct BitWriter {
        let bytes: UnsafeMutableRawPointer
        var at: Int
        var word: UInt64 = 0
        var used = 0

        init(bytes: UnsafeMutableRawPointer, at: Int) {
            self.bytes = bytes
            self.at = at
        }

        /// Appends the low `count` bits of `value` (1...64; the bits above them are zero).
        @inline(__always)
        mutating func put(_ value: UInt64, count: Int) {
            word |= value &<< UInt64(used)
            if used &+ count >= 64 {
                bytes.storeBytes(of: word.littleEndian, toByteOffset: at, as: UInt64.self)
                at &+= 8
                word = used == 0 ? 0 : value &>> UInt64(64 &- used)
                used = used &+ count &- 64
            } else {
                used &+= count
            }
        }

        /// Writes the last partial word; returns the byte after the last bit written.
        mutating func finish() -> Int {
            guard used > 0 else { return at }
            bytes.storeBytes(of: word.littleEndian, toByteOffset: at, as: UInt64.self)
            return at &+ (used &+ 7) / 8
        }
    }
}
