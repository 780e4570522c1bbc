/// Serialises JSON values and scalars without Foundation (used for exports and stored rows).
public enum JSONWriter {
    /// Appends `s` as a quoted, escaped JSON string.
    public static func appendString(_ s: String, to out: inout String) {
        out.append("\"")
        for u in s.unicodeScalars {
            switch u {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out.append("\"")
    }

    /// Appends a number; non-finite values become `null` because JSON cannot hold them.
    public static func appendNumber(_ d: Double, to out: inout String) {
        guard d.isFinite else { out.append("null"); return }
        if d == d.rounded(), abs(d) < 1e15 {
            out.append(String(Int64(d)))
        } else {
            out.append(String(d))
        }
    }

    /// Serialises a whole value.
    public static func string(_ v: JSONValue) -> String {
        var out = ""
        append(v, to: &out)
        return out
    }

    /// Appends a whole value.
    public static func append(_ v: JSONValue, to out: inout String) {
        switch v {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .number(let d): appendNumber(d, to: &out)
        case .string(let s): appendString(s, to: &out)
        case .array(let items):
            out.append("[")
            for (k, item) in items.enumerated() {
                if k > 0 { out.append(",") }
                append(item, to: &out)
            }
            out.append("]")
        case .object(let members):
            out.append("{")
            for (k, (key, value)) in members.enumerated() {
                if k > 0 { out.append(",") }
                appendString(key, to: &out)
                out.append(":")
                append(value, to: &out)
            }
            out.append("}")
        }
    }
}
