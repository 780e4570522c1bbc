import Foundation
import Geo
import LantaarnModel
@testable import Pipelines
import Store
import Testing

/// Readings generalised to a buurt or a CBS grid square by their sensor's mounting point.
struct GeneraliseAreaTests {
    /// The air-quality pipeline with its `generalise` stage replaced, in a scratch folder that
    /// has the purpose register next to it.
    static func pipeline(_ generalise: String) throws -> PipelineDefinition {
        let dir = try scratchDirectory("generalise")
        try FileManager.default.copyItem(atPath: repoRoot + "/Pipelines/mappings", toPath: dir + "/mappings")
        let text = try String(contentsOfFile: repoRoot + "/Pipelines/luchtkwaliteit-per-wijk-uur.yaml", encoding: .utf8)
            .replacingOccurrences(of: "      space: wijk\n", with: generalise)
        try text.write(toFile: dir + "/p.yaml", atomically: true, encoding: .utf8)
        return try PipelineDefinition.load(path: dir + "/p.yaml")
    }

    static let hour = ISO8601.parse("2026-11-20T10:00:00Z")!
    // a and b 60 m apart near the Grote Markt, c 3 km east, d has no registered position.
    static let positions = ["a": GeoPoint(lon: 4.6360, lat: 52.3812), "b": GeoPoint(lon: 4.6366, lat: 52.3816),
                            "c": GeoPoint(lon: 4.6800, lat: 52.3812)]

    /// Two buurten: Centrum-Noord around a and b, Oost around c.
    static let buurten: BoundarySet = {
        func square(_ code: String, _ name: String, _ lon: ClosedRange<Double>) -> Area {
            Area(code: code, name: name, polygons: [Polygon(outer: [GeoPoint(lon: lon.lowerBound, lat: 52.37), GeoPoint(lon: lon.upperBound, lat: 52.37),
                                                                     GeoPoint(lon: lon.upperBound, lat: 52.39), GeoPoint(lon: lon.lowerBound, lat: 52.39),
                                                                     GeoPoint(lon: lon.lowerBound, lat: 52.37)])])
        }
        return BoundarySet(level: .buurt, vintage: 2020, areas: [square("BU03920001", "Centrum-Noord", 4.63...4.65),
                                                                square("BU03920002", "Oost", 4.67...4.69)])
    }()

    static func store(_ name: String) throws -> SQLiteStore {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory(name))
        var readings: [Reading] = []
        for (k, sensor) in ["a", "b", "c", "d"].enumerated() {
            for m in 0..<60 {
                readings.append(Reading(series: SeriesKey(sensorID: sensor, quantity: "pm25"), timestamp: hour + Int64(m) * 60_000,
                                        value: Double(k * 10 + m % 3), wijk: WijkCode("WK039201")))
            }
        }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        return store
    }

    @Test func gridSquaresOf500Metres() throws {
        let p = try Self.pipeline("      space: grid\n      cell: 500m\n")
        let store = try Self.store("grid")
        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), positions: Self.positions, logger: .init(label: "t"))
        let result = try runner.run(p, over: TimeWindow(start: Self.hour, end: Self.hour + TimeBucket.hour))
        #expect(result.map { $0.withoutWijk } == [60], "sensor d has no position, so no square")
        let rows = try store.releases.rows(dataset: p.output.dataset, after: nil, limit: 10).rows
        let squares = [CBSGridSquare(Self.positions["a"]!, size: 500)!, CBSGridSquare(Self.positions["c"]!, size: 500)!]
        #expect(CBSGridSquare(Self.positions["b"]!, size: 500) == squares[0], "a and b share a square")
        #expect(rows.map { $0[0] } == squares.map { .text($0.code) }.sorted { "\($0)" < "\($1)" })
        let shared = try #require(rows.first { $0[0] == .text(squares[0].code) })
        #expect(shared[1] == .text(squares[0].dutch) && shared[5] == .integer(120) && shared[6] == .integer(6), "\(shared)")
        #expect(p.columns.map(\.name).prefix(2) == ["vierkant_code", "vierkant_naam"])
        let lineage = try JSONParser.parse(try #require(try store.releases.releases(dataset: p.output.dataset).first?.lineage))
        #expect(lineage["boundaries"]?.stringValue == "CBS-vierkanten van 500 m (RD New)")
    }

    @Test func buurtenFromImportedBoundaries() throws {
        let p = try Self.pipeline("      space: buurt\n")
        let store = try Self.store("buurt")
        let buurten = Self.buurten
        // Without buurt boundaries the run says what to import.
        let bare = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), positions: Self.positions, logger: .init(label: "t"))
        do {
            _ = try bare.run(p, over: TimeWindow(start: Self.hour, end: Self.hour + TimeBucket.hour))
            Issue.record("ran without buurt boundaries")
        } catch let e as PipelineError { #expect(e.reason.contains("lantaarn geo import FILE --level buurt")) }

        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: BoundaryCatalog([try DefaultBoundaries.haarlemWijken(), buurten]),
                                    positions: Self.positions, logger: .init(label: "t"))
        _ = try runner.run(p, over: TimeWindow(start: Self.hour, end: Self.hour + TimeBucket.hour))
        let rows = try store.releases.rows(dataset: p.output.dataset, after: nil, limit: 10).rows
        #expect(rows.map { [$0[0], $0[1], $0[5]] } == [[.text("BU03920001"), .text("Centrum-Noord"), .integer(120)],
                                                        [.text("BU03920002"), .text("Oost"), .integer(60)]])
    }

    /// A sensor that moved from Oost to Centrum-Noord halfway through the hour: its readings keep
    /// the buurt of where it hung (stored at ingest), not its current position's.
    @Test func aMovedSensorsReadingsKeepTheirBuurt() throws {
        let p = try Self.pipeline("      space: buurt\n")
        let buurten = Self.buurten
        let catalog = BoundaryCatalog([try DefaultBoundaries.haarlemWijken(), buurten])
        let a = Self.positions["a"]!, c = Self.positions["c"]!   // x: longitude, y: latitude
        var sensor = Sensor(id: "m", lamppost: "L", latitude: a.y, longitude: a.x, topic: "t/m", kind: "lucht",
                            quantities: ["pm25": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.1)])
        sensor.since = Self.hour + 30 * 60_000
        sensor.earlier = [SensorPosition(since: ISO8601.parse("2024-01-01T00:00:00Z")!, latitude: c.y, longitude: c.x)]
        // Placed as the registry places them at ingest (ReadingValidator): by the sensor's positions.
        let timeline = catalog.placeTimeline(for: sensor.positions)
        let readings = (0..<60).map { (m: Int) -> Reading in
            let t = Self.hour + Int64(m) * 60_000
            let place = timeline.place(at: t)
            return Reading(series: SeriesKey(sensorID: "m", quantity: "pm25"), timestamp: t, value: Double(m % 5), wijk: place.wijk, buurt: place.buurt)
        }
        #expect(readings.prefix(30).allSatisfy { $0.buurt == "BU03920002" } && readings.suffix(30).allSatisfy { $0.buurt == "BU03920001" })
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("buurt-moved"))
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        var scanned: [String: Int] = [:]
        try store.readings.scan(quantities: ["pm25"], window: TimeWindow(start: Self.hour, end: Self.hour + TimeBucket.hour)) { scanned[$0.buurt ?? "-", default: 0] += 1 }
        #expect(scanned == ["BU03920001": 30, "BU03920002": 30])
        // The runner knows only where the sensor hangs now.
        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: catalog, positions: ["m": a], logger: .init(label: "t"))
        _ = try runner.run(p, over: TimeWindow(start: Self.hour, end: Self.hour + TimeBucket.hour))
        let rows = try store.releases.rows(dataset: p.output.dataset, after: nil, limit: 10).rows
        let got = rows.map { [$0[0], $0[1], $0[5]] }
        let want: [[CellValue]] = [[.text("BU03920001"), .text("Centrum-Noord"), .integer(30)], [.text("BU03920002"), .text("Oost"), .integer(30)]]
        #expect(got == want, "\(rows)")
    }
}

