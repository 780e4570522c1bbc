import Foundation
import Geo
import LantaarnModel
@testable import Pipelines
import Store
import Testing

struct PipelineRunnerTests {
    @Test func runsAreIdempotentPerWindow() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("runner"))
        let runner = PipelineRunner(store: store, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
        let pipeline = try PipelineDefinition.load(path: repoRoot + "/Pipelines/luchtkwaliteit-per-wijk-uur.yaml")
        let base = ISO8601.parse("2026-11-20T10:00:00Z")!
        let readings = (0..<120).map { i in
            Reading(series: SeriesKey(sensorID: "a", quantity: "pm25"), timestamp: base + Int64(i) * 60_000,
                    value: Double(i % 10), wijk: WijkCode("WK039201"))
        }
        try store.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        let range = TimeWindow(start: base, end: base + 2 * TimeBucket.hour)
        let first = try runner.run(pipeline, over: range)
        #expect(first.map(\.rowsOut) == [1, 1])
        #expect(first.map(\.rowsIn) == [60, 60])
        _ = try runner.run(pipeline, over: range)   // re-run replaces, never duplicates
        let summary = try #require(try store.dataset(named: "luchtkwaliteit-per-wijk-uur"))
        #expect(summary.rowCount == 2)
        #expect(summary.releaseCount == 4)
        let row = try store.rows(dataset: "luchtkwaliteit-per-wijk-uur", after: nil, limit: 10).rows[0]
        #expect(row[1] == .text("Oude Stad"))
        #expect(row[6] == .number(4.5))
    }

    @Test func dueWindowsCatchUpAndRecomputeLateOnes() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("due"))
        let runner = PipelineRunner(store: store, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
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
