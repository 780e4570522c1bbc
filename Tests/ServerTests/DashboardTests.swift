import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LantaarnModel
import Pipelines
@testable import Server
import Store
import TestSupport
import Testing

/// Dashboard definitions (checked with line numbers and advice), their rendering from published
/// rows, caching per data generation, and the chart arithmetic.
@Suite struct DashboardTests {
    static let pipelines: [PipelineDefinition] = {
        (try? PipelineCatalog(directory: CKANTests.repo + "/Pipelines").pipelines) ?? []
    }()

    /// Checks one dashboard file's text; returns every error as text.
    func problems(_ yaml: String) throws -> [String] {
        let dir = NSTemporaryDirectory() + "lantaarn-dash-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try yaml.write(toFile: dir + "/d.yaml", atomically: true, encoding: .utf8)
        let results = try DashboardCatalog.check(directory: dir, pipelines: Self.pipelines)
        switch results[0].result {
        case .success: return []
        case .failure(let p): return p.errors.map(\.description)
        }
    }

    static let good = """
    name: lucht
    title: Lucht
    introduction: Sensoren meten fijnstof. Hier ziet u hoeveel.
    panels:
      - type: line
        title: PM2,5
        dataset: luchtkwaliteit-per-wijk-uur
        where: {grootheid: pm25}
        value: gemiddelde
        series: wijk_naam
        period: 24h

    """

    @Test func shippedDashboardsCheckOut() throws {
        let results = try DashboardCatalog.check(directory: CKANTests.repo + "/Dashboards", pipelines: Self.pipelines)
        #expect(results.count == 4)
        for (file, result) in results {
            if case .failure(let p) = result { Issue.record("\(file): \(p.errors)") }
        }
        #expect(try problems(Self.good).isEmpty)
    }

    @Test func badDefinitionsSayWhereWhatAndWhatToDo() throws {
        func first(_ yaml: String) throws -> String { try problems(yaml).first ?? "no error" }
        // An unknown field, with its line and the closest known name.
        let typo = try first(Self.good.replacingOccurrences(of: "    value: gemiddelde", with: "    valeu: gemiddelde"))
        #expect(typo.contains("d.yaml:9:5:") && typo.contains("unknown field 'valeu'") && typo.contains("did you mean 'value'"), "\(typo)")
        let kind = try first(Self.good.replacingOccurrences(of: "type: line", with: "type: pie"))
        #expect(kind.contains("panels[0].type") && kind.contains("use one of line, bar, map, table, kpi, tiles"), "\(kind)")
        let period = try first(Self.good.replacingOccurrences(of: "period: 24h", with: "period: gisteren"))
        #expect(period.contains("panels[0].period") && period.contains("24h"), "\(period)")
        let dataset = try first(Self.good.replacingOccurrences(of: "luchtkwaliteit-per-wijk-uur", with: "luchtkwaliteit-per-wijk-uurr"))
        #expect(dataset.contains("no pipeline publishes") && dataset.contains("did you mean 'luchtkwaliteit-per-wijk-uur'"), "\(dataset)")
        let closed = try first(Self.good.replacingOccurrences(of: "luchtkwaliteit-per-wijk-uur", with: "meldingen-teksten-week")
            .replacingOccurrences(of: "    where: {grootheid: pm25}\n", with: ""))
        #expect(closed.contains("is not public") && closed.contains("NON_PUBLIC"), "\(closed)")
        let column = try first(Self.good.replacingOccurrences(of: "value: gemiddelde", with: "value: gemiddeld"))
        #expect(column.contains("panels[0].value") && column.contains("has no column 'gemiddeld'"), "\(column)")
        let text = try first(Self.good.replacingOccurrences(of: "value: gemiddelde", with: "value: wijk_naam"))
        #expect(text.contains("holds text, not numbers"), "\(text)")
        let missing = try first(Self.good.replacingOccurrences(of: "    value: gemiddelde\n", with: ""))
        #expect(missing.contains("panels[0].value") && missing.contains("needs the column it shows"), "\(missing)")
        let long = try first(Self.good.replacingOccurrences(of: "Sensoren meten fijnstof.", with: Array(repeating: "woord", count: 30).joined(separator: " ") + "."))
        #expect(long.contains("introduction") && long.contains("more than 25 words"), "\(long)")
        let classes = try first(Self.good.replacingOccurrences(of: "type: line", with: "type: map").replacingOccurrences(of: "    series: wijk_naam\n", with: "    classes: 12\n"))
        #expect(classes.contains("classes") && classes.contains("3 to 7"), "\(classes)")
        let name = try first(Self.good.replacingOccurrences(of: "name: lucht", with: "name: Lucht Kwaliteit"))
        #expect(name.contains("d.yaml:1:") && name.contains("lower-case"), "\(name)")
        let yaml = try first("name: [unclosed")
        #expect(yaml.contains("not valid YAML"), "\(yaml)")
    }

    /// A store with hourly PM2.5 for two wijken, a name that needs escaping, and a null.
    func airStore() throws -> (SQLiteStore, DatasetMetadata) {
        let store = try SQLiteStore(dataDirectory: NSTemporaryDirectory() + "lantaarn-dash-\(UUID().uuidString.prefix(8))")
        let pipeline = try #require(Self.pipelines.first { $0.name == "luchtkwaliteit-per-wijk-uur" })
        let metadata = PipelineRunner.metadata(for: pipeline)
        try store.releases.register(metadata)
        let base = ISO8601.parse("2026-11-20T00:00:00Z")!
        for h in 0..<30 {
            let start = base + Int64(h) * 3_600_000
            var rows: [[CellValue]] = []
            for (code, name, level) in [("WK039201", "Oude Stad", 8.0), ("WK039203", "<Zijl>", 20.0)] {
                let mean: CellValue = h == 29 && code == "WK039201" ? .null : .number(level + Double(h % 5))
                rows.append([.text(code), .text(name), .text(ISO8601.format(milliseconds: start)), .text(ISO8601.format(milliseconds: start + 3_600_000)),
                             .text("pm25"), .integer(60), mean, .number(level - 2), .number(level + 9)])
            }
            try store.releases.publish(ReleaseDraft(dataset: metadata.name, window: TimeWindow(start: start, end: start + 3_600_000), rows: rows,
                                           rowsIn: 120, lineage: .object([("pipeline", .string(pipeline.name))])))
        }
        return (store, metadata)
    }

    func panel(_ kind: DashboardPanel.Kind, _ configure: (inout DashboardPanel) -> Void = { _ in }) -> DashboardPanel {
        var p = DashboardPanel(kind: kind, title: "Fijnstof", dataset: "luchtkwaliteit-per-wijk-uur")
        p.filters = [("grootheid", "pm25")]
        p.value = "gemiddelde"
        p.unit = "µg/m³"
        configure(&p)
        return p
    }

    @Test func panelsRenderChartTextTableAndProvenance() throws {
        let (store, _) = try airStore()
        let dashboard = DashboardDefinition(name: "lucht", title: "Lucht", introduction: "Sensoren meten fijnstof.", panels: [
            panel(.kpi) { $0.period = .last(24 * 3_600_000); $0.weight = "aantal"; $0.series = "wijk_naam"
                $0.thresholds = [.init(value: 15, label: "het WHO-advies")] },
            panel(.line) { $0.series = "wijk_naam"; $0.layout = .lines; $0.period = .last(6 * 3_600_000); $0.thresholds = [.init(value: 15, label: "WHO 15")] },
            panel(.bar) { $0.period = .latest },
            panel(.map) { $0.period = .last(24 * 3_600_000) },
            panel(.table) { $0.value = nil; $0.columns = ["wijk_naam", "periode_start", "gemiddelde"]; $0.limit = 3; $0.sort = "-gemiddelde" },
        ])
        let html = try DashboardPage(dashboard: dashboard, releases: store.releases, maps: NoBoundaryMaps(), site: PublicSite(),
                                     now: ISO8601.parse("2026-11-21T06:30:00Z")!).render()
        // KPI: weighted mean over 24 h of both wijken, in words against the threshold.
        #expect(html.contains("class=\"kpi-value\""))
        #expect(html.contains("onder het WHO-advies") || html.contains("boven het WHO-advies"))
        #expect(html.contains("Het hoogst: &lt;Zijl&gt;"))
        // Line: both series with a legend, the threshold line labelled, an accessible name and description.
        #expect(html.contains("<title id=\"p1-t\">Fijnstof</title><desc id=\"p1-d\">"))
        #expect(html.contains("WHO 15") && html.contains("stroke-dasharray=\"6 4\""))
        #expect(html.contains("class=\"legend\"") && html.contains("Oude Stad"))
        // Names are escaped everywhere.
        #expect(!html.contains("<Zijl>") && html.contains("&lt;Zijl&gt;"))
        // The suppressed (null) value is named, not silently left out.
        #expect(html.contains("1 cijfer is niet gepubliceerd"))
        // Map without boundaries falls back to its table.
        #expect(html.contains("Er is geen kaart van de wijken"))
        // "latest" is the newest window alone, even when it holds a single row.
        let single = ISO8601.parse("2026-11-21T06:00:00Z")!
        try store.releases.publish(ReleaseDraft(dataset: "luchtkwaliteit-per-wijk-uur", window: TimeWindow(start: single, end: single + 3_600_000),
                                       rows: [[.text("WK039201"), .text("Oude Stad"), .text("2026-11-21T06:00:00Z"), .text("2026-11-21T07:00:00Z"),
                                               .text("pm25"), .integer(60), .number(3.5), .number(3), .number(4)]],
                                       rowsIn: 60, lineage: .object([])))
        let latest = try #require(try PanelRows.load(panel(.bar) { $0.period = .latest }, releases: store.releases))
        #expect(latest.rows.count == 1)
        // Table: sorted, limited, with the rest in the download.
        #expect(html.contains("De tabel toont 3 van de 60 rijen"))
        // Provenance and downloads on every panel.
        #expect(html.components(separatedBy: "Bijgewerkt op").count == 6)
        #expect(html.contains("href=\"/algoritmes#alg-luchtkwaliteit-per-wijk-uur\""))
        #expect(html.contains("href=\"/datasets/luchtkwaliteit-per-wijk-uur/releases/30.csv\""))
        // Data stopped 1.5 h after its last hour: hourly data is not stale yet; a day later it is.
        #expect(!html.contains("Let op"))
        let late = try DashboardPage(dashboard: dashboard, releases: store.releases, maps: NoBoundaryMaps(), site: PublicSite(),
                                     now: ISO8601.parse("2026-11-22T12:00:00Z")!).render()
        #expect(late.contains("Let op: er zijn al 1 dag geen nieuwe cijfers") || late.contains("Let op: er zijn al"))
    }

    @Test func pagesAreCachedPerDataGenerationWithETags() async throws {
        let (store, metadata) = try airStore()
        let dashboard = DashboardDefinition(name: "lucht", title: "Lucht", introduction: "Sensoren meten fijnstof.",
                                            panels: [panel(.bar) { $0.period = .latest }])
        try await HTTPServerTests().withServer({ deps in
            deps.releases = store.releases
            deps.responses = ResponseCache(releases: store.releases)
            deps.dashboards = DashboardCatalog(dashboards: [dashboard])
        }) { base, _ in
            let (data, response) = try await URLSession.loopback.data(from: URL(string: base + "/dashboards/lucht")!)
            let etag = try #require((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "ETag"))
            #expect(String(decoding: data, as: UTF8.self).contains("&lt;Zijl&gt;"))
            var request = URLRequest(url: URL(string: base + "/dashboards/lucht")!)
            request.setValue(etag, forHTTPHeaderField: "If-None-Match")
            let (_, again) = try await URLSession.loopback.data(for: request)
            #expect((again as? HTTPURLResponse)?.statusCode == 304)
            // A new release changes the page.
            let start = ISO8601.parse("2026-11-21T06:00:00Z")!
            try store.releases.publish(ReleaseDraft(dataset: metadata.name, window: TimeWindow(start: start, end: start + 3_600_000),
                                           rows: [[.text("WK039201"), .text("Nieuw-Zuid"), .text("2026-11-21T06:00:00Z"), .text("2026-11-21T07:00:00Z"),
                                                   .text("pm25"), .integer(60), .number(7), .number(6), .number(9)]],
                                           rowsIn: 60, lineage: .object([])))
            let (fresh, changed) = try await URLSession.loopback.data(for: request)
            #expect((changed as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: fresh, as: UTF8.self).contains("Nieuw-Zuid"))
        }
    }

    @Test func quantileClassesKeepTiesTogether() {
        let values: [String: Double] = ["a": 1, "b": 1, "c": 2, "d": 3, "e": 4, "f": 5, "g": 5, "h": 9, "i": 10, "j": 11]
        let c = ChoroplethSVG.classes(values, count: 5)
        #expect(c.ranges.count == 5)
        #expect(c.byCode["a"] == c.byCode["b"] && c.byCode["f"] == c.byCode["g"])
        #expect(c.ranges.first!.low == 1 && c.ranges.last!.high == 11)
        // Ranges do not overlap and classes rise with the values.
        for i in 1..<c.ranges.count { #expect(c.ranges[i].low > c.ranges[i - 1].high) }
        #expect(ChoroplethSVG.classes(["a": 3, "b": 3, "c": 3], count: 5).ranges.count == 1)
        #expect(ChoroplethSVG.classes([:], count: 5).ranges.isEmpty)
    }

    @Test func chartArithmetic() {
        #expect(ChartScale.ticks(low: 0, high: 17.3) == [0, 5, 10, 15, 20])
        #expect(ChartScale.ticks(low: 44, high: 61) == [40, 45, 50, 55, 60, 65])
        #expect(ChartScale.ticks(low: 3, high: 3).count >= 2)
        #expect(ChartScale.ticks(low: .nan, high: .infinity).count >= 2)
        // A sum's band: independent errors add in quadrature.
        var sum = PanelValues.Accumulator(.sum)
        sum.add(10, lower: 5, upper: 15)
        sum.add(20, lower: 10, upper: 30)
        #expect(sum.value == 30)
        #expect(abs(sum.band!.upper - (30 + (125.0).squareRoot())) < 1e-9)
        var mean = PanelValues.Accumulator(.mean)
        mean.add(10, weight: 1)
        mean.add(20, weight: 3)
        #expect(mean.value == 17.5)
        // Time ticks: ascending, round, within the range.
        let start = ISO8601.parse("2026-11-20T00:00:00Z")!
        let ticks = LocalTime.axisTicks(start: start, end: start + 48 * 3_600_000, count: 5)
        #expect(ticks.count >= 3 && ticks.count <= 6)
        #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $0.time < $1.time } && ticks.allSatisfy { $0.time >= start })
        // Long bar labels wrap onto two lines instead of losing their end.
        #expect(BarChartSVG.lines("Verlichting en verkeer", fitting: 16) == ["Verlichting en", "verkeer"])
        #expect(BarChartSVG.lines("Oude Stad", fitting: 16) == ["Oude Stad"])
        #expect(BarChartSVG.lines("Verhardingenciviele", fitting: 8) == ["Verhard…"])
        #expect(BarChartSVG.lines("Verharding en civiele constructies", fitting: 16) == ["Verharding en", "civiele constru…"])
        #expect(BrandColour.problem("#00538a") == nil)
        #expect(BrandColour.problem("#ffcc00")?.contains("4.5:1") == true)
        #expect(BrandColour.problem("blauw")?.contains("#rrggbb") == true)
    }
}
