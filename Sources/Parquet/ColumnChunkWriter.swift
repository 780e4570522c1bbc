#if canImport(Glibc)
import Glibc
#endif

/// One column of one row group: an optional dictionary page and one data page, each with its
/// page header, and the chunk's metadata with statistics for the footer.
struct ColumnChunkWriter {
    let column: ParquetWriter.Column
    let data: ColumnData
    let compression: ParquetWriter.Compression

    /// Largest dictionary kept per chunk; beyond it strings are written PLAIN.
    static let maxDictionaryEntries = 32_768
    static let maxDictionaryBytes = 1 << 20

    // Encodings: PLAIN 0, RLE 3, RLE_DICTIONARY 8. Page types: DATA_PAGE 0, DICTIONARY_PAGE 2.

    func write(at start: Int64, _ emit: ([UInt8]) throws -> Void) throws -> ChunkMeta {
        var offset = start
        var meta = ChunkMeta(column: column, codec: compression.code, numValues: Int64(data.defined.count))
        meta.nullCount = Int64(data.defined.count - data.presentCount)
        (meta.min, meta.max) = statistics()

        let levels = HybridEncoder.encode(data.defined, bitWidth: 1)
        var body = [UInt8]()
        body.reserveCapacity(4 + levels.count + data.ints.count * 8 + data.doubles.count * 8 + data.strings.count * 16)
        Self.appendLittleEndian(UInt32(levels.count), to: &body)
        body += levels
        var encoding: Int32 = 0
        if case .string = column.kind, let (dictionary, indices) = dictionary() {
            let page = try page(type: 2, body: dictionary.bytes) { $0.structure(7) { d in d.i32(1, Int32(dictionary.count)); d.i32(2, 0) } }
            meta.dictionaryPageOffset = offset
            try emit(page.bytes)
            offset += Int64(page.bytes.count)
            meta.add(page)
            let width = HybridEncoder.bitWidth(dictionary.count - 1)
            body.append(UInt8(width))
            body += HybridEncoder.encode(indices, bitWidth: width)
            encoding = 8
            meta.encodings = [0, 3, 8]
        } else {
            appendPlain(to: &body)
            meta.encodings = [0, 3]
        }
        let page = try page(type: 0, body: body) { h in
            h.structure(5) { d in
                d.i32(1, Int32(data.defined.count))
                d.i32(2, encoding)
                d.i32(3, 3)
                d.i32(4, 3)
            }
        }
        meta.dataPageOffset = offset
        try emit(page.bytes)
        meta.add(page)
        return meta
    }

    /// A page: its header (type, sizes, then the type's own header) and its body, compressed.
    private func page(type: Int32, body: [UInt8], _ header: (inout ThriftCompact) -> Void) throws -> (bytes: [UInt8], uncompressed: Int, compressed: Int) {
        let stored: [UInt8]
        switch compression {
        case .none: stored = body
        case .zstd(let level): stored = try Zstd.compress(body, level: level)
        }
        let head = ThriftCompact.message { t in
            t.i32(1, type)
            t.i32(2, Int32(body.count))
            t.i32(3, Int32(stored.count))
            header(&t)
        }
        return (head + stored, head.count + body.count, head.count + stored.count)
    }

    /// PLAIN values of the present cells: 8-byte little-endian numbers, strings with a 4-byte length.
    private func appendPlain(to out: inout [UInt8]) {
        switch column.kind {
        case .int64, .timestampMillis: for n in data.ints { Self.appendLittleEndian(UInt64(bitPattern: n), to: &out) }
        case .double: for d in data.doubles { Self.appendLittleEndian(d.bitPattern, to: &out) }
        case .string: for s in data.strings { Self.appendPlain(s, to: &out) }
        }
    }

    static func appendPlain(_ s: String, to out: inout [UInt8]) {
        appendLittleEndian(UInt32(s.utf8.count), to: &out)
        out.append(contentsOf: s.utf8)
    }

    /// Byte order of the UTF-8 (the order Parquet's statistics of strings use), by memcmp.
    static func precedes(_ a: String, _ b: String) -> Bool {
        var (a, b) = (a, b)
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                let c = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
                return c < 0 || (c == 0 && x.count < y.count)
            }
        }
    }

    static func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    /// The dictionary (PLAIN-encoded distinct strings, in first-seen order) and each value's
    /// index; `nil` when it would be too large to help.
    private func dictionary() -> (dictionary: (bytes: [UInt8], count: Int), indices: [UInt32])? {
        var index: [String: UInt32] = [:]
        var bytes: [UInt8] = []
        var indices: [UInt32] = []
        indices.reserveCapacity(data.strings.count)
        for s in data.strings {
            if let i = index[s] { indices.append(i); continue }
            guard index.count < Self.maxDictionaryEntries, bytes.count < Self.maxDictionaryBytes else { return nil }
            let i = UInt32(index.count)
            index[s] = i
            Self.appendPlain(s, to: &bytes)
            indices.append(i)
        }
        guard !index.isEmpty else { return nil }
        return ((bytes, index.count), indices)
    }

    /// Min and max as the footer stores them (PLAIN bytes, strings without their length);
    /// NaN left out; a zero minimum written as -0.0 and a zero maximum as +0.0, as the format asks.
    private func statistics() -> ([UInt8]?, [UInt8]?) {
        func bytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] { var out: [UInt8] = []; Self.appendLittleEndian(v, to: &out); return out }
        switch column.kind {
        case .int64, .timestampMillis:
            guard let lo = data.ints.min(), let hi = data.ints.max() else { return (nil, nil) }
            return (bytes(UInt64(bitPattern: lo)), bytes(UInt64(bitPattern: hi)))
        case .double:
            var lo = Double.infinity, hi = -Double.infinity
            for d in data.doubles where !d.isNaN { lo = min(lo, d); hi = max(hi, d) }
            guard lo <= hi else { return (nil, nil) }
            if lo == 0 { lo = -0.0 }
            if hi == 0 { hi = 0.0 }
            return (bytes(lo.bitPattern), bytes(hi.bitPattern))
        case .string:
            guard var lo = data.strings.first, var hi = data.strings.first else { return (nil, nil) }
            for s in data.strings.dropFirst() {
                if Self.precedes(s, lo) { lo = s }
                if Self.precedes(hi, s) { hi = s }
            }
            return (Array(lo.utf8), Array(hi.utf8))
        }
    }
}

/// A column chunk as the footer describes it.
struct ChunkMeta {
    var column: ParquetWriter.Column
    var codec: Int32
    var numValues: Int64
    var encodings: [Int32] = []
    var uncompressed: Int64 = 0
    var compressed: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?
    var nullCount: Int64 = 0
    var min: [UInt8]?
    var max: [UInt8]?

    mutating func add(_ page: (bytes: [UInt8], uncompressed: Int, compressed: Int)) {
        uncompressed += Int64(page.uncompressed)
        compressed += Int64(page.compressed)
    }

    /// ColumnChunk { 2: file_offset, 3: ColumnMetaData }.
    func encode(_ t: inout ThriftCompact) {
        t.i64(2, dictionaryPageOffset ?? dataPageOffset)
        t.structure(3) { m in
            m.i32(1, column.kind.physical)
            m.i32List(2, encodings)
            m.stringList(3, [column.name])
            m.i32(4, codec)
            m.i64(5, numValues)
            m.i64(6, uncompressed)
            m.i64(7, compressed)
            m.i64(9, dataPageOffset)
            if let d = dictionaryPageOffset { m.i64(11, d) }
            m.structure(12) { s in
                s.i64(3, nullCount)
                if let max { s.binary(5, max) }
                if let min { s.binary(6, min) }
            }
        }
    }
}

extension ParquetWriter.Compression {
    /// UNCOMPRESSED 0, ZSTD 6.
    var code: Int32 {
        switch self {
        case .none: 0
        case .zstd: 6
        }
    }
}
