import Foundation
import Geo
import LantaarnModel
import Testing

struct BoundaryImportTests {
    func importing(_ json: String, level: AreaLevel = .wijk, gemeente: String? = nil, codeField: String? = nil) throws -> (BoundarySet, ImportReport) {
        try BoundaryImporter(level: level, vintage: 2024, codeField: codeField, gemeente: gemeente).read(Array(json.utf8), source: "test.json")
    }

    func feature(_ properties: String, _ geometry: String) -> String {
        #"{"type":"Feature","properties":{\#(properties)},"geometry":\#(geometry)}"#
    }

    func collection(_ features: String...) -> String {
        #"{"type":"FeatureCollection","features":[\#(features.joined(separator: ","))]}"#
    }

    static let square = #"{"type":"Polygon","coordinates":[[[4.60,52.30],[4.61,52.30],[4.61,52.31],[4.60,52.31],[4.60,52.30]]]}"#

    /// The error's feature index and message, or a recorded failure.
    func failure(_ json: String, level: AreaLevel = .wijk, gemeente: String? = nil) -> GeoImportError? {
        do {
            _ = try importing(json, level: level, gemeente: gemeente)
            Issue.record("accepted: \(json.prefix(120))")
        } catch let e as GeoImportError {
            return e
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    @Test func haarlemLocalCodesBecomeCBSCodes() throws {
        let (set, report) = try BoundaryImporter(level: .wijk, vintage: 2020, gemeente: "GM0392")
            .read(Fixtures.bytes("haarlem_wijken.geojson"), source: "haarlem_wijken.geojson")
        #expect(set.areas.count == 21)   // the header claims 25; the file holds 21
        #expect(set.areas.map(\.code) == (1...21).map { String(format: "WK0392%02d", $0) })
        #expect(set.area(code: "WK039201")?.name == "Oude Stad")
        #expect(report.codeField == "code" && report.nameField == "name" && report.codesExpanded == 21)
        #expect(report.coordinateSystem == .wgs84 && report.vertices == 4376)
        // Without a gemeente the local numbers cannot become CBS codes.
        let e = try #require(failure(String(decoding: Fixtures.bytes("haarlem_wijken.geojson"), as: UTF8.self)))
        #expect(e.feature == 0 && e.reason.contains("--gemeente"))
    }

    @Test(arguments: ["statcode", "wijkcode", "WK_CODE", "cbsCode", "code", "wijkCode"])
    func wijkCodeFieldsAreFound(_ field: String) throws {
        let (set, report) = try importing(collection(feature(#""\#(field)":"WK039201","naam":"Oude Stad""#, Self.square)))
        #expect(report.codeField == field && set.areas.map(\.code) == ["WK039201"] && set.areas[0].name == "Oude Stad")
    }

    @Test func buurtAndGemeenteCodes() throws {
        let (buurten, _) = try importing(collection(feature(#""buurtcode":"BU03920101","buurtnaam":"Centrum""#, Self.square)), level: .buurt)
        #expect(buurten.areas[0].code == "BU03920101" && buurten.areas[0].name == "Centrum")
        let (local, _) = try importing(collection(feature(#""code":"0101""#, Self.square)), level: .buurt, gemeente: "GM0392")
        #expect(local.areas[0].code == "BU03920101")
        let (numeric, _) = try importing(collection(feature(#""code":7"#, Self.square)), gemeente: "GM0392")
        #expect(numeric.areas[0].code == "WK039207")
        let (gemeenten, _) = try BoundaryImporter(level: .gemeente, vintage: 2015)
            .read(Fixtures.bytes("cbs_gemeente_2015_selected.geojson"), source: "gemeenten")
        #expect(gemeenten.areas.map(\.code) == ["GM0344", "GM0363", "GM0392", "GM0400", "GM0772", "GM1931"])
        #expect(gemeenten.area(code: "GM0363")!.polygons.count >= 2, "Amsterdam is a MultiPolygon")
    }

    /// Amsterdam writes letters after the gemeente's digits: full codes in any case, codes
    /// without their prefix and the area's own part all become CBS codes; other shapes are refused
    /// with what the level's codes look like.
    @Test func codesWithLetters() throws {
        let (wijken, report) = try importing(collection(feature(#""gebied":"wk0363ad""#, Self.square), feature(#""gebied":"0363AE""#, Self.square),
                                                        feature(#""gebied":"af""#, Self.square)), gemeente: "gm0363", codeField: "gebied")
        #expect(wijken.areas.map(\.code) == ["WK0363AD", "WK0363AE", "WK0363AF"] && report.codesExpanded == 3)
        let (buurten, _) = try importing(collection(feature(#""code":"BU0363AD03""#, Self.square), feature(#""code":"AD04""#, Self.square)),
                                         level: .buurt, gemeente: "GM0363")
        #expect(buurten.areas.map(\.code) == ["BU0363AD03", "BU0363AD04"])
        #expect(AreaLevel.wijk(of: "BU0363AD03") == "WK0363AD" && AreaLevel.gemeente(of: "WK0363AD") == "GM0363")
        #expect(AreaLevel.of("BU0363AD03") == .buurt && AreaLevel.of("WK0363A") == nil)
        for bad in ["WK0363A", "WK036AAD", "BU0363AD03", "WK0363-D"] {
            let e = try #require(failure(collection(feature(#""code":"\#(bad)""#, Self.square)), gemeente: "GM0363"))
            #expect(e.reason.contains("is not a CBS wijk code (WK, the gemeente's 4 digits and 2 digits or capital letters"), "\(bad): \(e.reason)")
        }
        #expect(failure(collection(feature(#""code":"AD""#, Self.square)))?.reason.contains("--gemeente") == true)
    }

    /// A TopoJSON topology, quantised and delta-encoded: two wijken sharing an arc (one with a
    /// hole), and a MultiPolygon.
    static let topology = #"""
    {"type":"Topology","transform":{"scale":[0.001,0.001],"translate":[4.6,52.3]},
     "objects":{"wijken":{"type":"GeometryCollection","geometries":[
       {"type":"Polygon","arcs":[[1,0],[3]],"properties":{"WK_CODE":"WK039201","WK_NAAM":"A"}},
       {"type":"Polygon","arcs":[[2,-1]],"properties":{"WK_CODE":"WK039202","WK_NAAM":"B"}},
       {"type":"MultiPolygon","arcs":[[[4]],[[5]]],"properties":{"WK_CODE":"WK039203","WK_NAAM":"C"}}]}},
     "arcs":[[[10,0],[0,10]],
             [[10,10],[-10,0],[0,-10],[10,0]],
             [[10,0],[10,0],[0,10],[-10,0]],
             [[3,3],[0,3],[3,0],[0,-3],[-3,0]],
             [[30,0],[5,0],[0,5],[-5,0],[0,-5]],
             [[40,0],[5,0],[0,5],[-5,0],[0,-5]]]}
    """#

    @Test func topoJSONWithSharedArcsHolesAndMultiPolygons() throws {
        let (set, report) = try importing(Self.topology)
        #expect(report.format == "TopoJSON" && report.areas == 3 && report.holes == 1 && report.polygons == 4)
        let q = { (x: Double, y: Double) in GeoPoint(lon: x * 0.001 + 4.6, lat: y * 0.001 + 52.3) }
        #expect(set.locate(q(1, 1))?.code == "WK039201")
        #expect(set.locate(q(4.5, 4.5)) == nil, "in A's hole")
        #expect(set.locate(q(15, 5))?.code == "WK039202")
        #expect(set.locate(q(32, 2))?.code == "WK039203" && set.locate(q(42, 2))?.code == "WK039203")
        #expect(set.locate(GeoPoint(lon: q(10, 0).x, lat: q(10, 5).y))?.code == "WK039201", "shared arc: lower code")
        // Both wijken hold the very same positions along the shared arc.
        let a = Set(set.area(code: "WK039201")!.polygons[0].outer), b = Set(set.area(code: "WK039202")!.polygons[0].outer)
        #expect(a.intersection(b).count == 2)
        // A bad arc reference names the feature.
        let bad = Self.topology.replacingOccurrences(of: #""arcs":[[2,-1]]"#, with: #""arcs":[[2,-9]]"#)
        let e = try #require(failure(bad))
        #expect(e.feature == 1 && e.reason.contains("arc -9 does not exist"))
    }

    /// The Haarlem 2014 wijken converted to RD New by cs2cs (independent of our
    /// conversion), imported back: the same wijken within a centimetre.
    @Test func rdNewFilesAreConvertedToWGS84() async throws {
        let original = try Fixtures.haarlem2014()
        var features: [String] = []
        for area in original.areas {
            let ring = area.polygons[0].outer
            let rd = try await RDNewTests.cs2cs("EPSG:4326", "EPSG:28992", ring.map { ($0.y, $0.x) })
            let coordinates = rd.map { "[\($0.0),\($0.1)]" }.joined(separator: ",")
            features.append(feature(#""statcode":"\#(area.code)""#, #"{"type":"Polygon","coordinates":[[\#(coordinates)]]}"#))
        }
        var json = collection(features.joined(separator: ","))
        let (set, report) = try importing(json)
        #expect(report.coordinateSystem == .rdNew)
        for (a, b) in zip(original.areas, set.areas) {
            #expect(a.code == b.code)
            for (p, q) in zip(a.polygons[0].outer, b.polygons[0].outer) {
                #expect(abs(p.x - q.x) < 1.5e-7 && abs(p.y - q.y) < 1e-7, "\(a.code): \(p) vs \(q)")
            }
        }
        // A crs member that contradicts the numbers is an error.
        json = json.replacingOccurrences(of: #"{"type":"FeatureCollection","#,
                                         with: #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"#)
        #expect(failure(json)?.reason.contains("neither WGS84") == true)
    }

    @Test func invalidGeometriesNameTheFeature() throws {
        let ok = feature(#""code":"01""#, Self.square)
        let cases: [(String, Int?, String)] = [
            (collection(ok, feature(#""code":"02""#, #"{"type":"Polygon","coordinates":[[[4.6,52.3],[4.61,52.3],[4.61,52.31],[4.6,52.31]]]}"#)), 1, "not closed"),
            (collection(ok, ok, feature(#""code":"03""#, #"{"type":"Polygon","coordinates":[[[4.6,52.3],[4.61,52.31],[4.61,52.3],[4.6,52.31],[4.6,52.3]]]}"#)), 2, "crosses itself"),
            (collection(feature(#""code":"01""#, "null")), 0, "no geometry"),
            (collection(ok, feature(#""code":"02""#, #"{"type":"Polygon","coordinates":[]}"#)), 1, "no rings"),
            (collection(feature(#""code":"01""#, #"{"type":"Polygon","coordinates":[[[4.6,52.3],[4.61,52.3],[4.6,52.3]]]}"#)), 0, "at least 4"),
            (collection(feature(#""code":"01""#, #"{"type":"Polygon","coordinates":[[[4.6,52.3],[4.61,52.3],[4.62,52.3],[4.6,52.3]]]}"#)), 0, "no area"),
            (collection(ok, feature(#""code":"02""#, #"{"type":"Point","coordinates":[4.6,52.3]}"#)), 1, "Polygon or MultiPolygon"),
            (collection(ok, feature(#""naam":"x""#, Self.square)), 1, "no 'code' property"),
            (collection(feature(#""code":"01""#, #"{"type":"Polygon","coordinates":[[[52.30,4.60],[52.30,4.61],[52.31,4.61],[52.30,4.60]]]}"#)), nil, "[latitude, longitude]"),
            (collection(feature(#""code":"01""#, #"{"type":"Polygon","coordinates":[[[4.6,52.3],[4.61,"x"],[4.61,52.31],[4.6,52.3]]]}"#)), 0, "position 1"),
            ("{not json", nil, "not valid JSON"),
            (collection(), nil, "no features"),
        ]
        for (json, index, text) in cases {
            guard let e = failure(json, gemeente: "GM0392") else { continue }
            #expect(e.feature == index, "\(e)")
            #expect(e.description.contains(text), "\(e)")
        }
    }

    /// Features sharing a code become one area; the report says so.
    @Test func featuresWithTheSameCodeAreJoined() throws {
        let other = #"{"type":"Polygon","coordinates":[[[4.62,52.30],[4.63,52.30],[4.63,52.31],[4.62,52.31],[4.62,52.30]]]}"#
        let (set, report) = try importing(collection(feature(#""statcode":"WK039201""#, Self.square), feature(#""statcode":"WK039201""#, other)))
        #expect(set.areas.count == 1 && set.areas[0].polygons.count == 2 && report.merged == ["WK039201"])
        #expect(report.description.contains("joined"))
    }

    /// Stored geometry decodes to exactly what was encoded.
    @Test func geometryCodingRoundTrips() throws {
        for area in try Fixtures.haarlem2020().areas {
            #expect(GeometryCoding.decode(GeometryCoding.encode(area.polygons)) == area.polygons)
        }
        #expect(GeometryCoding.decode([1, 0, 0]) == nil)
    }
}
