import Foundation
import Geo
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
        #expect(throws: PipelineError.self) { try stage(FilterStage.self, .init(hoofdcategorie: ["Afval"]), input: .readings(["pm25"])) }
        #expect(throws: PipelineError.self) { try stage(FilterStage.self, .init(sensors: []), input: .readings(["pm25"])) }
        #expect(throws: PipelineError.self) { try stage(FilterStage.self, .init(wijken: ["Oude Stad"]), input: .meldingen) }
        #expect(throws: PipelineError.self) { try stage(FilterStage.self, .init(), input: .anpr) }
        #expect(try stage(FilterStage.self, .init(cameras: ["x"]), input: .anpr).cameras == ["x"])
    }

    @Test func generaliseSetsAreaAndBucket() throws {
        func parse(_ space: String, _ time: String, cell: String? = nil) throws -> GeneraliseStage {
            try stage(GeneraliseStage.self, .init(space: space, time: time, cell: cell), window: TimeBucket.hour)
        }
        let g = try parse("gemeente", "15m")
        #expect(g.space == .gemeente && g.time == 15 * 60_000)
        #expect(AggregateStage(bucket: g.time, space: g.space, functions: [.count]).query(quantities: ["pm25"], window: TimeWindow(start: 0, end: 1)).grouping == .none)
        #expect(try parse("buurt", "1h").space == .buurt)
        #expect(try parse("grid", "1h", cell: "500m").space == .grid(500) && (try parse("grid", "1h", cell: "1km").space) == .grid(1000))
        // The grid and buurt group by the label the runner gives each sensor.
        let grid = AggregateStage(bucket: TimeBucket.hour, space: .grid(500), functions: [.count])
        #expect(grid.query(quantities: ["pm25"], window: TimeWindow(start: 0, end: 1), areas: ["s1": "E1035N4885"]).grouping == .sensorLabel(["s1": "E1035N4885"]))
        #expect(grid.columns(suppressed: false).map(\.name).prefix(2) == ["vierkant_code", "vierkant_naam"])
        for (space, time, cell, path, words) in [("grid", "1h", nil, "s", "cell: 500m"), ("grid", "1h", "250m", "s.cell", "100m, 500m, 1km"),
                                                 ("wijk", "1h", "500m", "s.cell", "space: grid"), ("straat", "1h", nil, "s.space", "wijk, buurt, gemeente or grid"),
                                                 ("wijk", "7m", nil, "s.time", "divides")] as [(String, String, String?, String, String)] {
            do {
                _ = try parse(space, time, cell: cell)
                Issue.record("\(space) \(time) \(cell ?? "-") accepted")
            } catch let e as PipelineError { #expect(e.path == path && e.reason.contains(words), "\(e)") }
        }
    }

    /// CBS grid squares: RD New corner rounded down to the size, code in hectometres.
    @Test func gridSquares() throws {
        // Haarlem, Grote Markt: RD about (103 700, 488 700).
        let p = GeoPoint(lon: 4.6368, lat: 52.3812)
        let rd = RDNew.fromWGS84(p)
        let square = try #require(CBSGridSquare(p, size: 500))
        #expect(square.x == Int(rd.x / 500) * 500 && square.y == Int(rd.y / 500) * 500)
        #expect(square.code == "E\(square.x / 100)N\(square.y / 100)" && square.code.count == 10)
        #expect(try #require(CBSGridSquare(p, size: 100)).code.hasPrefix("E10"))
        #expect(CBSGridSquare(GeoPoint(lon: 13.4, lat: 52.5), size: 500) == nil, "Berlin lies outside RD New")
    }

    /// A Dutch day runs from local midnight to local midnight: 23, 24 or 25 hours.
    @Test func dutchDays() throws {
        let calendar = WindowCalendar.of(length: 86_400_000)
        #expect(calendar == .dutchDay && WindowCalendar.of(length: TimeBucket.hour) == .fixed(TimeBucket.hour))
        let winter = try #require(ISO8601.parse("2026-11-20T12:00:00Z"))
        #expect(ISO8601.format(milliseconds: calendar.floor(winter)) == "2026-11-19T23:00:00Z")
        let summer = try #require(ISO8601.parse("2026-07-01T23:30:00Z"))   // 01:30 on 2 July, local
        #expect(ISO8601.format(milliseconds: calendar.floor(summer)) == "2026-07-01T22:00:00Z")
        let windows = calendar.windows(in: TimeWindow(start: try #require(ISO8601.parse("2026-10-24T12:00:00Z")),
                                                      end: try #require(ISO8601.parse("2026-10-26T12:00:00Z"))))
        #expect(windows.map { ($0.end - $0.start) / TimeBucket.hour } == [24, 25, 24], "25 October 2026 has 25 hours")
        let spring = calendar.floor(try #require(ISO8601.parse("2026-03-29T12:00:00Z")))
        #expect((calendar.next(spring) - spring) / TimeBucket.hour == 23)
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
        #expect(try stage(SuppressStage.self, .init(k: nil, round_to: nil, complementary: nil)) == SuppressStage(k: 5))
        #expect(throws: PipelineError.self) { try stage(SuppressStage.self, .init(k: 1, round_to: nil, complementary: nil)) }
        #expect(throws: PipelineError.self) { try stage(SuppressStage.self, .init(k: 5, round_to: 10, complementary: nil)) }
        // Without complementary suppression only the small cell goes.
        let table = [[8, 2]]
        #expect(SuppressStage(k: 5, complementary: false).apply(table).published == [[8, nil]])
        #expect(SuppressStage(k: 5).apply(table).published[0][1] == nil && SuppressStage(k: 5).apply(table).suppressed.count > 1)
    }

    @Test func scrubUsesTheIngestRules() throws {
        let s = try stage(ScrubStage.self, .init(field: "omschrijving"), input: .meldingen)
        #expect(s.apply("Bel 06-12345678 of mail a.b@example.nl over 12-ABC-3") == "Bel [telefoon] of mail [e-mail] over [kenteken]")
        #expect(s.apply("Lamp kapot bij de brug") == "Lamp kapot bij de brug")
        #expect(throws: PipelineError.self) { try stage(ScrubStage.self, .init(field: "omschrijving"), input: .readings(["pm25"])) }
    }

    /// The text extract: scrubbed text per week, wijk and category; no id, time or position;
    /// rows in text order, not arrival order; meldingen without text or wijk left out.
    @Test func meldingenTextExtract() throws {
        let week = TimeWindow(start: try #require(ISO8601.parse("2026-11-16T00:00:00+01:00")), end: try #require(ISO8601.parse("2026-11-23T00:00:00+01:00")))
        func melding(_ id: String, _ text: String?, wijk: String? = "WK039201", at offset: Int64 = 3_600_000) -> Melding {
            var m = Melding(source: "signalen", sourceID: id, category: "x", createdAt: week.start + offset)
            (m.wijk, m.hoofdcategorie, m.scrubbedText, m.latitude, m.longitude) = (wijk, "Verlichting", text, 52.38, 4.63)
            return m
        }
        // Text kept by an older ingest, before the plate rule existed: scrub runs again.
        let (rows, withoutWijk) = MeldingenTextStage().rows([
            melding("SIG-2", "Zwerfvuil, bel 06-12345678"), melding("SIG-1", "Lamp kapot voor 12-ABC-3", at: 7_200_000),
            melding("SIG-3", nil), melding("SIG-4", "Buiten elke wijk", wijk: nil), melding("SIG-5", "Vorige week", at: -3_600_000),
        ], window: week) { $0 == "WK039201" ? "Oude Stad" : $0 }
        #expect(rows.map { $0.last } == [.text("Lamp kapot voor [kenteken]"), .text("Zwerfvuil, bel [telefoon]")])
        #expect(rows[0].prefix(5) == [.text("WK039201"), .text("Oude Stad"), .text("Verlichting"),
                                      .text(ISO8601.format(milliseconds: week.start)), .text(ISO8601.format(milliseconds: week.end))])
        #expect(withoutWijk == 1 && MeldingenTextStage().columns.count == rows[0].count)
        let flat = rows.flatMap { $0 }.map { "\($0)" }.joined()
        #expect(!flat.contains("SIG-") && !flat.contains("52.38"), "no source id or position in the extract")
    }

    @Test func pseudonymiseIsKeyedPerWeek() throws {
        let dir = try scratchDirectory("pseudonymise")
        let keyring = try PseudonymKeyring(directory: dir)
        let pseudonymise = try stage(PseudonymiseStage.self, .init(field: "kenteken", key_period: "week"), input: .anpr)
        let monday = ISO8601.parse("2026-11-16T09:00:00+01:00")!
        let a = try pseudonymise.apply("AB123C", at: monday, keyring: keyring)
        #expect(a == (try pseudonymise.apply("AB123C", at: monday + 86_400_000, keyring: keyring)))
        #expect(a != (try pseudonymise.apply("AB123C", at: monday + 7 * 86_400_000, keyring: keyring)))
        #expect(a.count == 32 && !a.contains("AB123C"))
        #expect(throws: PipelineError.self) { try stage(PseudonymiseStage.self, .init(field: "kenteken", key_period: nil), input: .meldingen) }
        #expect(throws: PipelineError.self) { try stage(PseudonymiseStage.self, .init(field: "kenteken", key_period: "day"), input: .anpr) }
    }

    /// A stage kind is one type: its YAML key, its fields (every one of them may be written in a
    /// file), the inputs that have it and its own checks come from the registry's types.
    @Test func registryDecodesEveryKindByItsType() throws {
        #expect(Set(StageRegistry.names).count == StageRegistry.names.count)
        #expect(StageRegistry.kinds(for: .anpr) == ["filter", "pseudonymise", "suppress", "travel_time"])
        let path = repoRoot + "/Pipelines/meldingen-per-wijk-week.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // `protection` is the suppress stage's own field, so a file may set it.
        let wider = try PipelineDefinition.load(path: path, contents: Data(text.replacingOccurrences(of: "k: 5 ", with: "k: 5\n      protection: 8 ").utf8))
        #expect(wider.suppress == SuppressStage(k: 5, protection: 8) && wider.disclosure?.protection == 8)
        #expect(wider.stage(MeldingenStage.self)?.suppress?.protection == 8, "the aggregating stage gets the suppress stage")
        // A kind the input does not have: the kind's own reason, at the kind's path.
        let error = try #require(throws: PipelineError.self) {
            try PipelineDefinition.load(path: path, contents: Data(text.replacingOccurrences(of: "  - meldingen:\n      group_by: [wijk, hoofdcategorie]",
                                                                                             with: "  - generalise: {space: wijk, time: 1h}").utf8))
        }
        #expect(error.path == "stages[0].generalise" && error.reason.contains("generalise is for readings") && error.line == 20)
    }

    /// Lineage names every stage with its parameters; the register says each in Dutch.
    @Test func lineageAndRegisterCoverEveryStage() throws {
        let catalog = try PipelineCatalog(directory: repoRoot + "/Pipelines")
        let anpr = try #require(catalog.pipeline(named: "reistijden-veerhaven-uur"))
        #expect(anpr.stageKinds == ["pseudonymise", "travel_time", "suppress"])
        #expect(anpr.stagesText.count == 3 && anpr.stagesText[0].contains("schuilnaam"))
        guard case .object(let fields) = anpr.stages[1].lineage else { Issue.record("not an object"); return }
        #expect(fields.map(\.0).contains("routes") && fields.map(\.0).contains("max_travel_ms"))
        let t = try #require(anpr.stages[1] as? TravelTimeStage)
        #expect(t.k == 5, "k comes from the suppress stage")
        #expect(anpr.settle == 30 * 60_000)
    }
}

/// A stage of kind `S` from its YAML fields, checked as in a pipeline file (the input must have the kind).
func stage<S: Stage>(_ type: S.Type, _ raw: S.Raw, input: PipelineDefinition.Input = .readings(["pm25"]), window: Int64 = TimeBucket.hour,
                     earlier: [any Stage] = []) throws -> S {
    try StageRegistry.make(S.self, raw, context: StageParseContext(input: input, window: window, file: "f", path: "s", earlier: earlier))
}
