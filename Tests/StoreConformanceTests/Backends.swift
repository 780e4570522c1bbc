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
    let staff: any StaffDomain
    private let server: PostgresServer?
    /// The SQLite file (for tampering from outside).
    private let file: String?
    private let keep: AnyObject

    init(_ backend: Backend, policy: ChunkPolicy = .standard) throws {
        self.backend = backend
        switch backend {
        case .sqlite:
            let store = try SQLiteStore(dataDirectory: NSTemporaryDirectory() + "lantaarn-conformance-\(UUID().uuidString.prefix(8))", policy: policy)
            (boundaries, anpr, retention, meldingen, releases, readings, server, keep) =
                (store.boundaries, store.anpr, store.retention, store.meldingen, store.releases, store.readings, nil, store)
            (staff, file) = (store.staff, store.path)
        case .postgresql:
            let server = try PostgresServer()
            let store = try PostgresStore(url: server.url, policy: policy)
            (boundaries, anpr, retention, meldingen, releases, readings, self.server, keep) =
                (store.boundaries, store.anpr, store.retention, store.meldingen, store.releases, store.readings, server, store)
            (staff, file) = (store.staff, nil)
        }
    }

    func close() { server?.stop() }

    /// Another store object on the same database, as a second node has.
    func secondConnection() throws -> any StaffDomain {
        if let server { return try PostgresStore(url: server.url).staff }
        let directory = (file! as NSString).deletingLastPathComponent
        return try SQLiteStore(dataDirectory: directory).staff
    }

    /// Runs SQL on the store from outside, with the command-line client of its backend, as
    /// someone with access to the database file or server would.
    func tamper(_ sql: String) throws {
        if let server {
            try server.psql(sql)
            return
        }
        let result = try runCommandBlocking(try Tool("sqlite3"), [file!, sql])
        guard result.status == 0 else { throw ToolError("sqlite3 failed (\(result.status)): \(result.error)") }
    }
}
