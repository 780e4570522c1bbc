import LantaarnModel

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
        guard case .array(let items) = try JSONParser.parse(text) else {
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
