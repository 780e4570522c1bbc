import Geo
import LantaarnModel
import Testing

/// Each date uses the boundaries in force then.
struct VintageTests {
    static func ms(_ date: String) -> Int64 { ISO8601.parse(date)! }

    @Test func theVintageInForceAtADate() throws {
        let catalog = BoundaryCatalog([try Fixtures.haarlem2020(), try Fixtures.haarlem2014(),
                                       try Fixtures.set("cbs_gemeente_2015_selected.geojson", level: .gemeente, vintage: 2015)])
        #expect(catalog.set(.wijk, at: Self.ms("2013-06-01"))?.vintage == 2014, "before the oldest: the oldest")
        #expect(catalog.set(.wijk, at: Self.ms("2019-12-31T23:59:59Z"))?.vintage == 2014)
        #expect(catalog.set(.wijk, at: Self.ms("2020-01-01T00:00:00Z"))?.vintage == 2020)
        #expect(catalog.set(.wijk, vintage: 2014)?.areas.count == 9)

        // Paviljoen Welgelegen: WK039204 (Haarlemmerhoutkwartier) in CBS 2014, WK039202 in the 2020 wijken.
        let p = GeoPoint(lon: 4.63389, lat: 52.37389)
        let old = catalog.assign(p, at: Self.ms("2016-05-01"))
        #expect(old.wijk?.code == "WK039204" && old.wijk?.vintage == 2014)
        #expect(old.gemeente?.code == "GM0392" && old.gemeente?.derived == false)
        #expect(old.buurt == nil, "no buurt boundaries: nothing, not a guess")
        let now = catalog.assign(p, at: Self.ms("2024-05-01"))
        #expect(now.wijk?.code == "WK039202" && now.wijk?.name == "Haarlemmerhoutkwartier" && now.wijk?.vintage == 2020)

        let timeline = catalog.placeTimeline(for: p)
        #expect(timeline.wijk(at: Self.ms("2015-01-01")) == WijkCode("WK039204"))
        #expect(timeline.wijk(at: Self.ms("2021-01-01")) == WijkCode("WK039202"))
        #expect(timeline.latest == WijkCode("WK039202"))
        // The spans a reassignment moves, cut to a period: one per place, none before or after it.
        let spans = timeline.spans(in: TimeWindow(start: Self.ms("2019-01-01"), end: Self.ms("2021-01-01")))
        #expect(spans.map(\.window) == [TimeWindow(start: Self.ms("2019-01-01"), end: Self.ms("2020-01-01")),
                                        TimeWindow(start: Self.ms("2020-01-01"), end: Self.ms("2021-01-01"))])
        #expect(spans.map(\.place.wijk) == [WijkCode("WK039204"), WijkCode("WK039202")])
        #expect(timeline.spans(in: TimeWindow(start: Self.ms("2025-01-01"), end: Int64.max)).map(\.place.wijk) == [WijkCode("WK039202")])

        // Outside every wijk: counted as unknown.
        let amsterdam = catalog.assign(GeoPoint(lon: 4.89244, lat: 52.37302), at: Self.ms("2024-05-01"))
        #expect(amsterdam.wijk?.code == nil && amsterdam.gemeente?.code == "GM0363")
    }

    /// Until boundaries are imported, the bundled Haarlem wijken 2020 stand in.
    @Test func bundledHaarlemWijken() throws {
        let set = try DefaultBoundaries.haarlemWijken()
        #expect(set.level == .wijk && set.vintage == 2020 && set.areas.count == 21)
        #expect(set.locate(lat: 52.38111, lon: 4.63722)?.name == "Oude Stad")
    }

    /// Without a gemeente layer, the gemeente comes from the wijk's code; from buurten, the wijk too.
    @Test func coarserLevelsFromCodes() throws {
        let buurt = Area(code: "BU03920105", name: "Centrum", polygons: [Polygon(outer: Fixtures.square(4.63, 52.37, 0.02))])
        let catalog = BoundaryCatalog([BoundarySet(level: .buurt, vintage: 2024, areas: [buurt])])
        let a = catalog.assign(GeoPoint(lon: 4.64, lat: 52.38), at: Self.ms("2024-06-01"))
        #expect(a.buurt?.code == "BU03920105" && a.wijk?.code == "WK039201" && a.wijk?.derived == true && a.gemeente?.code == "GM0392")
        #expect(catalog.placeTimeline(for: GeoPoint(lon: 4.64, lat: 52.38)).latest == WijkCode("WK039201"))
    }
}
