import LantaarnModel

/// The CBS levels Lantaarn assigns: gemeente ⊃ wijk ⊃ buurt.
public enum AreaLevel: String, Sendable, CaseIterable, Codable, Comparable {
    case gemeente, wijk, buurt

    /// The level's codes (``CBSCode``): prefix, characters after the gemeente's four digits, shape.
    public var codes: CBSCode.Level {
        switch self {
        case .gemeente: CBSCode.gemeente
        case .wijk: CBSCode.wijk
        case .buurt: CBSCode.buurt
        }
    }

    /// Code prefix, e.g. `WK`.
    public var prefix: String { codes.prefix }

    /// Characters after the gemeente's four digits in a full CBS code (`GM0392`, `WK0363AD`,
    /// `BU0363AD03`): digits or capital letters.
    public var localLength: Int { codes.local }

    /// Property names tried, in order, for the area code.
    public var codeFields: [String] {
        switch self {
        case .gemeente: ["statcode", "gemeentecode", "GM_CODE", "gemeenteCode", "cbsCode", "code"]
        case .wijk: ["statcode", "wijkcode", "WK_CODE", "wijkCode", "cbsCode", "code"]
        case .buurt: ["statcode", "buurtcode", "BU_CODE", "buurtCode", "cbsCode", "code"]
        }
    }

    /// Property names tried, in order, for the area name.
    public var nameFields: [String] {
        switch self {
        case .gemeente: ["statnaam", "gemeentenaam", "GM_NAAM", "gemeenteNaam", "naam", "name"]
        case .wijk: ["statnaam", "wijknaam", "WK_NAAM", "wijkNaam", "naam", "name"]
        case .buurt: ["statnaam", "buurtnaam", "BU_NAAM", "buurtNaam", "naam", "name"]
        }
    }

    /// True when `code` is a full CBS code of this level (upper case, as stored).
    public func isCode(_ code: String) -> Bool {
        CBSCode.matches(code, codes)
    }

    /// The level of a full CBS code.
    public static func of(_ code: String) -> AreaLevel? {
        allCases.first { $0.isCode(code) }
    }

    /// What a code of this level looks like, for error messages.
    public var codeShape: String { codes.shape }

    /// The gemeente code inside a code of any level (`WK039201` → `GM0392`).
    public static func gemeente(of code: String) -> String? {
        guard of(code) != nil else { return nil }
        return "GM" + code.dropFirst(2).prefix(4)
    }

    /// The wijk code of a buurt code (`BU03920101` → `WK039201`, `BU0363AD03` → `WK0363AD`).
    public static func wijk(of buurt: String) -> String? {
        guard AreaLevel.buurt.isCode(buurt) else { return nil }
        return "WK" + buurt.dropFirst(2).prefix(6)
    }

    public static func < (l: AreaLevel, r: AreaLevel) -> Bool {
        allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
    }
}
