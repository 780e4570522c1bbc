/// Where a point lies relative to a polygon.
public enum PointLocation: Sendable, Equatable {
    case inside, boundary, outside
}

/// A polygon: one outer ring and zero or more holes, each a closed ring of points.
public struct Polygon: Sendable, Hashable {
    /// Outer ring; the first point repeats as the last.
    public var outer: [GeoPoint]
    /// Holes, each a closed ring.
    public var holes: [[GeoPoint]]
    /// Bounding box of the outer ring.
    public let bounds: BoundingBox

    /// Creates a polygon from closed rings.
    public init(outer: [GeoPoint], holes: [[GeoPoint]] = []) {
        self.outer = outer
        self.holes = holes
        self.bounds = BoundingBox(points: outer)
    }

    /// Locates `p`: a point on the outer ring or on a hole's ring is `.boundary`.
    public func locate(_ p: GeoPoint) -> PointLocation {
        guard bounds.contains(p) else { return .outside }
        switch Polygon.locate(p, inRing: outer) {
        case .outside: return .outside
        case .boundary: return .boundary
        case .inside:
            for hole in holes {
                switch Polygon.locate(p, inRing: hole) {
                case .inside: return .outside
                case .boundary: return .boundary
                case .outside: continue
                }
            }
            return .inside
        }
    }

    /// Crossing-number test with an exact on-segment check, so boundary points are
    /// reported as such instead of falling to either side by rounding.
    static func locate(_ p: GeoPoint, inRing ring: [GeoPoint]) -> PointLocation {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i], b = ring[j]
            if onSegment(p, a, b) { return .boundary }
            if (a.y > p.y) != (b.y > p.y) {
                let xCross = (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x
                if p.x < xCross { inside.toggle() }
            }
            j = i
        }
        return inside ? .inside : .outside
    }

    private static func onSegment(_ p: GeoPoint, _ a: GeoPoint, _ b: GeoPoint) -> Bool {
        let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
        guard cross == 0 else { return false }
        return p.x >= Swift.min(a.x, b.x) && p.x <= Swift.max(a.x, b.x)
            && p.y >= Swift.min(a.y, b.y) && p.y <= Swift.max(a.y, b.y)
    }
}
