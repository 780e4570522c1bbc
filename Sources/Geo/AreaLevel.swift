/// The CBS levels Lantaarn assigns: gemeente ⊃ wijk ⊃ buurt.
public enum AreaLevel: String, Sendable, CaseIterable, Codable, Comparable {
    case gemeente, wijk, buurt

    /// Code prefix, e.g. `WK`.
    public var prefix: String {
        switch self {
        case .gemeente: "GM"
        case .wijk: "WK"
        case .buurt: "BU"
        }
    }

    /// Digits after the prefix in a full CBS code (`GM0392`, `WK039201`, `BU03920101`).
    public var digits: Int {
        switch self {
        case .gemeente: 4
        case .wijk: 6
        case .buurt: 8
        }
    }

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

    /// True when `code` is a full CBS code of this level.
    public func isCode(_ code: String) -> Bool {
        code.utf8.count == 2 + digits && code.hasPrefix(prefix) && code.utf8.dropFirst(2).allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// The gemeente code inside a wijk or buurt code (`WK039201` → `GM0392`).
    public static func gemeente(of code: String) -> String? {
        guard code.utf8.count >= 6, code.hasPrefix("WK") || code.hasPrefix("BU") || code.hasPrefix("GM") else { return nil }
        return "GM" + code.dropFirst(2).prefix(4)
    }

    /// The wijk code of a buurt code (`BU03920101` → `WK039201`).
    public static func wijk(of buurt: String) -> String? {
        guard AreaLevel.buurt.isCode(buurt) else { return nil }
        return "WK" + buurt.dropFirst(2).prefix(6)
    }

    public static func < (l: AreaLevel, r: AreaLevel) -> Bool {
        allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
    }
}
