import Foundation

/// A square of the CBS grid (vierkantstatistieken): squares of 100 m, 500 m or 1 km in RD New
/// (EPSG:28992), aligned to multiples of their size.
public struct CBSGridSquare: Sendable, Hashable {
    /// Side in metres.
    public var size: Int
    /// RD coordinates of the south-west corner, metres.
    public var x: Int
    public var y: Int

    /// The square holding `p`, or `nil` outside the RD New domain.
    public init?(_ p: GeoPoint, size: Int) {
        precondition(size > 0 && size % 100 == 0, "grid squares are whole hectometres")
        let rd = RDNew.fromWGS84(p)
        guard RDNew.validX.contains(rd.x), RDNew.validY.contains(rd.y) else { return nil }
        self.size = size
        x = Int((rd.x / Double(size)).rounded(.down)) * size
        y = Int((rd.y / Double(size)).rounded(.down)) * size
    }

    /// `E1035N4885`: E and N are the corner's RD coordinates in hectometres, as CBS writes them.
    public var code: String {
        func hm(_ m: Int) -> String {
            let s = String(m / 100)
            return String(repeating: "0", count: max(0, 4 - s.count)) + s
        }
        return "E\(hm(x))N\(hm(y))"
    }

    /// The square in plain Dutch.
    public var dutch: String { "Vierkant van \(size) m met de hoek linksonder op RD \(x), \(y)" }
}
