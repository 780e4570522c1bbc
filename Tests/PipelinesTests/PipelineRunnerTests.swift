import Foundation
import TestSupport
import Geo
import LantaarnModel
@testable import Pipelines
import Store
import Testing

struct PipelineRunnerTests {
    @Test func runsAreIdempotentPerWindow() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("runner"))
        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
        let pipeline = try PipelineDefinition.load(path: repoRoot + "/Pipelines/luchtkwaliteit-per-wijk-uur.yaml")
        let base = ISO8601.parse("2026-11-20T10:00:00Z")!
        let readings = (0..<120).map { i in
            Reading(series: SeriesKey(sensorID: "a", quantity: "pm25"), timestamp: base + Int64(i) * 60_000,
                    value: Double(i % 10), wijk: WijkCode("WK039201"))
        }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        let range = TimeWindow(start: base, end: base + 2 * TimeBucket.hour)
        let first = try runner.run(pipeline, over: range)
        #expect(first.map(\.rowsOut) == [1, 1])
        #expect(first.map(\.rowsIn) == [60, 60])
        _ = try runner.run(pipeline, over: range)   // re-run replaces, never duplicates
        let summary = try #require(try store.releases.dataset(named: "luchtkwaliteit-per-wijk-uur"))
        #expect(summary.rowCount == 2)
        #expect(summary.releaseCount == 4)
        let row = try store.releases.rows(dataset: "luchtkwaliteit-per-wijk-uur", after: nil, limit: 10).rows[0]
        #expect(row[1] == .text("Oude Stad"))
        #expect(row[6] == .number(4.5))
    }

    @Test func dueWindowsCatchUpAndRecomputeLateOnes() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("due"))
        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
        let pipeline = try PipelineDefinition.load(path: repoRoot + "/Pipelines/geluid-per-wijk-uur.yaml")
        let now = ISO8601.parse("2026-11-22T10:20:00Z")!
        // Nothing published yet: catch up from the horizon to the last closed hour.
        let first = try #require(try runner.dueWindows(pipeline, now: now, catchUp: 6 * TimeBucket.hour, lateness: TimeBucket.hour))
        #expect(first == TimeWindow(start: ISO8601.parse("2026-11-22T04:00:00Z")!, end: ISO8601.parse("2026-11-22T10:00:00Z")!))
        _ = try runner.run(pipeline, over: first)
        // Published up to 10:00: only the late-data window (the last hour) is due again.
        let again = try #require(try runner.dueWindows(pipeline, now: now, catchUp: 6 * TimeBucket.hour, lateness: TimeBucket.hour))
        #expect(again == TimeWindow(start: ISO8601.parse("2026-11-22T09:00:00Z")!, end: ISO8601.parse("2026-11-22T10:00:00Z")!))
    }
}

/// Runs are recorded, failures too, and the scheduler retries a failure with backoff.
struct PipelineRunRecordTests {
    @Test func runsAndFailuresAreRecorded() async throws {
        let dir = try scratchDirectory("runs")
        let store = try SQLiteStore(dataDirectory: dir)
        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
        let pipeline = try PipelineDefinition.load(path: repoRoot + "/Pipelines/luchtkwaliteit-per-wijk-uur.yaml")
        let base = ISO8601.parse("2026-11-20T10:00:00Z")!
        _ = try runner.run(pipeline, over: TimeWindow(start: base, end: base + 2 * TimeBucket.hour))
        // Make publishing fail, as a full disk would.
        let trigger = try await runCommand(Tool("sqlite3"), [store.path, "CREATE TRIGGER no_release BEFORE INSERT ON release BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END;"])
        try #require(trigger.status == 0, "\(trigger.error)")
        #expect(throws: (any Error).self) { try runner.run(pipeline, over: TimeWindow(start: base, end: base + TimeBucket.hour)) }
        let runs = try store.releases.pipelineRuns(limit: 10)
        #expect(runs.map(\.outcome) == ["failed", "ok"])
        #expect(runs[1].windows == 2 && runs[1].rowsIn == 0 && runs[1].versionSHA256 == pipeline.versionHash)
        #expect(runs[0].error?.contains("disk full (test)") == true && runs[0].windows == 0)
    }

    @Test func retriesBackOff() {
        var state = PipelineScheduler.RetryState()
        let t0 = ISO8601.parse("2026-11-22T10:00:30Z")!
        #expect(!state.due("p", now: t0))
        state.record("p", succeeded: false, now: t0)
        #expect(state.next("p") == ISO8601.parse("2026-11-22T10:01:00Z")!)
        for _ in 0..<3 { state.record("p", succeeded: false, now: t0) }
        #expect(state.next("p") == ISO8601.parse("2026-11-22T10:08:00Z")!, "1, 2, 4, 8 minutes")
        for _ in 0..<10 { state.record("p", succeeded: false, now: t0) }
        #expect(state.next("p") == ISO8601.parse("2026-11-22T11:00:00Z")!, "at most an hour")
        #expect(state.due("p", now: ISO8601.parse("2026-11-22T11:00:00Z")!))
        state.record("p", succeeded: true, now: t0)
        #expect(state.next("p") == nil)
    }
}
