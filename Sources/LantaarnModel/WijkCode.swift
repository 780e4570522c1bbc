/// A CBS wijk code such as `WK039201` or Amsterdam's `WK0363AD`: "WK", the gemeente's four
/// digits and two digits or capital letters (``CBSCode``).
public struct WijkCode: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The full code, upper case.
    public let rawValue: String

    /// Accepts a full code in any case (`wk0363ad` becomes `WK0363AD`), rejecting anything else.
    public init?(_ code: String) {
        let upper = CBSCode.normalised(code)
        guard CBSCode.matches(upper, CBSCode.wijk) else { return nil }
        self.rawValue = upper
    }

    /// Builds a code from a gemeente code (`GM0392` or `0392`) and a short wijk number or code
    /// (`"1"`, `"01"`, `"AD"`).
    ///
    /// Municipal boundary exports often carry only the wijk's own part; CBS codes need the
    /// gemeente prefix to be unique nationally.
    public init?(gemeente: String, wijk: String) {
        let gm = CBSCode.normalised(gemeente)
        let digits = gm.hasPrefix("GM") ? String(gm.dropFirst(2)) : gm
        var local = CBSCode.normalised(wijk)
        if let n = Int(local), (0...99).contains(n) { local = n < 10 ? "0\(n)" : "\(n)" }
        guard digits.utf8.count == 4, local.utf8.count == 2, CBSCode.isLocalPart(local) else { return nil }
        self.init("WK\(digits)\(local)")
    }

    public var description: String { rawValue }

    public static func < (lhs: WijkCode, rhs: WijkCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
