/// HTML text escaping for server-rendered pages.
enum HTML {
    /// Escapes `&`, `<`, `>`, `"` and `'`.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Formats a number the Dutch way (decimal comma) with `decimals` digits.
    static func dutch(_ v: Double, decimals: Int = 1) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (v * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let frac = text[text.index(after: dot)...]
            let padded = String(frac.prefix(decimals)) + String(repeating: "0", count: max(0, decimals - frac.count))
            text = String(text[..<dot]) + (decimals > 0 ? "," + padded : "")
        }
        return text
    }
}
