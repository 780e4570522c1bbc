import Foundation
import LantaarnModel

/// The extent of each area the catalogue names as a dataset's spatial coverage: its bounding
/// box and centroid (DCAT-AP `dcat:bbox`, `dcat:centroid`), as GeoSPARQL WKT literals in
/// CRS84 (longitude, latitude), from the newest boundary maps.
struct AreaExtents: Sendable {
    struct Extent: Sendable {
        var minLon: Double, minLat: Double, maxLon: Double, maxLat: Double
        /// The area-weighted centroid of the area's rings.
        var centroid: (lon: Double, lat: Double)

        /// `POLYGON((…))`, counter-clockwise from the south-west corner.
        var bboxWKT: String {
            let (w, s, e, n) = (Self.coordinate(minLon), Self.coordinate(minLat), Self.coordinate(maxLon), Self.coordinate(maxLat))
            return "POLYGON((\(w) \(s), \(e) \(s), \(e) \(n), \(w) \(n), \(w) \(s)))"
        }

        var centroidWKT: String { "POINT(\(Self.coordinate(centroid.lon)) \(Self.coordinate(centroid.lat)))" }

        /// Six decimals: about 10 cm, finer than any boundary map.
        static func coordinate(_ value: Double) -> String { String(format: "%.6f", value) }
    }

    private var byKey: [String: Extent] = [:]

    static let none = AreaExtents()

    /// The extents of the areas of `levels` (`wijk`, `buurt`, `gemeente`). A gemeente without a
    /// boundary map of its own gets the extent of its wijken.
    static func load(levels: Set<String>, maps: any BoundaryMaps) -> AreaExtents {
        var out = AreaExtents()
        for level in levels.union(["wijk"]) {
            guard let shapes = AreaShapes.load(level: level, maps: maps) else { continue }
            for shape in shapes.shapes {
                if let extent = extent(of: shape.rings) { out.byKey[key(level, shape.code)] = extent }
            }
            if level == "wijk", levels.contains("gemeente") {
                // Per municipality (the four digits after `WK`), every ring of its wijken.
                var rings: [String: [[(lon: Double, lat: Double)]]] = [:]
                for shape in shapes.shapes { rings["GM" + shape.code.dropFirst(2).prefix(4), default: []] += shape.rings }
                for (code, rings) in rings where out.byKey[key("gemeente", code)] == nil {
                    if let extent = extent(of: rings) { out.byKey[key("gemeente", code)] = extent }
                }
            }
        }
        return out
    }

    func extent(level: String, code: String) -> Extent? { byKey[Self.key(level, code)] }

    private static func key(_ level: String, _ code: String) -> String { level + "|" + code }

    /// Bounding box and centroid of rings in (lon, lat); `nil` without points.
    static func extent(of rings: [[(lon: Double, lat: Double)]]) -> Extent? {
        var (minLon, minLat, maxLon, maxLat) = (Double.infinity, Double.infinity, -Double.infinity, -Double.infinity)
        var (area, cx, cy) = (0.0, 0.0, 0.0)
        for ring in rings {
            var (a, x, y) = (0.0, 0.0, 0.0)
            for (i, p) in ring.enumerated() {
                minLon = min(minLon, p.lon); maxLon = max(maxLon, p.lon)
                minLat = min(minLat, p.lat); maxLat = max(maxLat, p.lat)
                let q = ring[(i + 1) % ring.count]
                let cross = p.lon * q.lat - q.lon * p.lat
                a += cross; x += (p.lon + q.lon) * cross; y += (p.lat + q.lat) * cross
            }
            // Rings are weighted by their size whatever their winding; holes are rare in
            // wijken and move a centroid little.
            guard a != 0 else { continue }
            let weight = abs(a) / 2
            area += weight; cx += weight * x / (3 * a); cy += weight * y / (3 * a)
        }
        guard minLon.isFinite else { return nil }
        let centroid = area > 0 ? (cx / area, cy / area) : ((minLon + maxLon) / 2, (minLat + maxLat) / 2)
        return Extent(minLon: minLon, minLat: minLat, maxLon: maxLon, maxLat: maxLat, centroid: centroid)
    }
}
