/// A CBS wijk code such as `WK039201`: "WK", four digits of the gemeente, two of the wijk.
public struct WijkCode: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The full code, always in the canonical `WKggggww` form.
    public let rawValue: String

    /// Accepts a canonical code (`WK039201`), rejecting anything else.
    public init?(_ code: String) {
        guard code.utf8.count == 8, code.hasPrefix("WK"),
              code.utf8.dropFirst(2).allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        self.rawValue = code
    }

    /// Builds a code from a gemeente code (`GM0392` or `0392`) and a short wijk number (`"1"`, `"01"`).
    ///
    /// Municipal boundary exports often carry only the two-digit wijk number; CBS codes
    /// need the gemeente prefix to be unique nationally.
    public init?(gemeente: String, wijk: String) {
        let gm = gemeente.hasPrefix("GM") ? String(gemeente.dropFirst(2)) : gemeente
        guard gm.utf8.count == 4, let n = Int(wijk), (0...99).contains(n) else { return nil }
        let two = n < 10 ? "0\(n)" : "\(n)"
        self.init("WK\(gm)\(two)")
    }

    public var description: String { rawValue }

    public static func < (lhs: WijkCode, rhs: WijkCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
