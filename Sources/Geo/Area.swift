/// One administrative area (wijk, buurt or gemeente) with its geometry.
public struct Area: Sendable, Hashable {
    /// CBS code, e.g. `WK039201`.
    public var code: String
    /// Name, e.g. `Oude Stad`.
    public var name: String
    /// The area's polygons (a MultiPolygon has several).
    public var polygons: [Polygon]
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
}
