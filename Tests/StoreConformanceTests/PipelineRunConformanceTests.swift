import Foundation
import LantaarnModel
import Store
import Testing

/// `PipelineRunLog` and `PipelineVersionArchive` on every backend.
struct PipelineRunConformanceTests {
    @Test(arguments: Backend.allCases)
    func runsNewestFirstAndVersionsKeptOnce(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let runs = (0..<5).map { k in
            PipelineRunRecord(pipeline: "lucht", versionSHA256: "sha-\(k % 2)", startedAt: Int64(k) * 1_000, endedAt: Int64(k) * 1_000 + 500,
                              range: TimeWindow(start: Int64(k) * 3_600_000, end: Int64(k + 1) * 3_600_000), windows: 1, rowsIn: 100 + k,
                              rowsOut: 9, outcome: k == 3 ? "failed" : "ok", error: k == 3 ? "disk full" : nil)
        }
        for run in runs { try store.releases.recordRun(run) }
        #expect(try store.releases.pipelineRuns(limit: 3) == Array(runs.reversed().prefix(3)))
        #expect(try store.releases.pipelineRuns(limit: 10).count == 5)

        let first = PipelineVersionRecord(pipeline: "lucht", sha256: "b2", version: "2", definition: "name: lucht\n", firstSeen: 20)
        let older = PipelineVersionRecord(pipeline: "lucht", sha256: "a1", version: "1", definition: "name: lucht # v1\n", firstSeen: 10)
        #expect(try store.releases.archivePipelineVersion(first))
        #expect(try !store.releases.archivePipelineVersion(first))   // the same text: kept once
        #expect(try store.releases.archivePipelineVersion(older))
        #expect(try store.releases.pipelineVersions("lucht") == [older, first])
        #expect(try store.releases.pipelineVersions("geluid").isEmpty)
    }
}
