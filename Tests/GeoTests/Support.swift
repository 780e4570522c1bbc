import Foundation
import Geo
import LantaarnModel

/// Shared fixtures: the boundary files in ../shared/data/boundaries and small helpers.
enum Fixtures {
    static let boundaries = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/boundaries").standardizedFileURL.path

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: boundaries + "/" + name)))
    }

    static func set(_ name: String, level: AreaLevel = .wijk, vintage: Int, gemeente: String? = nil) throws -> BoundarySet {
        try BoundaryImporter(level: level, vintage: vintage, gemeente: gemeente).read(bytes(name), source: name).set
    }

    static func haarlem2020() throws -> BoundarySet { try set("haarlem_wijken.geojson", vintage: 2020, gemeente: "GM0392") }
    static func haarlem2014() throws -> BoundarySet { try set("cbs_wijk_2014_haarlem_GM0392.geojson", vintage: 2014) }
    static func denHelder2014() throws -> BoundarySet { try set("cbs_wijk_2014_denhelder_GM0400.geojson", vintage: 2014) }

    /// A closed axis-aligned square ring.
    static func square(_ x0: Double, _ y0: Double, _ s: Double) -> [GeoPoint] {
        [GeoPoint(lon: x0, lat: y0), GeoPoint(lon: x0 + s, lat: y0), GeoPoint(lon: x0 + s, lat: y0 + s),
         GeoPoint(lon: x0, lat: y0 + s), GeoPoint(lon: x0, lat: y0)]
    }

    /// Brute force, as the boundary rule states it: inside the lowest code, else on the
    /// boundary of the lowest code, else nothing. No index, plain crossing number per ring.
    static func bruteForce(_ set: BoundarySet, _ p: GeoPoint) -> String? {
        var boundary: String?
        for area in set.areas {   // sorted by code
            var inside = false, onEdge = false
            for polygon in area.polygons {
                var crossings = 0
                for ring in polygon.rings {
                    for i in 1..<ring.count {
                        let a = ring[i - 1], b = ring[i]
                        let (u, v) = a < b ? (a, b) : (b, a)
                        if p.x >= min(a.x, b.x), p.x <= max(a.x, b.x), p.y >= min(a.y, b.y), p.y <= max(a.y, b.y),
                           (v.x - u.x) * (p.y - u.y) - (v.y - u.y) * (p.x - u.x) == 0 { onEdge = true }
                        if (a.y > p.y) != (b.y > p.y), p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x { crossings += 1 }
                    }
                }
                if crossings % 2 == 1 { inside = true }
            }
            if onEdge { if boundary == nil { boundary = area.code } } else if inside { return area.code }
        }
        return boundary
    }
}

/// Seeded random numbers: random tests repeat exactly.
typealias SeededRandom = SplitMix64
