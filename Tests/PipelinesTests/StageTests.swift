import Foundation
import LantaarnModel
@testable import Pipelines
import Store
import Testing

/// The row-level stages and the readings path of suppress, each on its own.
struct StageTests {
    @Test func filterNarrowsTheStoreQueryAndRows() {
        let f = FilterStage(sensors: ["a", "b"], wijken: ["WK039201"])
        var q = AggregateQuery(quantities: ["pm25"], sensors: ["b", "c"], window: TimeWindow(start: 0, end: 1), bucket: TimeBucket.hour)
        f.narrow(&q)
        #expect(q.sensors == ["b"] && q.wijken == [WijkCode("WK039201")!])
        var m = Melding(source: "t", sourceID: "1", category: "x", createdAt: 0)
        m.wijk = "WK039201"
        m.hoofdcategorie = "Afval"
        #expect(FilterStage(wijken: ["WK039201"]).keeps(m) && !FilterStage(wijken: ["WK039202"]).keeps(m))
        #expect(FilterStage(hoofdcategorieen: ["Afval"]).keeps(m) && !FilterStage(hoofdcategorieen: ["Groen"]).keeps(m))
        m.hoofdcategorie = nil
        #expect(FilterStage(hoofdcategorieen: ["onbekend"]).keeps(m), "unmapped meldingen count as 'onbekend'")
        #expect(FilterStage(cameras: ["veerhaven"]).keeps(camera: "veerhaven") && !FilterStage(cameras: ["veerhaven"]).keeps(camera: "n250"))
    }

    @Test func filterRefusesFieldsTheInputDoesNotHave() throws {
        #expect(throws: PipelineError.self) { try FilterStage(.init(hoofdcategorie: ["Afval"]), input: .readings(["pm25"]), file: "f", path: "s") }
        #expect(throws: PipelineError.self) { try FilterStage(.init(sensors: []), input: .readings(["pm25"]), file: "f", path: "s") }
        #expect(throws: PipelineError.self) { try FilterStage(.init(wijken: ["Oude Stad"]), input: .meldingen, file: "f", path: "s") }
        #expect(throws: PipelineError.self) { try FilterStage(.init(), input: .anpr, file: "f", path: "s") }
        #expect(try FilterStage(.init(cameras: ["x"]), input: .anpr, file: "f", path: "s").cameras == ["x"])
    }

    @Test func generaliseSetsAreaAndBucket() throws {
        let g = try GeneraliseStage(.init(space: "gemeente", time: "15m"), window: TimeBucket.hour, file: "f", path: "s")
        #expect(g.space.grouping == .none && g.time == 15 * 60_000)
        do {
            _ = try GeneraliseStage(.init(space: "buurt", time: "1h"), window: TimeBucket.hour, file: "f", path: "s")
            Issue.record("buurt accepted for readings")
        } catch let e as PipelineError { #expect(e.path == "s.space" && e.reason.contains("use wijk or gemeente")) }
        #expect(throws: PipelineError.self) { try GeneraliseStage(.init(space: "wijk", time: "7m"), window: TimeBucket.hour, file: "f", path: "s") }
    }

    /// A per-gemeente aggregate labels every row with the gemeente code.
    @Test func gemeenteAggregateRows() {
        let stage = AggregateStage(bucket: TimeBucket.hour, space: .gemeente, functions: [.count, .quantile(90)])
        let row = AggregateRow(bucketStart: 0, group: nil, quantity: "pm25", count: 12, sum: 1, min: 0, max: 1, energeticMean: nil, quantiles: [7.5])
        #expect(stage.query(quantities: ["pm25"], window: TimeWindow(start: 0, end: 1)).quantiles == [0.9])
        let rows = stage.rows([row], gemeente: "GM0392") { $0 == "GM0392" ? "Haarlem" : $0 }
        #expect(rows == [[.text("GM0392"), .text("Haarlem"), .text("1970-01-01T00:00:00Z"), .text("1970-01-01T01:00:00Z"), .text("pm25"),
                          .integer(12), .number(7.5)]])
        #expect(stage.columns(suppressed: false).map(\.name).prefix(2) == ["gemeente_code", "gemeente_naam"])
        #expect(AggregateStage.Function(name: "p90") == .quantile(90) && AggregateStage.Function(name: "p100") == nil
                && AggregateStage.Function(name: "p050") == nil && AggregateStage.Function(name: "mean") == .mean)
    }

    /// Readings cells counting fewer than k readings keep their row, lose their figures, and are marked.
    @Test func suppressOnReadings() {
        let stage = AggregateStage(bucket: TimeBucket.hour, functions: [.count, .mean])
        let rows = stage.rows([
            AggregateRow(bucketStart: 0, group: "WK039201", quantity: "people", count: 3, sum: 9, min: 1, max: 5, energeticMean: nil, quantiles: []),
            AggregateRow(bucketStart: 0, group: "WK039202", quantity: "people", count: 12, sum: 24, min: 1, max: 5, energeticMean: nil, quantiles: []),
        ], suppress: SuppressStage(k: 5, roundToFive: true)) { $0 }
        #expect(rows[0].suffix(3) == [.null, .null, .text("ja")])
        #expect(rows[1].suffix(3) == [.integer(10), .number(2), .text("nee")], "12 rounds to 10")
        #expect(stage.columns(suppressed: true).last?.name == "onderdrukt")
    }

    @Test func suppressParameters() throws {
        #expect(try SuppressStage(.init(k: nil, round_to: nil, complementary: nil), file: "f", path: "s") == SuppressStage(k: 5))
        #expect(throws: PipelineError.self) { try SuppressStage(.init(k: 1, round_to: nil, complementary: nil), file: "f", path: "s") }
        #expect(throws: PipelineError.self) { try SuppressStage(.init(k: 5, round_to: 10, complementary: nil), file: "f", path: "s") }
        // Without complementary suppression only the small cell goes.
        let table = [[8, 2]]
        #expect(SuppressStage(k: 5, complementary: false).apply(table).published == [[8, nil]])
        #expect(SuppressStage(k: 5).apply(table).published[0][1] == nil && SuppressStage(k: 5).apply(table).suppressed.count > 1)
    }

    @Test func scrubUsesTheIngestRules() throws {
        let s = try ScrubStage(.init(field: "omschrijving"), input: .meldingen, file: "f", path: "s")
        #expect(s.apply("Bel 06-12345678 of mail a.b@example.nl over 12-ABC-3") == "Bel [telefoon] of mail [e-mail] over [kenteken]")
        #expect(s.apply("Lamp kapot bij de brug") == "Lamp kapot bij de brug")
        #expect(throws: PipelineError.self) { try ScrubStage(.init(field: "omschrijving"), input: .readings(["pm25"]), file: "f", path: "s") }
    }

    @Test func pseudonymiseIsKeyedPerWeek() throws {
        let dir = try scratchDirectory("pseudonymise")
        let keyring = try PseudonymKeyring(directory: dir)
        let stage = try PseudonymiseStage(.init(field: "kenteken", key_period: "week"), input: .anpr, file: "f", path: "s")
        let monday = ISO8601.parse("2026-11-16T09:00:00+01:00")!
        let a = try stage.apply("AB123C", at: monday, keyring: keyring)
        #expect(a == (try stage.apply("AB123C", at: monday + 86_400_000, keyring: keyring)))
        #expect(a != (try stage.apply("AB123C", at: monday + 7 * 86_400_000, keyring: keyring)))
        #expect(a.count == 32 && !a.contains("AB123C"))
        #expect(throws: PipelineError.self) { try PseudonymiseStage(.init(field: "kenteken", key_period: nil), input: .meldingen, file: "f", path: "s") }
        #expect(throws: PipelineError.self) { try PseudonymiseStage(.init(field: "kenteken", key_period: "day"), input: .anpr, file: "f", path: "s") }
    }

    /// Lineage names every stage with its parameters; the register says each in Dutch.
    @Test func lineageAndRegisterCoverEveryStage() throws {
        let catalog = try PipelineCatalog(directory: repoRoot + "/Pipelines")
        let anpr = try #require(catalog.pipeline(named: "reistijden-veerhaven-uur"))
        #expect(anpr.stages.map(\.kind) == ["pseudonymise", "travel_time", "suppress"])
        #expect(anpr.stagesText.count == 3 && anpr.stagesText[0].contains("schuilnaam"))
        guard case .object(let fields) = anpr.stages[1].lineage(quantities: []) else { Issue.record("not an object"); return }
        #expect(fields.map(\.0).contains("routes") && fields.map(\.0).contains("max_travel_ms"))
        guard case .travelTime(let t) = anpr.stages[1] else { Issue.record("not travel_time"); return }
        #expect(t.k == 5, "k comes from the suppress stage")
        #expect(anpr.settle == 30 * 60_000)
    }
}
