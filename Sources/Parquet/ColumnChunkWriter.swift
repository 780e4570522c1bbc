/// One column of one row group: an optional dictionary page and one data page, each with its
/// page header, and the chunk's metadata with statistics for the footer.
struct ColumnChunkWriter {
    let column: ParquetWriter.Column
    let values: [ParquetWriter.Value]
    let compression: ParquetWriter.Compression

    /// Largest dictionary kept per chunk; beyond it strings are written PLAIN.
    static let maxDictionaryEntries = 32_768
    static let maxDictionaryBytes = 1 << 20

    // Encodings: PLAIN 0, RLE 3, RLE_DICTIONARY 8. Page types: DATA_PAGE 0, DICTIONARY_PAGE 2.

    func write(at start: Int64, _ emit: ([UInt8]) throws -> Void) throws -> ChunkMeta {
        var offset = start
        var meta = ChunkMeta(column: column, codec: compression.code, numValues: Int64(values.count))
        let present = values.filter { $0 != .null }
        meta.nullCount = Int64(values.count - present.count)
        (meta.min, meta.max) = statistics(present)

        let levels = HybridEncoder.encode(values.map { $0 == .null ? 0 : 1 }, bitWidth: 1)
        var body = UInt32(levels.count).littleEndianBytes + levels
        var encoding: Int32 = 0
        if case .string = column.kind, let (dictionary, indices) = dictionary(present) {
            let page = try page(type: 2, body: dictionary.bytes) { $0.structure(7) { d in d.i32(1, Int32(dictionary.count)); d.i32(2, 0) } }
            meta.dictionaryPageOffset = offset
            try emit(page.bytes)
            offset += Int64(page.bytes.count)
            meta.add(page)
            let width = HybridEncoder.bitWidth(dictionary.count - 1)
            body += [UInt8(width)] + HybridEncoder.encode(indices, bitWidth: width)
            encoding = 8
            meta.encodings = [0, 3, 8]
        } else {
            body += plain(present)
            meta.encodings = [0, 3]
        }
        let data = try page(type: 0, body: body) { h in
            h.structure(5) { d in
                d.i32(1, Int32(values.count))
                d.i32(2, encoding)
                d.i32(3, 3)
                d.i32(4, 3)
            }
        }
        meta.dataPageOffset = offset
        try emit(data.bytes)
        meta.add(data)
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

    /// PLAIN values of the non-null cells.
    private func plain(_ present: [ParquetWriter.Value]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(present.count * 8)
        for v in present { Self.appendPlain(v, kind: column.kind, to: &out) }
        return out
    }

    static func appendPlain(_ v: ParquetWriter.Value, kind: ParquetWriter.Kind, to out: inout [UInt8]) {
        switch (kind, v) {
        case (.int64, .int(let n)), (.timestampMillis, .int(let n)): out += UInt64(bitPattern: n).littleEndianBytes
        case (.double, .double(let d)): out += d.bitPattern.littleEndianBytes
        case (.string, .string(let s)):
            let utf8 = Array(s.utf8)
            out += UInt32(utf8.count).littleEndianBytes + utf8
        default: break   // the writer's caller converts values to the column's kind
        }
    }

    /// The dictionary (PLAIN-encoded distinct strings, in first-seen order) and each value's
    /// index; `nil` when it would be too large to help.
    private func dictionary(_ present: [ParquetWriter.Value]) -> (dictionary: (bytes: [UInt8], count: Int), indices: [UInt32])? {
        var index: [String: UInt32] = [:]
        var bytes: [UInt8] = []
        var indices: [UInt32] = []
        indices.reserveCapacity(present.count)
        for case .string(let s) in present {
            if let i = index[s] { indices.append(i); continue }
            guard index.count < Self.maxDictionaryEntries, bytes.count < Self.maxDictionaryBytes else { return nil }
            let i = UInt32(index.count)
            index[s] = i
            Self.appendPlain(.string(s), kind: .string, to: &bytes)
            indices.append(i)
        }
        guard !index.isEmpty else { return nil }
        return ((bytes, index.count), indices)
    }

    /// Min and max as the footer stores them (PLAIN bytes, strings without their length);
    /// NaN left out; a zero minimum written as -0.0 and a zero maximum as +0.0, as the format asks.
    private func statistics(_ present: [ParquetWriter.Value]) -> ([UInt8]?, [UInt8]?) {
        switch column.kind {
        case .int64, .timestampMillis:
            let ns = present.compactMap { if case .int(let n) = $0 { n } else { nil } }
            guard let lo = ns.min(), let hi = ns.max() else { return (nil, nil) }
            return (UInt64(bitPattern: lo).littleEndianBytes, UInt64(bitPattern: hi).littleEndianBytes)
        case .double:
            let ds = present.compactMap { if case .double(let d) = $0, !d.isNaN { d } else { nil } }
            guard var lo = ds.min(), var hi = ds.max() else { return (nil, nil) }
            if lo == 0 { lo = -0.0 }
            if hi == 0 { hi = 0.0 }
            return (lo.bitPattern.littleEndianBytes, hi.bitPattern.littleEndianBytes)
        case .string:
            let ss = present.compactMap { if case .string(let s) = $0 { Array(s.utf8) } else { nil } }
            guard let lo = ss.min(by: { $0.lexicographicallyPrecedes($1) }), let hi = ss.max(by: { $0.lexicographicallyPrecedes($1) }) else { return (nil, nil) }
            return (lo, hi)
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
