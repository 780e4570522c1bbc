/// One administrative area (gemeente, wijk or buurt) with its geometry.
public struct Area: Sendable, Hashable {
    /// CBS code, e.g. `WK039201`.
    public let code: String
    /// Name, e.g. `Oude Stad`.
    public let name: String
    /// The area's polygons (a MultiPolygon has several).
    public let polygons: [Polygon]
    /// Bounding box over all polygons.
    public let bounds: BoundingBox

    /// Creates an area.
    public init(code: String, name: String, polygons: [Polygon]) {
        self.code = code
        self.name = name
        self.polygons = polygons
        var b = BoundingBox(points: [])
        for p in polygons { b.include(p.bounds) }
        self.bounds = b
    }

    /// Where `p` lies relative to this area: inside any polygon wins over boundary.
    public func locate(_ p: GeoPoint) -> PointLocation {
        guard bounds.contains(p) else { return .outside }
        var result = PointLocation.outside
        for polygon in polygons {
            switch polygon.locate(p) {
            case .inside: return .inside
            case .boundary: result = .boundary
            case .outside: break
            }
        }
        return result
    }

    /// Number of positions over all rings.
    public var vertexCount: Int { polygons.reduce(0) { $0 + $1.rings.reduce(0) { $0 + $1.count } } }
}
