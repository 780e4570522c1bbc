import Foundation
import Geo
import LantaarnModel
import Testing

/// Simplified maps keep neighbours' shared borders shared and stay within the tolerance.
struct SimplifierTests {
    @Test(arguments: [2.0, 10.0, 40.0])
    func sharedBordersStaySharedWithinTolerance(_ tolerance: Double) throws {
        let set = try Fixtures.haarlem2020()
        let simplified = TopologySimplifier(tolerance: tolerance).simplify(set.areas)
        let before = set.areas.reduce(0) { $0 + $1.vertexCount }, after = simplified.reduce(0) { $0 + $1.vertexCount }
        print("Haarlem wijken at \(tolerance) m: \(before) -> \(after) positions")
        #expect(after < before)
        let result = BoundarySet(level: .wijk, vintage: 2020, areas: simplified)

        // Every ring is still valid, and every original position lies within the tolerance
        // of its area's simplified boundary.
        let metres = { (p: GeoPoint, a: GeoPoint, b: GeoPoint) -> Double in
            let kx = 111_320 * cos(52.38 * .pi / 180), ky = 110_574.0
            let ax = (a.x - p.x) * kx, ay = (a.y - p.y) * ky, bx = (b.x - p.x) * kx - ax, by = (b.y - p.y) * ky - ay
            let t = max(0, min(1, -(ax * bx + ay * by) / max(bx * bx + by * by, 1e-18)))
            return hypot(ax + t * bx, ay + t * by)
        }
        for (old, new) in zip(set.areas, simplified) {
            for (p0, p1) in zip(old.polygons, new.polygons) {
                for (r0, r1) in zip(p0.rings, p1.rings) {
                    #expect(r1.count >= 4 && r1.first == r1.last)
                    for p in r0 {
                        let d = (1..<r1.count).map { metres(p, r1[$0 - 1], r1[$0]) }.min()!
                        #expect(d <= tolerance * 1.01 + 0.01, "\(old.code): \(p) is \(d) m from the simplified ring")
                    }
                }
            }
        }

        // No gaps, no overlaps: a point more than the tolerance from every original border
        // keeps its wijk, and no point lies strictly inside two simplified wijken.
        var rng = SeededRandom(seed: 11)
        let b = set.bounds
        var checked = 0
        for _ in 0..<20_000 {
            let p = GeoPoint(lon: Double.random(in: b.minX...b.maxX, using: &rng), lat: Double.random(in: b.minY...b.maxY, using: &rng))
            #expect(result.areas.filter { $0.locate(p) == .inside }.count <= 1, "overlap at \(p)")
            if LandmarkTests.distanceToBorder(set, p) > tolerance * 1.01 + 0.01 {
                #expect(result.locate(p)?.code == set.locate(p)?.code, "\(p)")
                checked += 1
            }
        }
        #expect(checked > 10_000)

        // Neighbours still share their border positions: every position two wijken had in
        // common and kept is kept by both.
        var owners: [GeoPoint: Set<String>] = [:]
        for a in simplified { for polygon in a.polygons { for p in polygon.outer { owners[p, default: []].insert(a.code) } } }
        var originalOwners: [GeoPoint: Set<String>] = [:]
        for a in set.areas { for polygon in a.polygons { for p in polygon.outer { originalOwners[p, default: []].insert(a.code) } } }
        for (p, codes) in owners where originalOwners[p]!.count > 1 {
            #expect(codes == originalOwners[p]!, "\(p) was shared by \(originalOwners[p]!) and is now kept by \(codes)")
        }
    }

    @Test func geoJSONForDashboards() throws {
        let set = try Fixtures.haarlem2014()
        let text = BoundaryGeoJSON.write(TopologySimplifier(tolerance: 5).simplify(set.areas), level: .wijk, vintage: 2014, toleranceMetres: 5)
        let json = try JSONParser.parse(text)
        #expect(json["type"]?.stringValue == "FeatureCollection")
        let features = try #require(json["features"]?.arrayValue)
        #expect(features.count == 9)
        #expect(features[0]["properties"]?["code"]?.stringValue == "WK039201")
        // It imports again as it was written.
        let (again, _) = try BoundaryImporter(level: .wijk, vintage: 2014).read(Array(text.utf8), source: "served")
        #expect(again.areas.map(\.code) == set.areas.map(\.code))

        // MultiPolygons (Amsterdam) are written as such and read back with every part.
        let gemeenten = try Fixtures.set("cbs_gemeente_2015_selected.geojson", level: .gemeente, vintage: 2015)
        let written = BoundaryGeoJSON.write(gemeenten.areas, level: .gemeente, vintage: 2015, toleranceMetres: 0)
        let (read, _) = try BoundaryImporter(level: .gemeente, vintage: 2015).read(Array(written.utf8), source: "served")
        #expect(read.area(code: "GM0363")!.polygons.count == gemeenten.area(code: "GM0363")!.polygons.count)
        #expect(read.areas.map(\.vertexCount) == gemeenten.areas.map(\.vertexCount))
    }
}
