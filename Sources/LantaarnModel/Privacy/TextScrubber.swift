import Foundation

/// Replaces personal data in free text with typed placeholders: e-mail addresses, Dutch
/// phone numbers, Dutch number plates (every sidecode), IBANs, and postcodes or street
/// names with a house number. Names are not recognised, which is why Lantaarn keeps no
/// free text at all unless the data team configures an internal, never-public text dataset.
public struct TextScrubber: Sendable {
    /// What was replaced, per placeholder.
    public struct Counts: Sendable, Equatable {
        public var byKind: [String: Int] = [:]
        public var total: Int { byKind.values.reduce(0, +) }
        public mutating func add(_ other: Counts) { for (k, v) in other.byKind { byKind[k, default: 0] += v } }
        public init() {}
    }

    /// Placeholder and pattern, applied in this order (e-mail before phone, IBAN and postcode
    /// before plate: `2011 AB` would otherwise read as sidecode 2).
    static let rules: [(kind: String, pattern: String)] = {
        let sep = "[- ]?"
        // Sidecodes 1-14: L letter, D digit groups.
        let sidecodes = ["LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D",
                         "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D"]
        let plates = sidecodes.map { code in
            code.split(separator: "-").map { group in
                group.first == "L" ? "[A-Z]{\(group.count)}" : "[0-9]{\(group.count)}"
            }.joined(separator: sep)
        }
        return [
            ("e-mail", #"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"#),
            ("iban", #"\b[A-Za-z]{2}[0-9]{2}(?:[ ]?[A-Za-z0-9]{4}){3,7}(?:[ ]?[A-Za-z0-9]{1,3})?\b"#),
            ("telefoon", #"(?:\+31|\b0031)[ \-]?(?:\(0\)[ \-]?)?(?:[0-9][ \-]?){8}[0-9]\b"#),
            ("telefoon", #"\(0[0-9]{2,3}\)[ \-]?[0-9]{3}[ \-]?[0-9]{3,4}\b"#),
            ("telefoon", #"\b0(?:[0-9][ \-]?){8}[0-9]\b"#),
            // Postcode (letters in capitals, as written; SA, SD and SS are not issued), with a house number after it.
            ("adres", #"\b[1-9][0-9]{3}[ ]?(?!SA|SD|SS)[A-Z]{2}\b(?:[ ,]+[0-9]{1,5}\b(?:[ ]?[A-Za-z]\b)?)?"#),
            // A street name (or a bare Markt, Plein, ...) followed by a house number.
            ("adres", #"\b(?:[A-Z][A-Za-z\-]*)?(?i:straat|weg|laan|plein|gracht|kade|dijk|singel|dreef|park|steeg|hof|pad|markt|baan|burgwal|dam|veld|wal|plantsoen|boulevard)[ ]+[0-9]{1,5}(?:[ ]?[A-Za-z]\b|\b)"#),
            ("kenteken", #"\b(?:"# + plates.joined(separator: "|") + #")\b"#),
        ]
    }()

    /// The placeholder kinds, one per kind of personal data recognised.
    public static let kinds: Set<String> = Set(rules.map(\.kind))

    private let compiled: [(kind: String, regex: NSRegularExpression)]

    public init() {
        compiled = Self.rules.map { ($0.kind, try! NSRegularExpression(pattern: $0.pattern)) }
    }

    /// `text` with every match replaced by `[kind]`, and what was replaced.
    public func scrub(_ text: String) -> (text: String, counts: Counts) {
        var result = text
        var counts = Counts()
        for (kind, regex) in compiled {
            let range = NSRange(result.startIndex..., in: result)
            let n = regex.numberOfMatches(in: result, range: range)
            guard n > 0 else { continue }
            counts.byKind[kind, default: 0] += n
            result = regex.stringByReplacingMatches(in: result, range: range, withTemplate: "[\(kind)]")
        }
        return (result, counts)
    }
}
