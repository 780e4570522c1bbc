import Foundation
import Geo
import Testing

/// The index answers exactly as the brute-force rule does, on edges, vertices, holes and
/// MultiPolygon parts too.
struct PointInPolygonTests {
    /// 200,000 random points over each set's extent (a margin around it too).
    @Test(arguments: ["h2020", "h2014", "dh2014"])
    func indexAgreesWithBruteForce(_ name: String) throws {
        let set = switch name {
        case "h2020": try Fixtures.haarlem2020()
        case "h2014": try Fixtures.haarlem2014()
        default: try Fixtures.denHelder2014()
        }
        let b = set.bounds
        var rng = SeededRandom(seed: 7)
        var unknown = 0
        for _ in 0..<200_000 {
            let p = GeoPoint(lon: Double.random(in: (b.minX - 0.01)...(b.maxX + 0.01), using: &rng),
                             lat: Double.random(in: (b.minY - 0.01)...(b.maxY + 0.01), using: &rng))
            let got = set.locate(p)?.code
            #expect(got == Fixtures.bruteForce(set, p), "\(p)")
            if got == nil { unknown += 1 }
        }
        #expect(unknown > 0, "points outside the set are counted as unknown")
    }

    /// Every vertex of every area, which lies on one or more boundaries: the lowest code
    /// among the areas whose boundary it is on (no area contains a vertex strictly inside).
    @Test func verticesGoToTheLowestCode() throws {
        let set = try Fixtures.haarlem2020()
        var owners: [GeoPoint: Set<String>] = [:]
        for area in set.areas { for polygon in area.polygons { for p in polygon.outer { owners[p, default: []].insert(area.code) } } }
        #expect(owners.values.contains { $0.count >= 3 }, "the set has vertices shared by three wijken")
        for (p, codes) in owners {
            let expected = Fixtures.bruteForce(set, p)
            #expect(set.locate(p)?.code == expected)
            if set.areas.allSatisfy({ $0.locate(p) != .inside }) { #expect(expected! <= codes.min()!) }
        }
    }

    /// Points on the middle of shared edges (axis-aligned, so exactly representable), in
    /// holes, on hole edges, and in the second part of a MultiPolygon.
    @Test func edgesHolesAndMultiPolygonParts() {
        let a = Area(code: "WK000001", name: "ring", polygons: [Polygon(outer: Fixtures.square(0, 0, 10), holes: [Fixtures.square(4, 4, 2)])])
        let b = Area(code: "WK000002", name: "island and east", polygons: [Polygon(outer: Fixtures.square(4, 4, 2)), Polygon(outer: Fixtures.square(10, 0, 10))])
        let c = Area(code: "WK000003", name: "north", polygons: [Polygon(outer: Fixtures.square(0, 10, 20))])
        let set = BoundarySet(level: .wijk, vintage: 2024, areas: [c, b, a])
        let cases: [(GeoPoint, String?)] = [
            (GeoPoint(lon: 1, lat: 1), "WK000001"),            // inside the ring
            (GeoPoint(lon: 5, lat: 5), "WK000002"),            // in the hole: the island
            (GeoPoint(lon: 4, lat: 5), "WK000001"),            // on the hole's edge: lowest code
            (GeoPoint(lon: 15, lat: 5), "WK000002"),           // second part of the MultiPolygon
            (GeoPoint(lon: 10, lat: 5), "WK000001"),           // shared edge 1|2
            (GeoPoint(lon: 15, lat: 10), "WK000002"),          // shared edge 2|3
            (GeoPoint(lon: 10, lat: 10), "WK000001"),          // vertex shared by 1, 2 and 3
            (GeoPoint(lon: 0, lat: 5), "WK000001"),            // outer edge of the set
            (GeoPoint(lon: 25, lat: 5), nil),                  // outside: unknown
            (GeoPoint(lon: -1e-12, lat: 5), nil),              // just outside
        ]
        for (p, expected) in cases {
            #expect(set.locate(p)?.code == expected, "\(p)")
            #expect(Fixtures.bruteForce(set, p) == expected, "brute force \(p)")
        }
    }

    /// A set far finer than the grid: many thin strips, so most cells are mixed.
    @Test func thinStripsStayExact() {
        let areas = (0..<300).map { (i: Int) -> Area in
            let x0 = Double(i) * 0.001, x1 = Double(i + 1) * 0.001
            let ring = [GeoPoint(lon: x0, lat: 0), GeoPoint(lon: x1, lat: 0), GeoPoint(lon: x1, lat: 1), GeoPoint(lon: x0, lat: 1), GeoPoint(lon: x0, lat: 0)]
            return Area(code: String(format: "WK%06d", i), name: "\(i)", polygons: [Polygon(outer: ring)])
        }
        let set = BoundarySet(level: .wijk, vintage: 2024, areas: areas)
        var rng = SeededRandom(seed: 3)
        for _ in 0..<50_000 {
            let p = GeoPoint(lon: Double.random(in: -0.01...0.31, using: &rng), lat: Double.random(in: -0.1...1.1, using: &rng))
            #expect(set.locate(p)?.code == Fixtures.bruteForce(set, p))
        }
        #expect(set.locate(GeoPoint(lon: 0.001, lat: 0.5))?.code == "WK000000")   // shared edge: lower code
    }
}
