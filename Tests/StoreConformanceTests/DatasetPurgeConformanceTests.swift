import Foundation
import LantaarnModel
import Store
import Testing

/// Dataset windows expire with their releases on every backend (the other kinds of data are in
/// `LegalHoldConformanceTests`).
struct DatasetPurgeConformanceTests {
    static let day: Int64 = 86_400_000
    static let now = ISO8601.parse("2026-11-22T12:00:00Z")!

    /// Superseded releases whose rows are still kept.
    func supersededWithRows(_ store: StoreUnderTest) throws -> Int {
        try store.releases.releases(dataset: "d").filter { !$0.current && $0.rowsOut > 0 }.count
    }

    @Test(arguments: Backend.allCases)
    func datasetWindowsExpireWithTheirReleases(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        try store.releases.register(DatasetMetadata(name: "d", title: "T", description: "D", pipeline: "p", license: "CC0-1.0", retention: "10d",
                                           columns: [ColumnSpec(name: "n", type: .integer, description: "")]))
        for d in 0..<20 {
            let start = Self.now - Int64(20 - d) * Self.day
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: start, end: start + Self.day),
                                           rows: d % 5 == 0 ? [] : [[.integer(Int64(d))]], rowsIn: 1, lineage: .null))
        }
        // Re-runs of day 2 (expires) and day 16 (stays): the superseded releases keep their rows until then.
        for d in [2, 16] {
            let start = Self.now - Int64(20 - d) * Self.day
            try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: start, end: start + Self.day),
                                           rows: [[.integer(Int64(100 + d))]], rowsIn: 1, lineage: .null))
        }
        #expect(try supersededWithRows(store) == 2)
        try store.retention.addHold(kind: .dataset, subject: "d", window: TimeWindow(start: Self.now - 19 * Self.day, end: Self.now - 18 * Self.day), reason: "bezwaar")
        var policies = RetentionPolicies(readings: RetentionPolicy(keep: "365d", basis: "b")!, datasets: [:])
        policies.datasets["d"] = RetentionPolicy(keep: "10d", basis: "Selectielijst 2020, 7.1")
        let report = try store.retention.purge(policies, now: Self.now, dryRun: false)
        #expect(report.held.map(\.readings) == [1])
        let summary = try #require(try store.releases.dataset(named: "d"))
        // Windows ending on or before now-10d are gone, except the held one: days 10...19 remain (8 with rows) plus held day 1.
        #expect(summary.rowCount == 9)
        #expect(summary.releaseCount == 12)
        // Day 2's superseded rows went with its releases; day 16's are still there, and hash as recorded.
        #expect(try supersededWithRows(store) == 1)
        #expect(try store.releases.releases(dataset: "d").allSatisfy { try store.releases.verify($0) })
        #expect(try store.retention.destructionLog().last?.kind == "dataset")
        #expect(try store.retention.holds().count == 1)
        #expect(throws: (any Error).self) { try store.retention.removeHold(id: 99) }
    }
}
