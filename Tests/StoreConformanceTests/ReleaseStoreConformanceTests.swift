import Foundation
import LantaarnModel
import Store
import Testing

/// `ReleaseStore` and `StaleWindowLog` on every backend: publishing replaces a window's rows and
/// keeps the superseded release, hashes are the same on every backend, and readings stored under
/// a published window make it stale.
struct ReleaseStoreConformanceTests {
    static let meta = DatasetMetadata(name: "d", title: "T", description: "D", pipeline: "p", license: "CC0-1.0", retention: "1y",
                                      columns: [ColumnSpec(name: "a", type: .text, description: ""),
                                                ColumnSpec(name: "n", type: .number, description: "")])

    @Test(arguments: Backend.allCases)
    func publishReplacesItsWindowAtomically(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        #expect(throws: (any Error).self) {
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 0, end: 1), rows: [], rowsIn: 0, lineage: .null))
        }
        let generation = try store.releases.storedDatasetGeneration()
        try store.releases.register(Self.meta)
        let w1 = TimeWindow(start: 0, end: 3_600_000), w2 = TimeWindow(start: 3_600_000, end: 7_200_000)
        try store.releases.publish(ReleaseDraft(dataset: "d", window: w1, rows: [[.text("x"), .number(1.5)], [.text("y"), .null]], rowsIn: 9, lineage: .null))
        try store.releases.publish(ReleaseDraft(dataset: "d", window: w2, rows: [[.text("z"), .integer(3)]], rowsIn: 1, lineage: .null))
        try store.releases.publish(ReleaseDraft(dataset: "d", window: w1, rows: [[.text("x2"), .number(2.25)]], rowsIn: 4, lineage: .null))
        #expect(try store.releases.storedDatasetGeneration() == generation + 4)
        #expect(store.releases.localDatasetWrites >= 4)
        let summary = try #require(try store.releases.dataset(named: "d"))
        #expect(summary.rowCount == 2 && summary.releaseCount == 3)
        #expect(summary.coverage == TimeWindow(start: 0, end: 7_200_000))
        #expect(summary.metadata.name == "d" && summary.latestReleaseID != nil)
        #expect(try store.releases.datasetNames() == ["d"] && store.releases.datasets().map(\.rowCount) == [2])
        #expect(try store.releases.dataset(named: "nope") == nil)
        #expect(try store.releases.latestWindowEnd(dataset: "d") == 7_200_000)
        #expect(try store.releases.windowStart(dataset: "d", coveringNewestRows: 1) == 0)
        #expect(try store.releases.windowStart(dataset: "d", coveringNewestRows: 2) == nil)
        // Keyset paging visits every row once, in window order.
        let first = try store.releases.rows(dataset: "d", after: nil, limit: 1)
        #expect(first.rows == [[.text("x2"), .number(2.25)]])
        let second = try store.releases.rows(dataset: "d", after: first.next, limit: 1)
        #expect(second.rows == [[.text("z"), .integer(3)]])
        let rest = try store.releases.rows(dataset: "d", after: second.next, limit: 1)
        #expect(rest.rows.isEmpty && rest.next == nil)

        // Both releases of w1 are kept, the older one superseded with its rows.
        let releases = try store.releases.releases(dataset: "d")
        #expect(releases.map(\.version) == [1, 2, 1] && releases.map(\.current) == [false, true, true])
        let old = releases[0]
        #expect(try store.releases.releaseRows(old, after: nil, limit: 10).rows == [[.text("x"), .number(1.5)], [.text("y"), .null]])
        let page = try store.releases.releaseRows(old, after: nil, limit: 1)
        let next = try store.releases.releaseRows(old, after: page.next, limit: 1).rows
        #expect(page.rows.count == 1 && next == [[.text("y"), .null]])
        #expect(try releases.allSatisfy { try store.releases.verify($0) && store.releases.rowsKept($0) })
        #expect(try store.releases.release(id: old.id) == old)
    }

    /// The same drafts give the same release hashes on SQLite and PostgreSQL (any node gives a
    /// release the same ETag).
    @Test func hashesAreTheSameOnEveryBackend() throws {
        let stores = try Backend.allCases.map { try StoreUnderTest($0) }
        defer { stores.forEach { $0.close() } }
        let lineage = JSONValue.object([("pipeline", .string("p")), ("window", .array([.number(0), .number(1)]))])
        let hashes = try stores.map { store -> [String] in
            try store.releases.register(Self.meta)
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 0, end: 10),
                                                    rows: [[.text("Één \"wijk\""), .number(0.1)], [.null, .integer(-7)]], rowsIn: 2, lineage: lineage))
            return try store.releases.releases(dataset: "d").map(\.sha256)
        }
        #expect(hashes[0].count == 1 && hashes[0][0].count == 64)
        #expect(hashes.allSatisfy { $0 == hashes[0] })
    }

    /// Readings stored under a published window after its run read its input make it stale; a
    /// new release of the window clears it.
    @Test(arguments: Backend.allCases)
    func backfillUnderAReleaseMakesItStale(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let hour: Int64 = 3_600_000, base = ISO8601.parse("2026-03-02T00:00:00Z")!
        func reading(_ m: Int64, _ q: String = "pm25") -> Reading {
            Reading(series: SeriesKey(sensorID: "s", quantity: q), timestamp: base + m * 60_000, value: 3, wijk: WijkCode("WK039201"))
        }
        try store.readings.append(IngestBatch(readings: (0..<60).map { reading($0 * 2) }, quarantined: [], source: "t", offset: 1))
        try store.releases.register(Self.meta)
        let mark = try store.releases.changeMark()
        let w1 = TimeWindow(start: base, end: base + hour), w2 = TimeWindow(start: base + hour, end: base + 2 * hour)
        for w in [w1, w2] {
            try store.releases.publish(ReleaseDraft(dataset: "d", window: w, rows: [], rowsIn: 30, lineage: .null, changesThrough: mark))
        }
        #expect(try store.releases.staleWindows(dataset: "d", quantities: ["pm25"]).isEmpty)
        // Odd minutes of the first hour arrive late; another quantity changes nothing for pm25.
        try store.readings.append(IngestBatch(readings: (0..<30).map { reading($0 * 2 + 1) } + [reading(5, "pm10")], quarantined: [],
                                              source: "t", offset: 2))
        let stale = try store.releases.staleWindows(dataset: "d", quantities: ["pm25"])
        #expect(stale.map(\.window) == [w1])
        #expect(stale.first?.changes == [.arrived: 30])
        #expect(stale.first?.reason.contains("30 readings arrived after release") == true)
        #expect(try store.releases.changeMark() > mark)
        try store.releases.publish(ReleaseDraft(dataset: "d", window: w1, rows: [], rowsIn: 60, lineage: .null))
        #expect(try store.releases.staleWindows(dataset: "d", quantities: ["pm25"]).isEmpty)
    }
}
