import Foundation
import LantaarnModel
import NIOCore
import Parquet
import Store

/// Dataset rows as Parquet (`/datasets/NAME.parquet`, a release's `ID.parquet`): typed columns
/// (timestamps as INT64 TIMESTAMP(MILLIS, UTC), integers, doubles, strings), null where a cell
/// is empty or suppressed, zstd pages; streamed a row group at a time.
enum ParquetRows {
    /// Rows per row group: a group is written (and sent) as soon as it is full.
    static let rowGroupSize = 65_536

    static func columns(_ specs: [ColumnSpec]) -> [ParquetWriter.Column] {
        specs.map { ParquetWriter.Column(name: $0.name, kind: kind($0.type)) }
    }

    static func kind(_ type: ColumnType) -> ParquetWriter.Kind {
        switch type {
        case .integer: .int64
        case .number: .double
        case .timestamp: .timestampMillis
        case .text: .string
        }
    }

    /// A cell as its column's kind; a value that does not fit (text in a number column) is null
    /// rather than a wrong number.
    static func value(_ cell: CellValue, _ kind: ParquetWriter.Kind) -> ParquetWriter.Value {
        switch (kind, cell) {
        case (_, .null): .null
        case (.int64, .integer(let n)): .int(n)
        case (.int64, .number(let d)): d.rounded() == d && abs(d) < 9.2e18 ? .int(Int64(d)) : .null
        case (.double, .number(let d)): .double(d)
        case (.double, .integer(let n)): .double(Double(n))
        case (.timestampMillis, .text(let s)): ISO8601.parse(s).map { .int($0) } ?? .null
        case (.timestampMillis, .integer(let n)): .int(n)
        case (.string, .text(let s)): .string(s)
        case (.string, .integer(let n)): .string(String(n))
        case (.string, .number(let d)): .string(String(d))
        default: .null
        }
    }

    /// Every page of stored rows through the writer; bytes go to `emit` a row group at a time.
    static func encodeAll<Cursor>(_ specs: [ColumnSpec], page: (Cursor?, (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Cursor?,
                                  emit: (ByteBuffer) async throws -> Void) async throws {
        let pending = Pending()
        let columns = columns(specs)
        let writer = try ParquetWriter(columns: columns, rowGroupSize: rowGroupSize) { pending.bytes += $0 }
        var cursor: Cursor?
        repeat {
            cursor = try page(cursor) { row in
                let cells = try StoredRow.cells(row)
                try writer.append(columns.indices.map { i in i < cells.count ? value(cells[i], columns[i].kind) : .null })
            }
            if !pending.bytes.isEmpty { try await emit(ByteBuffer(bytes: pending.take())) }
        } while cursor != nil
        try writer.finish()
        try await emit(ByteBuffer(bytes: pending.take()))
    }

    /// Bytes the writer has handed over and the response has not sent yet.
    private final class Pending {
        var bytes: [UInt8] = []
        func take() -> [UInt8] { defer { bytes = [] }; return bytes }
    }
}
