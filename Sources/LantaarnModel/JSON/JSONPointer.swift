/// A JSON Pointer (RFC 6901): `/climate/temperature`, `/readings/0/value`; `~1` stands for
/// `/` and `~0` for `~` inside a key. The empty pointer is the whole document.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    /// The reference tokens, unescaped.
    public let tokens: [String]

    /// Parses `text`; `nil` when it is neither empty nor starts with `/`, or has a `~` not
    /// followed by `0` or `1`.
    public init?(_ text: String) {
        if text.isEmpty { tokens = []; return }
        guard text.hasPrefix("/") else { return nil }
        var out: [String] = []
        for raw in text.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = ""
            var tilde = false
            for c in raw {
                if tilde {
                    guard c == "0" || c == "1" else { return nil }
                    token.append(c == "0" ? "~" : "/")
                    tilde = false
                } else if c == "~" {
                    tilde = true
                } else {
                    token.append(c)
                }
            }
            if tilde { return nil }
            out.append(token)
        }
        tokens = out
    }

    public init(tokens: [String]) { self.tokens = tokens }

    /// The pointer as text, keys escaped.
    public var description: String {
        var out = ""
        for token in tokens {
            out += "/"
            out += Self.escape(token)
        }
        return out
    }

    /// The name a decoded value at this pointer goes by (what a quantity's `field:` names): a
    /// top-level key as itself, anything deeper as the pointer.
    public var valueName: String { tokens.count == 1 ? tokens[0] : description }

    /// Quantities' fields (a key, or a JSON Pointer when nested), each once in the order given,
    /// with the name their values go by (``valueName``) and where they are. A text that is not a
    /// pointer is left out (sensor files refuse those).
    public static func fields(_ fields: [String]) -> [(name: String, pointer: JSONPointer)] {
        var seen = Set<String>()
        return fields.compactMap { field in
            guard seen.insert(field).inserted else { return nil }
            guard field.hasPrefix("/") else { return (field, JSONPointer(tokens: [field])) }
            return JSONPointer(field).map { ($0.valueName, $0) }
        }
    }

    /// One key as a reference token: `~` as `~0`, `/` as `~1`.
    public static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// The value it points at in `root`, if any (an array index is a decimal without sign or leading zero).
    public func resolve(in root: JSONValue) -> JSONValue? {
        var node = root
        for token in tokens {
            switch node {
            case .object(let members):
                guard let next = members.first(where: { $0.0 == token })?.1 else { return nil }
                node = next
            case .array(let items):
                // RFC 6901: "0" or digits without a leading zero ("01" and "+1" name nothing).
                guard let i = Int(token), i >= 0, i < items.count, String(i) == token else { return nil }
                node = items[i]
            default:
                return nil
            }
        }
        return node
    }
}
