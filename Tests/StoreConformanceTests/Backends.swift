import Foundation
import Store
import StorePostgres
import TestSupport

/// The backends every conformance test runs against.
enum Backend: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgresql
    var description: String { rawValue }
}

/// One store under test and what it needs kept alive; `close()` stops a private PostgreSQL.
final class StoreUnderTest: @unchecked Sendable {   // used from one test only
    let backend: Backend
    let boundaries: any BoundaryStore
    let anpr: any AnprStore
    let retention: any RetentionStore
    let meldingen: any MeldingStore & MeldingArchive & AlertStore
    let releases: any ReleaseStore & StaleWindowLog & PipelineRunLog & PipelineVersionArchive
    let readings: any ReadingStore & ObservationStore & ReadingCorrections & ReadingReassignment
    private let server: PostgresServer?
    private let keep: AnyObject

    init(_ backend: Backend, policy: ChunkPolicy = .standard) throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            let store = try SQLiteStore(dataDirectory: NSTemporaryDirectory() + "lantaarn-conformance-\(UUID().uuidString.prefix(8))", policy: policy)
            (boundaries, anpr, retention, meldingen, releases, readings, server, keep) =
                (store.boundaries, store.anpr, store.retention, store.meldingen, store.releases, store.readings, nil, store)
        case .postgresql:
            let server = try PostgresServer()
            let store = try PostgresStore(url: server.url, policy: policy)
            (boundaries, anpr, retention, meldingen, releases, readings, self.server, keep) =
                (store.boundaries, store.anpr, store.retention, store.meldingen, store.releases, store.readings, server, store)
        }
    }

    func close() { server?.stop() }
}
