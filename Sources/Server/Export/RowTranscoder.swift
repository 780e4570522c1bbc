import Foundation
import LantaarnModel
import NIOCore

/// Writes stored rows (compact JSON arrays, see `StoredRow`) straight into CSV, JSON or NDJSON
/// bytes, without building cells or Strings: the export hot path. Stored strings and numbers
/// were written by `JSONWriter`, so for JSON they are copied as they are; for CSV a string
/// without escapes is copied (quoted when it holds the separator), and the rare string with
/// escapes or a leading formula character goes through `RowEncoder.csvField`.
struct RowTranscoder {
    let format: ExportFormat
    let columns: Int
    let separator: UInt8
    /// `"name":` per column, for JSON objects.
    private let keys: [[UInt8]]

    /// `nil` for GeoJSON, which needs the cells to join geometries.
    init?(format: ExportFormat, columns: [ColumnSpec], separator: Character) {
        guard format != .geojson, format != .parquet else { return nil }
        self.format = format
        self.columns = columns.count
        self.separator = separator.asciiValue ?? UInt8(ascii: ",")
        keys = columns.map { c in
            var key = ""
            JSONWriter.appendString(c.name, to: &key)
            return Array((key + ":").utf8)
        }
    }

    /// Appends one stored row; `first` tells JSON whether a comma goes before it. The row is
    /// written through one raw pointer into room reserved for its largest possible output.
    func append(_ row: UnsafeBufferPointer<UInt8>, first: Bool, to out: inout ByteBuffer) throws {
        // CSV at most doubles a field (quotes) and adds a quote pair and a formula mark per
        // field; JSON adds the keys, commas and braces.
        let bound = format == .csv ? 3 * row.count + 16 : row.count + keyBytes + columns + 16
        try out.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { raw in
            var w = Output(base: raw.baseAddress!.assumingMemoryBound(to: UInt8.self))
            try write(row, first: first, to: &w)
            precondition(w.count <= raw.count, "row output exceeded its bound")
            return w.count
        }
    }

    private var keyBytes: Int { keys.reduce(0) { $0 + $1.count } }

    private func write(_ row: UnsafeBufferPointer<UInt8>, first: Bool, to out: inout Output) throws {
        var scanner = StoredRowScanner(bytes: row)
        guard scanner.next() == UInt8(ascii: "[") else { throw ExportError.malformedRow }
        switch format {
        case .csv:
            var index = 0
            while let element = try scanner.element() {
                if index > 0 { out.put(separator) }
                appendCSV(element, to: &out)
                index += 1
            }
            out.put(13)
            out.put(10)
        case .json, .ndjson:
            if format == .json, !first { out.put(UInt8(ascii: ",")) }
            out.put(UInt8(ascii: "{"))
            var index = 0
            while let element = try scanner.element() {
                if index < columns {
                    if index > 0 { out.put(UInt8(ascii: ",")) }
                    keys[index].withUnsafeBufferPointer { out.put($0) }
                    out.put(element.bytes)
                }
                index += 1
            }
            out.put(UInt8(ascii: "}"))
            if format == .ndjson { out.put(10) }
        case .geojson, .parquet:
            throw ExportError.malformedRow
        }
    }

    private func appendCSV(_ element: StoredRowScanner.Element, to out: inout Output) {
        switch element.kind {
        case .null:
            return
        case .number:
            if separator == UInt8(ascii: ";") {
                // Dutch Excel reads a decimal comma.
                for b in element.bytes { out.put(b == UInt8(ascii: ".") ? UInt8(ascii: ",") : b) }
            } else {
                out.put(element.bytes)
            }
        case .literal:
            out.put(element.bytes.first == UInt8(ascii: "t") ? UInt8(ascii: "1") : UInt8(ascii: "0"))
        case .string(let escaped):
            let inner = UnsafeBufferPointer(rebasing: element.bytes[(element.bytes.startIndex + 1)..<(element.bytes.endIndex - 1)])
            let lead = inner.first ?? 0
            let formula = lead == UInt8(ascii: "=") || lead == UInt8(ascii: "+") || lead == UInt8(ascii: "-") || lead == UInt8(ascii: "@")
            if escaped || formula {
                let text = (try? JSONParser.parse(UnsafeRawBufferPointer(element.bytes)))?.stringValue ?? ""
                var field = RowEncoder.csvField(text, separator: Character(UnicodeScalar(separator)))
                field.withUTF8 { out.put($0) }
            } else if let base = inner.baseAddress, memchr(base, Int32(separator), inner.count) != nil {
                // Without escapes a JSON string holds no quote, CR or LF: only the separator needs quoting.
                out.put(UInt8(ascii: "\""))
                out.put(inner)
                out.put(UInt8(ascii: "\""))
            } else {
                out.put(inner)
            }
        }
    }

    /// Bytes written through a raw pointer into room the caller reserved.
    private struct Output {
        let base: UnsafeMutablePointer<UInt8>
        var count = 0

        mutating func put(_ byte: UInt8) {
            base[count] = byte
            count += 1
        }

        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
            (base + count).update(from: source, count: bytes.count)
            count += bytes.count
        }
    }
}

/// A stored row that is not the JSON array Lantaarn writes.
enum ExportError: Error, CustomStringConvertible {
    case malformedRow
    var description: String { "a stored dataset row is not a JSON array of scalars; the database may be damaged" }
}
