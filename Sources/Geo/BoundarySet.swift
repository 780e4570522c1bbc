/// A set of areas of one level and vintage, with fast exact point lookup.
///
/// Boundary rule (deterministic, documented in docs/geo.md):
/// 1. a point inside an area (not on its boundary) belongs to that area; if areas
///    overlap, the one with the lowest code wins;
/// 2. a point on the boundary of one or more areas, and inside none, belongs to the
///    area with the lowest code among them (a shared edge or vertex goes to the lower code;
///    a point on the outer edge of the set belongs to the area it bounds);
/// 3. a point outside every area is "unknown" (`nil`): callers count it, never guess.
/// "On the boundary" is decided exactly in floating point, with the edge's endpoints in
/// canonical order, so neighbours sharing an edge always agree.
public struct BoundarySet: Sendable {
    /// Level of the areas.
    public let level: AreaLevel
    /// Year the boundaries are valid for (CBS codes change yearly).
    public let vintage: Int
    /// The areas, sorted by code.
    public let areas: [Area]
    private let index: GridIndex
    private let byCode: [String: Int]

    /// Builds the set and its spatial index. Areas are sorted by code so the boundary
    /// rule ("lowest code wins") is a matter of scan order.
    public init(level: AreaLevel, vintage: Int, areas: [Area]) {
        self.level = level
        self.vintage = vintage
        self.areas = areas.sorted { $0.code < $1.code }
        self.index = GridIndex(areas: self.areas)
        self.byCode = Dictionary(self.areas.enumerated().map { ($1.code, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The area containing `p`, or `nil` when it lies outside every area.
    @inline(__always)
    public func locate(_ p: GeoPoint) -> Area? {
        index.locate(p).map { areas[$0] }
    }

    /// Position in ``areas`` of the area containing `p`: the hot-path form of ``locate(_:)``,
    /// without copying the area.
    @inline(__always)
    public func locateIndex(_ p: GeoPoint) -> Int? {
        index.locate(p)
    }

    /// Convenience for latitude/longitude callers.
    public func locate(lat: Double, lon: Double) -> Area? { locate(GeoPoint(lon: lon, lat: lat)) }

    /// The area with `code`, if present.
    public func area(code: String) -> Area? { byCode[code].map { areas[$0] } }

    /// Bounding box of all areas.
    public var bounds: BoundingBox {
        var b = BoundingBox(points: [])
        for a in areas { b.include(a.bounds) }
        return b
    }
}
