import Foundation
import LantaarnModel
import NIOCore
import Parquet
import Store

/// Dataset rows as Parquet (`/datasets/NAME.parquet`, a release's `ID.parquet`): typed columns
/// (timestamps as INT64 TIMESTAMP(MILLIS, UTC), integers, doubles, strings), null where a cell
/// is empty or suppressed, zstd pages; streamed a row group at a time. A value that does not fit
/// its column (text in a number column) is null rather than a wrong number.
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

    /// Every page of stored rows through the writer; bytes go to `emit` a row group at a time.
    /// Stored rows are read element by element (``StoredRowScanner``), without building cells.
    static func encodeAll<Cursor>(_ specs: [ColumnSpec], page: (Cursor?, (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Cursor?,
                                  emit: (ByteBuffer) async throws -> Void) async throws {
        let pending = Pending()
        let columns = columns(specs)
        let kinds = columns.map(\.kind)
        let writer = try ParquetWriter(columns: columns, rowGroupSize: rowGroupSize) { pending.bytes += $0 }
        var cursor: Cursor?
        repeat {
            cursor = try page(cursor) { row in try append(row, kinds: kinds, to: writer) }
            if !pending.bytes.isEmpty { try await emit(ByteBuffer(bytes: pending.take())) }
        } while cursor != nil
        try writer.finish()
        try await emit(ByteBuffer(bytes: pending.take()))
    }

    /// One stored row into the writer's columns; missing trailing cells are null, extra ones ignored.
    static func append(_ row: UnsafeBufferPointer<UInt8>, kinds: [ParquetWriter.Kind], to writer: ParquetWriter) throws {
        var scanner = StoredRowScanner(bytes: row)
        guard scanner.next() == UInt8(ascii: "[") else { throw ExportError.malformedRow }
        var i = 0
        while let element = try scanner.element() {
            defer { i += 1 }
            guard i < kinds.count else { continue }
            switch (kinds[i], element.kind) {
            case (_, .null), (_, .literal):
                writer.appendNull(column: i)
            case (.double, .number):
                if let d = number(element.bytes) { writer.append(column: i, double: d) } else { writer.appendNull(column: i) }
            case (.int64, .number), (.timestampMillis, .number):
                if let n = integer(element.bytes) {
                    writer.append(column: i, int: n)
                } else if let d = number(element.bytes), d.rounded() == d, abs(d) < 9.2e18 {
                    writer.append(column: i, int: Int64(d))
                } else {
                    writer.appendNull(column: i)
                }
            case (.timestampMillis, .string(let escaped)):
                let inner = UnsafeBufferPointer(rebasing: element.bytes.dropFirst().dropLast())
                let ms = escaped ? text(element.bytes).flatMap(ISO8601.parse) : ISO8601.parse(bytes: inner)
                if let ms { writer.append(column: i, int: ms) } else { writer.appendNull(column: i) }
            case (.string, .string(let escaped)):
                let inner = UnsafeBufferPointer(rebasing: element.bytes.dropFirst().dropLast())
                writer.append(column: i, string: escaped ? text(element.bytes) ?? "" : String(decoding: inner, as: UTF8.self))
            case (.string, .number):
                writer.append(column: i, string: String(decoding: element.bytes, as: UTF8.self))
            case (.int64, .string), (.double, .string):
                writer.appendNull(column: i)
            }
        }
        while i < kinds.count { writer.appendNull(column: i); i += 1 }
        try writer.endRow()
    }

    /// A whole number written without fraction or exponent, exactly (beyond 2^53 too).
    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0, negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; i = 1 }
        guard i < bytes.count, bytes.count - i <= 18 else { return nil }
        var n: Int64 = 0
        while i < bytes.count {
            let digit = bytes[i] &- 48
            guard digit < 10 else { return nil }
            n = n * 10 + Int64(digit)
            i += 1
        }
        return negative ? -n : n
    }

    private static func number(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        DecimalNumber.fastParse(UnsafeRawBufferPointer(bytes)) ?? Double(String(decoding: bytes, as: UTF8.self))
    }

    /// A JSON string element (with its quotes and escapes) as text.
    private static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        (try? JSONParser.parse(UnsafeRawBufferPointer(bytes)))?.stringValue
    }

    /// Bytes the writer has handed over and the response has not sent yet.
    private final class Pending {
        var bytes: [UInt8] = []
        func take() -> [UInt8] { defer { bytes = [] }; return bytes }
    }
}
