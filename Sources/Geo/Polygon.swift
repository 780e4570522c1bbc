/// Where a point lies relative to a polygon.
public enum PointLocation: Sendable, Equatable {
    case inside, boundary, outside
}

/// A polygon: one outer ring and zero or more holes, each a closed ring of points.
public struct Polygon: Sendable, Hashable {
    /// Outer ring; the first point repeats as the last.
    public let outer: [GeoPoint]
    /// Holes, each a closed ring.
    public let holes: [[GeoPoint]]
    /// Bounding box of the outer ring.
    public let bounds: BoundingBox
    /// Every ring's edges, bucketed by latitude band for the crossing test.
    private let edges: EdgeBands

    /// Creates a polygon from closed rings.
    public init(outer: [GeoPoint], holes: [[GeoPoint]] = []) {
        self.outer = outer
        self.holes = holes
        self.bounds = BoundingBox(points: outer)
        self.edges = EdgeBands(groups: [([outer] + holes, bounds)])
    }

    public static func == (l: Polygon, r: Polygon) -> Bool { l.outer == r.outer && l.holes == r.holes }
    public func hash(into h: inout Hasher) { h.combine(outer); h.combine(holes) }

    /// All rings, outer first.
    public var rings: [[GeoPoint]] { [outer] + holes }

    /// Locates `p`: a point on the outer ring or on a hole's ring is `.boundary`.
    ///
    /// One crossing-number pass over the edges of all rings (even-odd rule, so a point in
    /// a hole is outside), with an exact on-segment test so boundary points are reported as
    /// such instead of falling to either side by rounding.
    public func locate(_ p: GeoPoint) -> PointLocation {
        guard bounds.contains(p) else { return .outside }
        return edges.locate(p)
    }

    /// True when `p` lies on segment `a`-`b`. The endpoints are put in a canonical order
    /// first, so two neighbours sharing the edge (each walking it in its own direction)
    /// compute bit-identical products and agree on which points lie on it.
    @inline(__always)
    static func onSegment(_ p: GeoPoint, _ a: GeoPoint, _ b: GeoPoint) -> Bool {
        guard p.x >= Swift.min(a.x, b.x), p.x <= Swift.max(a.x, b.x),
              p.y >= Swift.min(a.y, b.y), p.y <= Swift.max(a.y, b.y) else { return false }
        let (u, v) = (a.x < b.x || (a.x == b.x && a.y < b.y)) ? (a, b) : (b, a)
        return (v.x - u.x) * (p.y - u.y) - (v.y - u.y) * (p.x - u.x) == 0
    }
}
