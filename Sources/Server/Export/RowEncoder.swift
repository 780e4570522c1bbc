import LantaarnModel
import NIOCore
import Store

/// Encodes dataset rows for one export format. Streaming writes the header,
/// then pages of rows, then the trailer; nothing is held for the whole dataset.
struct RowEncoder {
    let format: ExportFormat
    let columns: [ColumnSpec]
    let dataset: String
    let publisher: String
    /// CSV field separator: `,`, or `;` for Dutch Excel.
    var separator: Character = ","
    /// GeoJSON: the geometry (GeoJSON text) of each area code, and the column holding the code.
    var geometries = AreaGeometries.none

    func header() -> String {
        switch format {
        case .csv:
            return columns.map { Self.csvField($0.name, separator: separator) }.joined(separator: String(separator)) + "\r\n"
        case .ndjson, .parquet:
            return ""
        case .geojson:
            var out = "{\"type\":\"FeatureCollection\",\"name\":"
            JSONWriter.appendString(dataset, to: &out)
            out += ",\"publisher\":"
            JSONWriter.appendString(publisher, to: &out)
            return out + ",\"features\":["
        case .json:
            var out = "{\"dataset\":"
            JSONWriter.appendString(dataset, to: &out)
            out += ",\"publisher\":"
            JSONWriter.appendString(publisher, to: &out)
            out += ",\"columns\":["
            for (i, c) in columns.enumerated() {
                if i > 0 { out += "," }
                JSONWriter.appendString(c.name, to: &out)
            }
            return out + "],\"rows\":["
        }
    }

    /// Appends one row; `first` tells JSON whether a separator is needed. CSV, JSON and NDJSON
    /// go through ``RowTranscoder`` (as exports do, from the stored form), so both paths write
    /// the same bytes.
    func append(_ row: [CellValue], first: Bool, to out: inout String) {
        guard format != .parquet else { return }   // binary: ``ParquetRows`` writes it
        guard format == .geojson else {
            guard let transcoder = RowTranscoder(format: format, columns: columns, separator: separator) else { return }
            var bytes = ByteBuffer()
            var stored = StoredRow.encode(row)
            stored.withUTF8 { try? transcoder.append($0, first: first, to: &bytes) }
            out += String(buffer: bytes)
            return
        }
        if !first { out += "," }
        out += "{\"type\":\"Feature\",\"geometry\":"
        if let c = geometries.column, c < row.count, case .text(let code) = row[c], let geometry = geometries.byCode[code] {
            out += geometry
        } else {
            out += "null"
        }
        out += ",\"properties\":"
        appendObject(row, to: &out)
        out += "}"
    }

    /// The row as a JSON object keyed by column name.
    private func appendObject(_ row: [CellValue], to out: inout String) {
        out += "{"
        for (i, cell) in row.enumerated() where i < columns.count {
            if i > 0 { out += "," }
            JSONWriter.appendString(columns[i].name, to: &out)
            out += ":"
            switch cell {
            case .text(let s): JSONWriter.appendString(s, to: &out)
            case .integer(let n): out += String(n)
            case .number(let d): JSONWriter.appendNumber(d, to: &out)
            case .null: out += "null"
            }
        }
        out += "}"
    }

    /// JSON ends with the row count, so a client can tell the download is complete.
    func trailer(rowCount: Int) -> String {
        switch format {
        case .csv, .ndjson, .parquet: return ""
        case .json, .geojson: return "],\"row_count\":\(rowCount),\"complete\":true}\n"
        }
    }

    /// RFC 4180 quoting; also neutralises spreadsheet formulas (CSV injection).
    static func csvField(_ s: String, separator: Character = ",") -> String {
        var value = s
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.doublingQuotes() + "\""
    }
}

private extension String {
    /// `"` becomes `""`, as RFC 4180 quoting requires.
    func doublingQuotes() -> String {
        split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"")
    }
}
