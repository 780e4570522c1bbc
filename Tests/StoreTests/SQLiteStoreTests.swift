import Foundation
import LantaarnModel
import Store
import Testing

func scratchDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "lantaarn-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

struct SQLiteStoreTests {
    func reading(_ sensor: String, _ q: String, _ ts: Int64, _ v: Double, _ wijk: String? = "WK039201") -> Reading {
        Reading(series: SeriesKey(sensorID: sensor, quantity: q), timestamp: ts, value: v, wijk: wijk.flatMap(WijkCode.init))
    }

    /// The file stays sound after appends (what an append commits is checked on every backend by
    /// `StoreConformanceTests/ReadingStoreConformanceTests`).
    @Test func theFileIsSoundAfterAppends() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("store"))
        try store.readings.append(IngestBatch(readings: [reading("s", "pm25", 2000, 1.5), reading("s", "pm25", 1000, 2.5, nil)],
                                     quarantined: [], source: "mqtt", offset: 123))
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test func publishReplacesItsWindowAtomically() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("release"))
        let meta = DatasetMetadata(name: "d", title: "T", description: "D", pipeline: "p", license: "CC0-1.0", retention: "1y",
                                   columns: [ColumnSpec(name: "a", type: .text, description: ""), ColumnSpec(name: "n", type: .number, description: "")])
        #expect(throws: StoreError.self) {
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 0, end: 1), rows: [], rowsIn: 0, lineage: .null))
        }
        try store.releases.register(meta)
        let w1 = TimeWindow(start: 0, end: 3_600_000), w2 = TimeWindow(start: 3_600_000, end: 7_200_000)
        try store.releases.publish(ReleaseDraft(dataset: "d", window: w1, rows: [[.text("x"), .number(1.5)], [.text("y"), .null]], rowsIn: 9, lineage: .null))
        try store.releases.publish(ReleaseDraft(dataset: "d", window: w2, rows: [[.text("z"), .integer(3)]], rowsIn: 1, lineage: .null))
        try store.releases.publish(ReleaseDraft(dataset: "d", window: w1, rows: [[.text("x2"), .number(2.25)]], rowsIn: 4, lineage: .null))
        let summary = try #require(try store.releases.dataset(named: "d"))
        #expect(summary.rowCount == 2)
        #expect(summary.releaseCount == 3)
        #expect(summary.coverage == TimeWindow(start: 0, end: 7_200_000))
        #expect(try store.releases.latestWindowEnd(dataset: "d") == 7_200_000)
        // Keyset paging visits every row once, in window order.
        let first = try store.releases.rows(dataset: "d", after: nil, limit: 1)
        #expect(first.rows == [[.text("x2"), .number(2.25)]])
        let second = try store.releases.rows(dataset: "d", after: first.next, limit: 1)
        #expect(second.rows == [[.text("z"), .integer(3)]])
        let rest = try store.releases.rows(dataset: "d", after: second.next, limit: 1)
        #expect(rest.rows.isEmpty && rest.next == nil)
    }

    /// Two handles on one file behave like `serve` and `pipeline run` in separate processes.
    @Test func twoHandlesOnOneDataDirectory() throws {
        let dir = try scratchDirectory("shared")
        let a = try SQLiteStore(dataDirectory: dir), b = try SQLiteStore(dataDirectory: dir)
        try a.readings.append(IngestBatch(readings: [reading("s", "pm25", 1, 1)], quarantined: [], source: "mqtt", offset: 10))
        #expect(try b.readings.readingCount() == 1)
        try b.readings.append(IngestBatch(readings: [reading("s", "pm25", 2, 1)], quarantined: [], source: "file", offset: 5))
        #expect(try a.readings.committedOffset(source: "file") == 5)
        #expect(try a.readings.committedOffset(source: "mqtt") == 10)
    }
}

struct PipelineVersionArchiveTests {
    @Test func versionsAreKeptOnce() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("versions"))
        let v1 = PipelineVersionRecord(pipeline: "p", sha256: "a", version: "1", definition: "x: 1", firstSeen: 1)
        #expect(try store.releases.archivePipelineVersion(v1))
        #expect(try !store.releases.archivePipelineVersion(PipelineVersionRecord(pipeline: "p", sha256: "a", version: "1", definition: "x: 1", firstSeen: 5)))
        #expect(try store.releases.archivePipelineVersion(PipelineVersionRecord(pipeline: "p", sha256: "b", version: "2", definition: "x: 2", firstSeen: 2)))
        #expect(try store.releases.pipelineVersions("p").map(\.version) == ["1", "2"] && store.releases.pipelineVersions("p")[0].firstSeen == 1)
    }
}
