import Foundation
import TestSupport
import Geo
import LantaarnModel
@testable import Pipelines
import Store
import Testing

/// Releases follow their inputs (issue 28): readings that change under a published window make
/// it stale; it is computed again once, with the reason in its lineage; other windows stay.
struct StaleWindowTests {
    static let base = ISO8601.parse("2026-11-20T00:00:00Z")!
    static let dataset = "luchtkwaliteit-per-wijk-uur"

    static func readings(_ quantity: String, from start: Int64, minutes: Int, sensor: String = "a", value: (Int) -> Double = { Double($0 % 10) }) -> [Reading] {
        (0..<minutes).map { i in
            Reading(series: SeriesKey(sensorID: sensor, quantity: quantity), timestamp: start + Int64(i) * 60_000,
                    value: value(i), wijk: WijkCode("WK039201"))
        }
    }

    struct Setup {
        let store: SQLiteStore
        let runner: PipelineRunner
        let pipeline: PipelineDefinition
        var offset: Int64 = 0

        init(_ name: String) throws {
            store = try SQLiteStore(dataDirectory: try scratchDirectory(name))
            runner = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
            pipeline = try PipelineDefinition.load(path: repoRoot + "/Pipelines/luchtkwaliteit-per-wijk-uur.yaml")
        }

        mutating func append(_ readings: [Reading]) throws -> AppendResult {
            offset += 1
            return try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: offset))
        }

        /// Versions of the dataset's releases per window start (current ones).
        func versions() throws -> [Int64: Int] {
            Dictionary(try store.releases.releases(dataset: StaleWindowTests.dataset).map { ($0.window.start, $0.version) }) { max($0, $1) }
        }
    }

    /// Live readings 10:00-14:00 of day 1 and all of day 3 (day 1 is then sealed), published for
    /// day 1; then 02:00-04:00 of day 1 arrive in two batches (a backfill burst).
    @Test func aBackfillBurstMakesItsWindowsStaleAndTheyAreComputedAgainOnce() throws {
        var s = try Setup("stale-burst")
        _ = try s.append(Self.readings("pm25", from: Self.base + 10 * TimeBucket.hour, minutes: 240))
        _ = try s.append(Self.readings("pm25", from: Self.base + 2 * 86_400_000, minutes: 24 * 60))
        let day1 = TimeWindow(start: Self.base, end: Self.base + 86_400_000)
        #expect(try s.runner.run(s.pipeline, over: day1).count == 24)
        #expect(try s.runner.staleWindows(s.pipeline).isEmpty)
        let first = try s.store.releases.releases(dataset: Self.dataset)
        let release2 = try #require(first.first { $0.window.start == Self.base + 2 * TimeBucket.hour }?.id)

        // The burst: two batches, each half of 02:00-04:00, pm25 and pm10.
        let two = Self.base + 2 * TimeBucket.hour
        let a = try s.append(Self.readings("pm25", from: two, minutes: 60) + Self.readings("pm10", from: two, minutes: 60))
        let b = try s.append(Self.readings("pm25", from: two + TimeBucket.hour, minutes: 60))
        // pm10 is a new series (no sealed chunks): stored the live way, and still a change.
        #expect(a.stored == 120 && a.backfilled == 60 && b.backfilled == 60, "\(a) \(b)")
        // A quantity the pipeline does not read changes nothing it published.
        _ = try s.append(Self.readings("laeq", from: Self.base + 5 * TimeBucket.hour, minutes: 30))

        let stale = try s.runner.staleWindows(s.pipeline)
        #expect(stale.map(\.window.start) == [two, two + TimeBucket.hour])
        #expect(stale.first?.reason == "120 readings arrived after release \(release2)", "\(stale)")
        #expect(stale.last?.changes == [.arrived: 60])

        // The scheduler waits until the changes settle: nothing while they are recent.
        let catalog = PipelineCatalog(pipelines: [s.pipeline])
        let waiting = PipelineScheduler(catalog: catalog, runner: s.runner, cadence: .cron, recomputeAfter: 3_600_000, logger: .init(label: "t"))
        #expect(waiting.runDue(s.pipeline, scheduled: false))
        #expect(try s.versions().values.allSatisfy { $0 == 1 })
        // Settled: each stale window once, the others not at all.
        let settled = PipelineScheduler(catalog: catalog, runner: s.runner, cadence: .cron, recomputeAfter: 0, logger: .init(label: "t"))
        #expect(settled.runDue(s.pipeline, scheduled: false))
        #expect(settled.runDue(s.pipeline, scheduled: false))
        let versions = try s.versions()
        #expect(versions.count == 24)
        #expect(versions.filter { $0.value == 2 }.keys.sorted() == [two, two + TimeBucket.hour])
        #expect(versions.filter { $0.value > 2 }.isEmpty)
        #expect(try s.runner.staleWindows(s.pipeline).isEmpty)

        let again = try s.store.releases.releases(dataset: Self.dataset).filter { $0.version == 2 }
        #expect(again.allSatisfy { $0.lineage.contains("\"recomputed_because\":") })
        #expect(again.first?.lineage.contains("120 readings arrived after release \(release2)") == true)
        #expect(again.first?.rowsIn == 120, "the new release counts the backfilled readings")

        // The purge drops the changes every current release has seen; the noise readings'
        // change stays (the 05:00 air release predates it, though it does not read noise).
        func changes() throws -> [String] {
            try runCommandBlocking(Tool("sqlite3"), [s.store.path, "SELECT quantity FROM data_change"]).output.split(separator: "\n").map(String.init)
        }
        #expect(try Set(changes()) == ["pm25", "pm10", "laeq"])
        _ = try s.store.retention.purge(RetentionPolicies(readings: RetentionPolicy(keep: "1000y", basis: "t")!, datasets: [:]), dryRun: false)
        let left = try changes()
        #expect(Set(left) == ["laeq"], "\(left)")
        #expect(try s.runner.staleWindows(s.pipeline).isEmpty)
    }

    /// A reading the store already held changes nothing; a conflict changes nothing either (the
    /// stored value stays); a wijk reassignment moves published readings; a correction changes one.
    /// A window published before the pipeline's window length changed is not one the new
    /// calendar computes, so recomputing cannot supersede it: the scheduler leaves it (listed by
    /// `pipeline stale`, republished by `pipeline backfill`) instead of computing it every minute.
    @Test func aWindowOfAnEarlierLengthIsNotRecomputedForever() throws {
        var s = try Setup("stale-length")
        _ = try s.append(Self.readings("pm25", from: Self.base + 10 * TimeBucket.hour, minutes: 240))
        _ = try s.append(Self.readings("pm25", from: Self.base + 2 * 86_400_000, minutes: 24 * 60))
        #expect(try s.runner.run(s.pipeline, over: TimeWindow(start: Self.base, end: Self.base + 86_400_000)).count == 24)
        var twoHourly = s.pipeline
        twoHourly.window = 2 * TimeBucket.hour
        twoHourly.calendar = .fixed(2 * TimeBucket.hour)
        // Readings arrive under 11:00-12:00, a window the two-hour calendar does not have.
        _ = try s.append(Self.readings("pm25", from: Self.base + 11 * TimeBucket.hour + 30 * 60_000 + 30_000, minutes: 1, value: { _ in 99 }))
        #expect(try s.runner.staleWindows(twoHourly).map(\.window.start) == [Self.base + 11 * TimeBucket.hour])
        let scheduler = PipelineScheduler(catalog: PipelineCatalog(pipelines: [twoHourly]), runner: s.runner, cadence: .cron,
                                          recomputeAfter: 0, logger: .init(label: "t"))
        for _ in 0..<3 { #expect(scheduler.runDue(twoHourly, scheduled: false)) }
        #expect(try s.store.releases.releases(dataset: Self.dataset).count == 24, "nothing recomputed, once or every minute")
        #expect(try s.runner.staleWindows(twoHourly).count == 1)
    }

    @Test func duplicatesChangeNothingReassignmentsAndCorrectionsDo() throws {
        var s = try Setup("stale-reassign")
        let day1 = Self.readings("pm25", from: Self.base, minutes: 24 * 60)
        _ = try s.append(day1)
        _ = try s.append(Self.readings("pm25", from: Self.base + 2 * 86_400_000, minutes: 60))
        _ = try s.runner.run(s.pipeline, over: TimeWindow(start: Self.base, end: Self.base + 86_400_000))
        let copy = try s.append(Array(day1[600..<700]))
        #expect(copy.duplicates == 100)
        let conflict = try s.append(Self.readings("pm25", from: Self.base + 10 * TimeBucket.hour, minutes: 1) { _ in 99 })
        #expect(conflict.conflicts == 1)
        #expect(try s.runner.staleWindows(s.pipeline).isEmpty)

        let moved = try s.store.readings.reassignWijk([WijkMove(sensorID: "a", window: TimeWindow(start: Self.base + 6 * TimeBucket.hour, end: Self.base + 8 * TimeBucket.hour),
                                                       wijk: WijkCode("WK039203"))], vintage: 2026)
        #expect(moved == 120)
        let stale = try s.runner.staleWindows(s.pipeline)
        #expect(stale.map(\.window.start) == [Self.base + 6 * TimeBucket.hour, Self.base + 7 * TimeBucket.hour])
        #expect(stale.first?.reason.hasPrefix("60 readings moved to another wijk or buurt after release") == true, "\(stale)")
        let results = try s.runner.recompute(s.pipeline, stale)
        #expect(results.count == 2)
        let row = try s.store.releases.rows(dataset: Self.dataset, after: RowCursor(windowStart: Self.base + 6 * TimeBucket.hour, seq: -1), limit: 1).rows[0]
        #expect(row[0] == .text("WK039203"), "the recomputed window counts the readings in their new wijk: \(row)")

        // The conflict applied on purpose: a correction under the 10:00 release.
        let entry = try #require(try s.store.readings.quarantine(limit: 1).first)
        let ten = Self.base + 10 * TimeBucket.hour
        let release10 = try #require(try s.store.releases.releases(dataset: Self.dataset).last { $0.window.start == ten }?.id)
        #expect(try s.store.readings.correct(Self.readings("pm25", from: ten, minutes: 1) { _ in 99 }[0], quarantineID: entry.id!, note: "t") != nil)
        let corrected = try s.runner.staleWindows(s.pipeline)
        #expect(corrected.map(\.window.start) == [ten] && corrected.first?.reason == "1 correction after release \(release10)", "\(corrected)")
    }

    /// ANPR windows are never stale (their sightings are gone by design); meldingen are not tracked.
    @Test func anprAndMeldingenPipelinesHaveNoStaleWindows() throws {
        let s = try Setup("stale-anpr")
        for file in try FileManager.default.contentsOfDirectory(atPath: repoRoot + "/Pipelines") where file.hasSuffix(".yaml") {
            let p = try PipelineDefinition.load(path: repoRoot + "/Pipelines/" + file)
            if case .readings = p.input { continue }
            #expect(try s.runner.staleWindows(p).isEmpty, "\(file)")
        }
    }

    @Test func reasonsGroupThousands() {
        let w = StaleWindow(window: TimeWindow(start: 0, end: 1), releaseID: 17, changes: [.arrived: 1152, .corrected: 3], lastChangeAt: 0)
        #expect(w.reason == "1,152 readings arrived after release 17; 3 corrections after release 17")
        #expect(StaleWindow(window: w.window, releaseID: 1, changes: [.corrected: 1], lastChangeAt: 0).reason == "1 correction after release 1")
    }
}
