import Geo
@testable import lantaarn
import LantaarnModel
import Testing

/// `/geo/{level}/{vintage}.geojson` bodies: simplified, cached, every area present.
struct GeoMapsTests {
    @Test func simplifiedMapsOfTheImportedSets() throws {
        let set = try DefaultBoundaries.haarlemWijken()
        let maps = GeoMaps(catalog: BoundaryCatalog([set]), defaultTolerance: 5)
        #expect(maps.available().map { "\($0.level) \($0.vintage)" } == ["wijk 2020"])
        let positions = { (bytes: [UInt8]) throws -> Int in
            let json = try JSONParser.parse(bytes)
            return try #require(json["features"]?.arrayValue).reduce(0) { sum, f in
                sum + (f["geometry"]?["coordinates"]?.arrayValue?.reduce(0) { $0 + ($1.arrayValue?.count ?? 0) } ?? 0)
            }
        }
        let simplified = try #require(maps.geoJSON(level: "wijk", vintage: 2020, tolerance: nil))
        let exact = try #require(maps.geoJSON(level: "wijk", vintage: 2020, tolerance: 0))
        #expect(try JSONParser.parse(simplified)["features"]?.arrayValue?.count == 21)
        #expect(try positions(exact) == set.areas.reduce(0) { $0 + $1.vertexCount })
        #expect(try positions(simplified) < positions(exact) / 2)
        #expect(maps.geoJSON(level: "wijk", vintage: 2020, tolerance: nil) == simplified, "cached and stable")
        // A requested tolerance is rounded down to a step: 7 m is served as 5 m.
        let seven = try JSONParser.parse(try #require(maps.geoJSON(level: "wijk", vintage: 2020, tolerance: 7)))
        #expect(seven["lantaarn"]?["tolerance_m"]?.numberValue == 5)
        #expect(maps.geoJSON(level: "buurt", vintage: 2020, tolerance: nil) == nil)
        #expect(maps.geoJSON(level: "wijk", vintage: 2019, tolerance: nil) == nil)
    }
}
