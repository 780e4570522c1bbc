import LantaarnModel

/// A stored dataset row, as ``ReleaseStore/encodedRows(dataset:after:limit:_:)`` hands it out:
/// a compact JSON array of scalars (strings, numbers, null), UTF-8.
public enum StoredRow {
    /// The row's cells.
    public static func cells(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [CellValue] {
        try CellCoding.decode(bytes)
    }

    /// The stored form of `cells`.
    public static func encode(_ cells: [CellValue]) -> String {
        CellCoding.encode(cells)
    }
}

/// Stores a dataset row as a compact JSON array of scalars.
enum CellCoding {
    static func encode(_ cells: [CellValue]) -> String {
        var out = "["
        for (i, cell) in cells.enumerated() {
            if i > 0 { out.append(",") }
            switch cell {
            case .text(let s): JSONWriter.appendString(s, to: &out)
            case .integer(let n): out.append(String(n))
            case .number(let d): JSONWriter.appendNumber(d, to: &out)
            case .null: out.append("null")
            }
        }
        out.append("]")
        return out
    }

    static func decode(_ text: String) throws -> [CellValue] {
        try cells(try JSONParser.parse(text))
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [CellValue] {
        try cells(try JSONParser.parse(UnsafeRawBufferPointer(bytes)))
    }

    private static func cells(_ parsed: JSONValue) throws -> [CellValue] {
        guard case .array(let items) = parsed else {
            throw StoreError("a stored dataset row is not a JSON array; the database may be damaged")
        }
        return items.map { item in
            switch item {
            case .string(let s): return .text(s)
            case .number(let d):
                if d == d.rounded(), abs(d) < 9e15 { return .integer(Int64(d)) }
                return .number(d)
            case .bool(let b): return .integer(b ? 1 : 0)
            default: return .null
            }
        }
    }
}
