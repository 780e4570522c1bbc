import CZstd

/// Writes Apache Parquet files, streamed: each row group is handed to `emit` as soon as it is
/// full, the footer at ``finish()``.
///
/// What it writes, of the format (parquet-format 2.x):
/// - a flat schema of OPTIONAL columns (nulls where cells are suppressed): INT64, DOUBLE,
///   BYTE_ARRAY with the STRING logical type (converted type UTF8), and INT64 with the
///   TIMESTAMP(MILLIS, isAdjustedToUTC) logical type (converted type TIMESTAMP_MILLIS);
/// - row groups of `rowGroupSize` rows, one column chunk per column and one data page (v1)
///   per chunk; definition levels in the RLE/bit-packing hybrid;
/// - strings dictionary-encoded (a PLAIN dictionary page, RLE_DICTIONARY indices) while the
///   dictionary stays small, PLAIN otherwise; numbers PLAIN;
/// - every page compressed with zstd (libzstd), or uncompressed;
/// - column statistics per chunk: null count, min and max (`min_value`/`max_value`, with the
///   type-defined column order in the footer, so readers may use them).
/// Not written: nested or repeated columns, data page v2, page indexes, bloom filters,
/// encryption, other codecs. Readers checked in the tests: pyarrow and DuckDB.
public final class ParquetWriter {
    public enum Kind: Sendable {
        case int64, double, string, timestampMillis
    }

    public struct Column: Sendable {
        public var name: String
        public var kind: Kind
        public init(name: String, kind: Kind) {
            self.name = name
            self.kind = kind
        }
    }

    public enum Value: Sendable, Equatable {
        case null
        case int(Int64)
        case double(Double)
        case string(String)
    }

    public enum Compression: Sendable {
        case none
        case zstd(level: Int32)
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    let columns: [Column]
    let rowGroupSize: Int
    let compression: Compression
    let emit: ([UInt8]) throws -> Void
    private var data: [ColumnData]
    private var rows = 0
    private var offset: Int64 = 0
    private var rowGroups: [RowGroupMeta] = []
    private var totalRows: Int64 = 0
    private var finished = false

    public init(columns: [Column], rowGroupSize: Int = 65_536, compression: Compression = .zstd(level: 3),
                emit: @escaping ([UInt8]) throws -> Void) throws {
        self.columns = columns
        self.rowGroupSize = max(1, rowGroupSize)
        self.compression = compression
        self.emit = emit
        data = Array(repeating: ColumnData(), count: columns.count)
        try write(Self.magic)
    }

    static let magic: [UInt8] = Array("PAR1".utf8)

    /// Appends one row, a value per column (`.null` where the cell is empty; a value of another
    /// kind than its column's is written as null).
    public func append(_ row: [Value]) throws {
        guard row.count == columns.count else {
            throw WriteError(description: "a row of \(row.count) values for \(columns.count) columns")
        }
        for (i, v) in row.enumerated() {
            switch (columns[i].kind, v) {
            case (.int64, .int(let n)), (.timestampMillis, .int(let n)): append(column: i, int: n)
            case (.double, .double(let d)): append(column: i, double: d)
            case (.string, .string(let s)): append(column: i, string: s)
            default: appendNull(column: i)
            }
        }
        try endRow()
    }

    // A row cell by cell, for callers that decode their rows themselves: one call per column,
    // in order, then ``endRow()``. Each call must match the column's kind (integers for INT64
    // and timestamp columns).

    public func appendNull(column: Int) { data[column].defined.append(0) }

    public func append(column: Int, int value: Int64) {
        data[column].defined.append(1)
        data[column].ints.append(value)
    }

    public func append(column: Int, double value: Double) {
        data[column].defined.append(1)
        data[column].doubles.append(value)
    }

    public func append(column: Int, string value: String) {
        data[column].defined.append(1)
        data[column].strings.append(value)
    }

    /// Ends the row; a full row group is written out.
    public func endRow() throws {
        rows += 1
        if rows >= rowGroupSize { try flushRowGroup() }
    }

    /// Writes the last row group and the footer.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        if rows > 0 { try flushRowGroup() }
        let footer = ThriftCompact.message { t in
            t.i32(1, 1)
            t.list(2, [nil] + columns.map { Optional($0) }) { t, column in
                guard let column else {
                    t.string(4, "schema")
                    t.i32(5, Int32(columns.count))
                    return
                }
                t.i32(1, column.kind.physical)
                t.i32(3, 1)   // OPTIONAL
                t.string(4, column.name)
                if let converted = column.kind.converted { t.i32(6, converted) }
                switch column.kind {
                case .string: t.structure(10) { $0.structure(1) { _ in } }
                case .timestampMillis:
                    t.structure(10) { $0.structure(8) { ts in
                        ts.bool(1, true)
                        ts.structure(2) { $0.structure(1) { _ in } }
                    } }
                case .int64: t.structure(10) { $0.structure(10) { i in i.i8(1, 64); i.bool(2, true) } }
                case .double: break
                }
            }
            t.i64(3, totalRows)
            t.list(4, rowGroups) { t, group in
                t.list(1, group.chunks) { t, chunk in chunk.encode(&t) }
                t.i64(2, group.totalBytes)
                t.i64(3, group.rows)
            }
            t.string(6, "Lantaarn parquet writer")
            t.list(7, columns) { t, _ in t.structure(1) { _ in } }
        }
        try write(footer)
        var length: [UInt8] = []
        ColumnChunkWriter.appendLittleEndian(UInt32(footer.count), to: &length)
        try write(length)
        try write(Self.magic)
    }

    private func write(_ bytes: [UInt8]) throws {
        try emit(bytes)
        offset += Int64(bytes.count)
    }

    private func flushRowGroup() throws {
        var group = RowGroupMeta(chunks: [], totalBytes: 0, rows: Int64(rows))
        for (i, column) in columns.enumerated() {
            guard data[i].defined.count == rows else {
                throw WriteError(description: "column \(column.name) has \(data[i].defined.count) values for \(rows) rows")
            }
            let chunk = try ColumnChunkWriter(column: column, data: data[i], compression: compression).write(at: offset) { try self.write($0) }
            group.totalBytes += chunk.uncompressed
            group.chunks.append(chunk)
            data[i].removeAll()
        }
        rowGroups.append(group)
        totalRows += Int64(rows)
        rows = 0
    }
}

/// One column's values of the row group being filled: a definition level per row (0 null,
/// 1 present) and the present values, typed.
struct ColumnData {
    var defined: [UInt32] = []
    var ints: [Int64] = []
    var doubles: [Double] = []
    var strings: [String] = []

    var presentCount: Int { ints.count + doubles.count + strings.count }

    mutating func removeAll() {
        defined.removeAll(keepingCapacity: true)
        ints.removeAll(keepingCapacity: true)
        doubles.removeAll(keepingCapacity: true)
        strings.removeAll(keepingCapacity: true)
    }
}

/// A row group as the footer describes it.
struct RowGroupMeta {
    var chunks: [ChunkMeta]
    var totalBytes: Int64
    var rows: Int64
}

extension ParquetWriter.Kind {
    /// Parquet's physical type: INT64 2, DOUBLE 5, BYTE_ARRAY 6.
    var physical: Int32 {
        switch self {
        case .int64, .timestampMillis: 2
        case .double: 5
        case .string: 6
        }
    }

    /// The legacy converted type: UTF8 0, TIMESTAMP_MILLIS 9, INT_64 18.
    var converted: Int32? {
        switch self {
        case .string: 0
        case .timestampMillis: 9
        case .int64: 18
        case .double: nil
        }
    }
}

/// zstd, one call per page.
enum Zstd {
    static func compress(_ input: [UInt8], level: Int32) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(input.count))
        let written = input.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in ZSTD_compress(dst.baseAddress, dst.count, src.baseAddress, src.count, level) }
        }
        guard ZSTD_isError(written) == 0 else {
            throw ParquetWriter.WriteError(description: "zstd: \(String(cString: ZSTD_getErrorName(written)))")
        }
        return Array(output.prefix(written))
    }
}
