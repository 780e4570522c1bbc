import Foundation
import LantaarnModel
import Geo
@testable import Pipelines
import Store
import Testing

/// Counts, handling times, backlog, tiles, forecasts and early warning for meldingen.
struct MeldingAnalyticsTests {
    static func ms(_ s: String) -> Int64 { ISO8601.parse(s)! }

    func melding(_ created: String, closed: String? = nil, wijk: String = "WK039201", hoofd: String = "Afval") -> Melding {
        var m = Melding(source: "t", sourceID: UUID().uuidString, category: hoofd, createdAt: Self.ms(created))
        m.closedAt = closed.map(Self.ms)
        m.isOpen = closed == nil
        m.wijk = wijk
        m.hoofdcategorie = hoofd
        return m
    }

    @Test func weeksStartOnMondayDutchTime() {
        // Monday 2024-07-01 00:00 CEST is Sunday 22:00 UTC.
        #expect(DutchTime.weekStart(Self.ms("2024-07-03T12:00:00Z")) == Self.ms("2024-06-30T22:00:00Z"))
        #expect(DutchTime.weekStart(Self.ms("2024-06-30T21:59:59Z")) == Self.ms("2024-06-23T22:00:00Z"))
        // Winter: Monday 2024-01-15 00:00 CET is Sunday 23:00 UTC.
        #expect(DutchTime.weekStart(Self.ms("2024-01-15T00:30:00+01:00")) == Self.ms("2024-01-14T23:00:00Z"))
    }

    @Test func countsHandlingTimesAndBacklog() {
        let ms = [melding("2024-03-04T09:00:00+01:00", closed: "2024-03-05T09:00:00+01:00"),
                  melding("2024-03-05T09:00:00+01:00", closed: "2024-03-08T09:00:00+01:00"),
                  melding("2024-03-06T09:00:00+01:00"),
                  melding("2024-03-12T09:00:00+01:00", closed: "2024-03-22T09:00:00+01:00", hoofd: "Groen")]
        let counts = MeldingStatistics.weeklyCounts(ms)
        let afval = MeldingStatistics.Group(wijk: "WK039201", hoofdcategorie: "Afval")
        #expect(counts[afval] == [Self.ms("2024-03-04T00:00:00+01:00"): 3])
        let times = MeldingStatistics.handlingTimes(ms, closedIn: TimeWindow(start: 0, end: Int64.max)) { $0.hoofdcategorie! }
        let day = 86_400_000.0
        #expect(times["Afval"]!.count == 2 && times["Afval"]!.median == 2 * day && abs(times["Afval"]!.p90 - 2.8 * day) < 1)
        #expect(times["Groen"]!.median == 10 * day)
        // End of week 10 (Sunday 24:00): one Afval still open, the Groen one too.
        let backlog = MeldingStatistics.backlog(ms, at: Self.ms("2024-03-18T00:00:00+01:00"))
        #expect(backlog[afval] == 1 && backlog[MeldingStatistics.Group(wijk: "WK039201", hoofdcategorie: "Groen")] == 1)
    }

    /// Exactly at a norm is still within it; one millisecond later is past.
    @Test func tilesAtTheirBoundaries() {
        let norm = ServiceNorm(service: ServiceNorm.span("48h")!, legal: ServiceNorm.span("5d")!)
        let created = "2024-03-04T09:00:00+01:00"
        let at = { (s: String) in Self.ms(s) }
        let open = melding(created)
        #expect(TileStatus.colour(open, norm: norm, now: at("2024-03-06T09:00:00+01:00")) == .green)
        #expect(TileStatus.colour(open, norm: norm, now: at("2024-03-06T09:00:00+01:00") + 1) == .orange)
        #expect(TileStatus.colour(open, norm: norm, now: at("2024-03-09T09:00:00+01:00")) == .orange)
        #expect(TileStatus.colour(open, norm: norm, now: at("2024-03-09T09:00:00+01:00") + 1) == .red)
        // Working days skip the weekend: Friday 09:00 + 3 working days = Wednesday 09:00.
        let wd = ServiceNorm(service: ServiceNorm.span("1wd")!, legal: ServiceNorm.span("3wd")!)
        let friday = melding("2024-03-08T09:00:00+01:00")
        #expect(ServiceNorm.deadline(from: friday.createdAt, wd.legal) == at("2024-03-13T09:00:00+01:00"))
        #expect(TileStatus.colour(friday, norm: wd, now: at("2024-03-11T09:00:00+01:00")) == .green)
        #expect(TileStatus.colour(friday, norm: wd, now: at("2024-03-13T09:00:00+01:00")) == .orange)
        #expect(TileStatus.colour(friday, norm: wd, now: at("2024-03-13T09:00:00+01:00") + 1) == .red)
        // A melding closed within the norm stays green; the tile is the worst open colour.
        let tiles = TileStatus.tiles([open, melding(created, closed: "2024-03-05T09:00:00+01:00"), melding("2024-03-09T10:00:00+01:00")],
                                     norms: { _ in norm }, key: { $0.hoofdcategorie! }, now: at("2024-03-10T09:00:00+01:00"))
        #expect(tiles["Afval"]?.colour == .red && tiles["Afval"]?.open == [.red: 1, .green: 1])
    }

    @Test func poissonTail() {
        #expect(abs(EarlyWarning.poissonTail(0, mean: 3) - 1) < 1e-12)
        #expect(abs(EarlyWarning.poissonTail(1, mean: 3) - (1 - exp(-3))) < 1e-12)
        #expect(abs(EarlyWarning.poissonTail(10, mean: 3) - 0.0011025) < 1e-6)   // 1 - CDF(9; 3)
    }

    /// The must-show figures on 2 years × 20 wijken × 10 categories.
    @Test func forecastAndEarlyWarningOnAGeneratedHistory() {
        let (series, meldingen) = MeldingHistoryGenerator().generate()
        #expect(series.count == 200)
        // The weekly counts the analytics see are the generated ones.
        let counts = MeldingStatistics.weeklyCounts(meldingen)
        let first = series[0]
        let seen = counts[MeldingStatistics.Group(wijk: first.wijk, hoofdcategorie: first.category)]!
        let key = { (t: Int) in DutchTime.weekStart(MeldingHistoryGenerator.start + Int64(t) * MeldingHistoryGenerator.week + 43_200_000) }
        #expect((0..<104).allSatisfy { Double(seen[key($0)] ?? 0) == first.counts[$0] })

        // The method is chosen on origins before those it is scored on (out of sample).
        let seasonal = Self.backtestMASE(series.map(\.counts))
        print(String(format: "backtest, seasonal Poisson history: MASE of the chosen method %.3f (seasonal naive %.3f, model %.3f); model chosen for %d of 200 series",
                     seasonal.chosen, seasonal.naive, seasonal.model, seasonal.modelChosen))
        #expect(seasonal.chosen < 1.0)
        #expect(seasonal.chosen <= seasonal.naive)

        let warning = EarlyWarning()
        var spikes = 0, caught = 0, falseAlerts = 0, judged = 0
        var weeksWithFalseAlert = Set<Int>()
        for s in series {
            for j in warning.judge(s.counts) {
                if j.week == s.spike {
                    spikes += 1
                    if j.alert { caught += 1 }
                } else {
                    judged += 1
                    if j.alert { falseAlerts += 1; weeksWithFalseAlert.insert(j.week) }
                }
            }
        }
        let falseRate = Double(falseAlerts) / Double(judged)
        print(String(format: "early warning: %d of %d injected spikes alerted (%.1f%%); false alerts in %.2f%% of series-weeks, in %d of 52 weeks for some series",
                     caught, spikes, 100 * Double(caught) / Double(spikes), 100 * falseRate, weeksWithFalseAlert.count))
        #expect(spikes > 50)
        #expect(Double(caught) >= 0.9 * Double(spikes))
        #expect(falseRate < 0.05)
        // Stricter reading: weeks in which any of the 200 series raises a false alert.
        #expect(Double(weeksWithFalseAlert.count) < 0.05 * 52)
    }

    /// Counts from outside the model's family (level shifts, holiday dips, overdispersion): the
    /// MASEs are reported as they come out, above 1 or not. What must hold is that choosing on
    /// earlier origins does not leave a series worse off than the seasonal naive baseline would.
    @Test func forecastOnHistoriesWithLevelShiftsAndHolidayDips() {
        let series = ShiftingCountsGenerator().generate()
        let shifting = Self.backtestMASE(series)
        print(String(format: "backtest, level shifts and holiday dips: MASE of the chosen method %.3f (seasonal naive %.3f, model %.3f); model chosen for %d of %d series",
                     shifting.chosen, shifting.naive, shifting.model, shifting.modelChosen, series.count))
        #expect(shifting.chosen.isFinite && shifting.naive.isFinite)
        #expect(shifting.chosen <= shifting.naive * 1.05, "choosing on earlier origins should not do worse than the baseline")
        let b = CountForecast.backtest(series[0])
        #expect(b.selectionOrigins.max()! < b.scoringOrigins.min()!, "chosen on earlier origins than scored")
        #expect(b.selectionOrigins.count == 5 && b.scoringOrigins.count == 6)
    }

    /// Mean out-of-sample MASE over `series` of the chosen method, of each method, and how often
    /// the model was chosen.
    static func backtestMASE(_ series: [[Double]]) -> (chosen: Double, naive: Double, model: Double, modelChosen: Int) {
        var chosen = 0.0, naive = 0.0, model = 0.0, modelChosen = 0
        for counts in series {
            let b = CountForecast.backtest(counts)
            chosen += b.mase[b.chosen]!
            naive += b.mase[.seasonalNaive]!
            model += b.mase[.poissonSeasonal]!
            if b.chosen == .poissonSeasonal { modelChosen += 1 }
        }
        let n = Double(series.count)
        return (chosen / n, naive / n, model / n, modelChosen)
    }

    /// Four categories of one wijk rising moderately in the same week: none alone alerts,
    /// together they do.
    @Test func stackedProblems() {
        let (series, _) = MeldingHistoryGenerator(wijken: 1).generate(seed: 7)
        let warning = EarlyWarning()
        var judged: [[EarlyWarning.Judgement]] = []
        for (i, s) in series.enumerated() {
            var counts = s.counts
            if let spike = s.spike { counts[spike] = s.means[spike].rounded() }   // no single spikes here
            if i < 4 { counts[90] = (s.means[90] * 1.9 + 2).rounded() }
            judged.append(warning.judge(counts))
        }
        #expect(warning.stacked(judged).contains(90))
    }
}

/// The weekly meldingen pipeline: Dutch weeks, counts per wijk × hoofdcategorie, small
/// counts suppressed and marked.
struct MeldingenPipelineTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path

    @Test func publishesWeeklyCountsWithSuppression() throws {
        let pipeline = try PipelineDefinition.load(path: Self.repo + "/Pipelines/meldingen-per-wijk-week.yaml")
        #expect(pipeline.calendar == .dutchWeek && pipeline.stage(MeldingenStage.self) == MeldingenStage(suppress: SuppressStage(k: 5)))
        let dir = NSTemporaryDirectory() + "lantaarn-mpipe-\(UUID().uuidString.prefix(8))"
        let store = try SQLiteStore(dataDirectory: dir)
        // Week of Monday 2024-03-04: 7 Afval in WK039201 (3 closed in the week, 1 later), 2 Groen (suppressed).
        var writes: [MeldingWrite] = []
        func add(_ id: String, _ created: String, closed: String? = nil, hoofd: String, wijk: String? = "WK039201") {
            var m = Melding(source: "t", sourceID: id, category: hoofd, createdAt: ISO8601.parse(created)!)
            m.hoofdcategorie = hoofd
            m.wijk = wijk
            m.history = [Melding.StatusChange(at: m.createdAt, state: "m", closes: false)]
            if let closed { m.history.append(Melding.StatusChange(at: ISO8601.parse(closed)!, state: "o", closes: true)) }
            writes.append(MeldingWrite(m))
        }
        for i in 0..<7 {
            add("a\(i)", "2024-03-0\(4 + i % 3)T10:00:00+01:00", closed: i < 5 ? "2024-03-0\(5 + i % 3)T\(10 + i):00:00+01:00" : nil, hoofd: "Afval")
        }
        add("late", "2024-03-10T23:30:00+01:00", hoofd: "Afval")         // Sunday night: still this week
        add("next", "2024-03-11T00:30:00+01:00", hoofd: "Afval")         // Monday: next week
        add("g1", "2024-03-05T10:00:00+01:00", hoofd: "Groen")
        add("g2", "2024-03-06T10:00:00+01:00", hoofd: "Groen")
        add("x", "2024-03-06T10:00:00+01:00", hoofd: "Afval", wijk: nil)  // outside every wijk
        _ = try store.meldingen.saveMeldingen(writes, file: MeldingFileRecord(sha256: "x", name: "t", format: "t", meldingen: writes.count, report: "", completedAt: 0))

        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
        let results = try runner.run(pipeline, over: TimeWindow(start: ISO8601.parse("2024-03-06T00:00:00Z")!, end: ISO8601.parse("2024-03-10T23:00:00Z")!))
        #expect(results.count == 1 && results[0].window == TimeWindow(start: ISO8601.parse("2024-03-03T23:00:00Z")!, end: ISO8601.parse("2024-03-10T23:00:00Z")!))
        #expect(results[0].withoutWijk == 1 && results[0].rowsIn == 11)
        let rows = try store.releases.rows(dataset: "meldingen-per-wijk-week", after: nil, limit: 100).rows
        // Two wijk rows, then the gemeente's per category and for all of them.
        #expect(rows.map { [$0[0], $0[2]] } == [[.text("WK039201"), .text("Afval")], [.text("WK039201"), .text("Groen")],
                                               [.text("GM0392"), .text("Afval")], [.text("GM0392"), .text("Groen")],
                                               [.text("GM0392"), .text("alle")]], "\(rows)")
        #expect(rows[2][1] == .text("Hele gemeente"))
        let afval = try #require(rows.first { $0[2] == .text("Afval") })
        // 8 reported (7 + Sunday night), 3 open at the end (a5, a6, late), 5 closed in the week.
        // 3 open is under 5, and so are Groen's 2 reported and 2 open: held back, in the gemeente
        // rows too (one wijk: they are the same numbers).
        #expect(afval[6] == .null && afval[1] == .text("Oude Stad") && afval[10] == .text("ja"), "\(afval)")
        // Handling times 24, 25, 26, 27 and 28 hours (whole numbers read back as integers).
        #expect([CellValue.number(26), .integer(26)].contains(afval[8]) && [CellValue.number(27.6)].contains(afval[9]), "\(afval)")
        let groen = try #require(rows.first { $0[2] == .text("Groen") })
        #expect(groen[5] == .null && groen[6] == .null && groen[8] == .null && groen[10] == .text("ja"), "\(groen)")
        for gemeente in rows[2...3] { #expect(gemeente[6] == .null, "the gemeente's open count is the wijk's: \(gemeente)") }
        // What an attacker gets from every published number (the totals, the week's identity
        // open = open before + new − closed): no held-back count narrower than 5.
        let audit = try DisclosureAudit.run(store.releases)
        #expect(audit.exposed.isEmpty && audit.broken.isEmpty, "\(audit.exposed) \(audit.broken)")
        let report = try #require(audit.reports.first { $0.dataset == "meldingen-per-wijk-week" })
        #expect(report.cells == 15 && report.suppressed >= 6 && (report.smallestInterval ?? 5) >= 5, "\(report)")
    }
}

/// The forecast pipeline on a generated history: four weeks per series, the method chosen
/// per series and published, and an alert for a spike in the week just closed.
struct MeldingenForecastPipelineTests {
    @Test func forecastsAndAlerts() throws {
        let pipeline = try PipelineDefinition.load(path: MeldingenPipelineTests.repo + "/Pipelines/meldingen-prognose-week.yaml")
        let store = try SQLiteStore(dataDirectory: NSTemporaryDirectory() + "lantaarn-forecast-\(UUID().uuidString.prefix(8))")
        var (series, meldingen) = MeldingHistoryGenerator(wijken: 2, categories: 3).generate(seed: 11)
        // A spike in the last week (week 103) of the first series.
        let lastWeek = MeldingHistoryGenerator.start + 103 * MeldingHistoryGenerator.week
        let extra = Int(series[0].means[103] * 3 + 8)
        for k in 0..<extra {
            var m = Melding(source: "test", sourceID: "spike-\(k)", category: series[0].category, createdAt: lastWeek + 3_600_000 * Int64(10 + k % 100))
            m.wijk = series[0].wijk
            m.hoofdcategorie = series[0].category
            meldingen.append(m)
        }
        series[0].counts[103] += Double(extra)
        _ = try store.meldingen.saveMeldingen(meldingen.map { MeldingWrite($0) },
                                    file: MeldingFileRecord(sha256: "g", name: "g", format: "g", meldingen: meldingen.count, report: "", completedAt: 0))
        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
        let week = TimeWindow(start: DutchTime.weekStart(lastWeek + 43_200_000), end: DutchTime.weekStart(lastWeek + 8 * 86_400_000))
        let results = try runner.run(pipeline, over: week)
        #expect(results.count == 1 && results[0].window == week)
        let rows = try store.releases.rows(dataset: "meldingen-prognose-week", after: nil, limit: 100).rows
        #expect(rows.count == 6 * 4)
        #expect(rows.allSatisfy { [CellValue.text("poisson-seasonal"), .text("seasonal-naive")].contains($0[8]) && $0[11] == .integer(104) })
        #expect(rows.allSatisfy { if case .number(let mase) = $0[10] { return mase > 0 && mase < 2 } else { return false } })
        // The 80% band holds the forecast, never goes below zero and has width.
        // (A whole number comes back from the store as an integer.)
        func number(_ c: CellValue) -> Double? {
            switch c {
            case .number(let d): d
            case .integer(let n): Double(n)
            default: nil
            }
        }
        #expect(rows.allSatisfy { (row: [CellValue]) -> Bool in
            guard let e = number(row[5]), let lo = number(row[6]), let hi = number(row[7]) else { return false }
            return lo >= 0 && lo <= e && e <= hi && (hi > lo || e == 0)
        })
        let alerts = try store.meldingen.alerts(includeAcknowledged: false)
        #expect(alerts.contains { $0.kind == .spike && $0.wijk == series[0].wijk && $0.categories == series[0].category && $0.weekStart == week.start })
        // A second run of the same week keeps one alert per subject, and acknowledging it is remembered.
        _ = try runner.run(pipeline, over: week)
        let again = try store.meldingen.alerts(includeAcknowledged: true)
        #expect(again.count == alerts.count)
        #expect(try store.meldingen.acknowledgeAlert(id: again[0].id, by: "wijkteam", note: "bekeken", at: 1))
        #expect(try !store.meldingen.acknowledgeAlert(id: again[0].id, by: "wijkteam", note: nil, at: 2))
        #expect(try store.meldingen.alerts(includeAcknowledged: false).count == alerts.count - 1)
    }
}

/// The tiles pipeline: norms from Pipelines/mappings/normen.yaml, the worst open colour per
/// hoofdcategorie at the end of the week.
struct MeldingenTilesPipelineTests {
    @Test func tilesPerHoofdcategorie() throws {
        let pipeline = try PipelineDefinition.load(path: MeldingenPipelineTests.repo + "/Pipelines/meldingen-tegels-week.yaml")
        let stage = try #require(pipeline.stage(MeldingenTilesStage.self), "not a tiles pipeline")
        #expect(stage.norms["Afval"] == ServiceNorm(service: .workingDays(3), legal: .workingDays(10)) && stage.norms["default"] != nil)
        let store = try SQLiteStore(dataDirectory: NSTemporaryDirectory() + "lantaarn-tiles-\(UUID().uuidString.prefix(8))")
        func m(_ id: String, _ created: String, closed: String? = nil, hoofd: String) -> MeldingWrite {
            var x = Melding(source: "t", sourceID: id, category: hoofd, createdAt: ISO8601.parse(created)!)
            x.hoofdcategorie = hoofd
            x.wijk = "WK039201"
            x.history = [Melding.StatusChange(at: x.createdAt, state: "m", closes: false)]
            if let closed { x.history.append(Melding.StatusChange(at: ISO8601.parse(closed)!, state: "o", closes: true)) }
            return MeldingWrite(x)
        }
        // Week ends Monday 2024-03-11 00:00 (CET). Afval: 3wd service, 10wd legal.
        let writes = [
            m("fresh", "2024-03-08T09:00:00+01:00", hoofd: "Afval"),                      // 0.6 working days: green
            m("late", "2024-03-04T09:00:00+01:00", hoofd: "Afval"),                       // 4.6 working days: orange
            m("done", "2024-02-01T09:00:00+01:00", closed: "2024-03-01T09:00:00+01:00", hoofd: "Afval"),   // closed: not on the tile
            m("old", "2024-02-12T09:00:00+01:00", hoofd: "Verlichting en verkeer"),       // 19.6 wd > 15wd legal: red
            m("other", "2024-03-07T09:00:00+01:00", hoofd: "Iets anders"),                // default norms: green
        ]
        _ = try store.meldingen.saveMeldingen(writes, file: MeldingFileRecord(sha256: "t", name: "t", format: "t", meldingen: 5, report: "", completedAt: 0))
        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
        _ = try runner.run(pipeline, over: TimeWindow(start: ISO8601.parse("2024-03-05T00:00:00Z")!, end: ISO8601.parse("2024-03-10T23:00:00Z")!))
        let rows = try store.releases.rows(dataset: "meldingen-tegels-week", after: nil, limit: 10).rows
        #expect(rows.map { $0[0] } == [.text("Afval"), .text("Iets anders"), .text("Verlichting en verkeer")])
        #expect(rows[0][1] == .text("2024-03-10T23:00:00Z"))
        // One green and one orange Afval melding: reports too small to publish (they add up to the
        // gemeente's open Afval meldingen in the weekly table, were there one).
        #expect(Array(rows[0][2...6]) == [.text("oranje"), .null, .null, .integer(0), .text("ja")], "\(rows[0])")
        #expect(rows[1][2] == .text("groen") && rows[2][2] == .text("rood"))
    }
}
