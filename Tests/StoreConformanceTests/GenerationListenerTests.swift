import Foundation
import LantaarnModel
import Store
import Testing
import TestSupport
@testable import StorePostgres

/// HTTP nodes learn of another node's dataset change by `LISTEN/NOTIFY`, not by polling.
struct GenerationListenerTests {
    @Test func anotherNodesPublishIsAnnouncedAtOnce() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        let writer = try PostgresStore(url: server.url), reader = try PostgresStore(url: server.url)
        let before = try reader.releases.storedDatasetGeneration()
        #expect(reader.releases.listener.generation() == before, "listening after the first read")
        try writer.releases.register(ReleaseStoreConformanceTests.meta)
        try writer.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 0, end: 10), rows: [[.text("a"), .integer(1)]],
                                                 rowsIn: 1, lineage: .null))
        // Announced on commit: the reader's generation moves without a query of its own.
        #expect(await waitUntil(timeout: 5) { reader.releases.listener.generation() == before + 2 })
        #expect(try reader.releases.storedDatasetGeneration() == writer.releases.storedDatasetGeneration())
        // A rolled-back change announces nothing (NOTIFY is transactional).
        #expect(throws: (any Error).self) {
            try writer.releases.publish(ReleaseDraft(dataset: "nope", window: TimeWindow(start: 0, end: 10), rows: [], rowsIn: 0, lineage: .null))
        }
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(reader.releases.listener.generation() == before + 2)
    }
}
