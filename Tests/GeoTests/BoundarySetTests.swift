import Foundation
import Geo
import Testing

struct BoundarySetTests {
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/boundaries").standardizedFileURL.path

    @Test func bundledHaarlemWijken() throws {
        let set = try DefaultBoundaries.haarlemWijken()
        #expect(set.areas.count == 21)   // the header claims 25; the file holds 21
        #expect(set.areas.first?.code == "WK039201")
        #expect(set.locate(lat: 52.38119, lon: 4.63746)?.code == "WK039201")   // Oude Stad
        #expect(set.locate(lat: 52.38425, lon: 4.62434)?.name == "Zijlwegkwartier")
        #expect(set.locate(lat: 52.37, lon: 4.89) == nil)   // Amsterdam: unknown, never guessed
    }

    /// Every vertex shared by two wijken lies on both boundaries; it must go to the lower code.
    @Test func sharedBoundaryGoesToLowestCode() throws {
        let set = try DefaultBoundaries.haarlemWijken()
        var owners: [GeoPoint: [String]] = [:]
        for area in set.areas {
            for p in Set(area.polygons.flatMap(\.outer)) { owners[p, default: []].append(area.code) }
        }
        let shared = owners.filter { $0.value.count > 1 }
        #expect(!shared.isEmpty)
        for (p, codes) in shared {
            #expect(set.locate(p)?.code == codes.min(), "\(p) shared by \(codes)")
        }
    }

    @Test func holesAndMultiPolygons() throws {
        let square = { (x0: Double, y0: Double, s: Double) in
            [GeoPoint(lon: x0, lat: y0), GeoPoint(lon: x0 + s, lat: y0), GeoPoint(lon: x0 + s, lat: y0 + s),
             GeoPoint(lon: x0, lat: y0 + s), GeoPoint(lon: x0, lat: y0)]
        }
        let donut = Area(code: "WK000001", name: "ring", polygons: [Polygon(outer: square(0, 0, 10), holes: [square(4, 4, 2)])])
        let inner = Area(code: "WK000002", name: "kern", polygons: [Polygon(outer: square(4, 4, 2)), Polygon(outer: square(20, 20, 1))])
        let set = BoundarySet(level: "wijk", vintage: 2024, areas: [inner, donut])
        #expect(set.locate(GeoPoint(lon: 1, lat: 1))?.code == "WK000001")
        #expect(set.locate(GeoPoint(lon: 5, lat: 5))?.code == "WK000002")
        #expect(set.locate(GeoPoint(lon: 20.5, lat: 20.5))?.code == "WK000002")
        #expect(set.locate(GeoPoint(lon: 4, lat: 5))?.code == "WK000001")   // on the hole's edge: lowest code
        #expect(set.locate(GeoPoint(lon: 15, lat: 15)) == nil)
    }

    @Test func importsCBSStatcodes() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.shared + "/cbs_wijk_2014_haarlem_GM0392.geojson"))
        let areas = try GeoJSONImporter().areas(from: data, source: "cbs_wijk_2014")
        #expect(!areas.isEmpty)
        #expect(areas.allSatisfy { $0.code.hasPrefix("WK0392") })
    }

    @Test func invalidGeometryNamesTheFeature() {
        let unclosed = #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"01"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}},{"type":"Feature","properties":{"code":"02"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}"#
        do {
            _ = try GeoJSONImporter(gemeente: "GM0392").areas(from: Data(unclosed.utf8), source: "test.geojson")
            Issue.record("an unclosed ring was accepted")
        } catch let error as GeoImportError {
            #expect(error.feature == 1)
            #expect(error.description.contains("not closed"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: GeoImportError.self) {
            try GeoJSONImporter().areas(from: Data(#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"01"},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#.utf8), source: "p")
        }
    }
}
