extension DecodingError {
    /// The dotted path of the failing node, e.g. `sensors[2].quantities.pm25.max`,
    /// so YAML errors point at what to fix.
    public var yamlPath: String {
        let path: [any CodingKey]
        switch self {
        case .keyNotFound(let key, let ctx): path = ctx.codingPath + [key]
        case .typeMismatch(_, let ctx), .valueNotFound(_, let ctx), .dataCorrupted(let ctx): path = ctx.codingPath
        @unknown default: path = []
        }
        var out = ""
        for key in path {
            if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return out
    }

    /// What is wrong, without the decoder's internal type names.
    public var plainReason: String {
        switch self {
        case .keyNotFound(let key, _): return "missing required field '\(key.stringValue)'"
        case .typeMismatch(let type, _): return "wrong type, expected \(type)"
        case .valueNotFound(let type, _): return "missing value, expected \(type)"
        case .dataCorrupted(let ctx): return ctx.debugDescription
        @unknown default: return "invalid value"
        }
    }
}
