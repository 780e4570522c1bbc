/// A WGS84 position. `x` is longitude, `y` latitude, as in GeoJSON.
public struct GeoPoint: Sendable, Hashable {
    /// Longitude in degrees.
    public var x: Double
    /// Latitude in degrees.
    public var y: Double

    /// Creates a point from longitude and latitude.
    public init(lon: Double, lat: Double) {
        x = lon
        y = lat
    }
}

extension GeoPoint: Comparable {
    /// Lexicographic: longitude, then latitude (canonical edge and arc order).
    public static func < (l: GeoPoint, r: GeoPoint) -> Bool { l.x < r.x || (l.x == r.x && l.y < r.y) }
}

/// An axis-aligned bounding box.
public struct BoundingBox: Sendable, Hashable {
    public var minX: Double, minY: Double, maxX: Double, maxY: Double

    /// The box around `points`; empty input yields an inverted (empty) box.
    public init(points: some Sequence<GeoPoint>) {
        minX = .infinity; minY = .infinity; maxX = -.infinity; maxY = -.infinity
        for p in points { include(p) }
    }

    mutating func include(_ p: GeoPoint) {
        minX = Swift.min(minX, p.x); maxX = Swift.max(maxX, p.x)
        minY = Swift.min(minY, p.y); maxY = Swift.max(maxY, p.y)
    }

    mutating func include(_ b: BoundingBox) {
        minX = Swift.min(minX, b.minX); maxX = Swift.max(maxX, b.maxX)
        minY = Swift.min(minY, b.minY); maxY = Swift.max(maxY, b.maxY)
    }

    /// True when `p` lies inside or on the edge of the box.
    public func contains(_ p: GeoPoint) -> Bool {
        p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY
    }
}
