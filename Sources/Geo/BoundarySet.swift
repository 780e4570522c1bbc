/// A set of non-overlapping areas of one level and vintage, with fast point lookup.
///
/// Boundary rule: a point strictly inside an area belongs to it. A point exactly on
/// a boundary shared by several areas belongs to the area with the lowest code.
/// A point outside every area is "unknown" (`nil`); callers count those, never guess.
public struct BoundarySet: Sendable {
    /// Level of the areas, e.g. `wijk`.
    public let level: String
    /// Year the boundaries are valid for (CBS codes change yearly).
    public let vintage: Int
    /// The areas, sorted by code.
    public let areas: [Area]
    private let index: GridIndex

    /// Builds the set and its spatial index. Areas are sorted by code so the
    /// boundary rule ("lowest code wins") is a matter of scan order.
    public init(level: String, vintage: Int, areas: [Area]) {
        self.level = level
        self.vintage = vintage
        self.areas = areas.sorted { $0.code < $1.code }
        self.index = GridIndex(areas: self.areas)
    }

    /// The area containing `p`, or `nil` when it lies outside every area.
    public func locate(_ p: GeoPoint) -> Area? {
        var onBoundary: Area?
        for i in index.candidates(for: p) {
            switch areas[i].locate(p) {
            case .inside: return areas[i]
            case .boundary: if onBoundary == nil { onBoundary = areas[i] }
            case .outside: continue
            }
        }
        return onBoundary
    }

    /// Convenience for latitude/longitude callers.
    public func locate(lat: Double, lon: Double) -> Area? { locate(GeoPoint(lon: lon, lat: lat)) }

    /// The area with `code`, if present.
    public func area(code: String) -> Area? { areas.first { $0.code == code } }
}
