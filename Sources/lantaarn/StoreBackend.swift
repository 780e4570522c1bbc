import Logging
import Store
import StorePostgres

/// The store's domains on the backend `store:` names: the SQLite file in the data directory (the
/// default), or PostgreSQL (`store: postgresql://...`, `--store`, `LANTAARN_STORE`) for several
/// nodes. Everything outside this file sees the domains by their protocols only.
struct StoreBackend {
    let readings: any ReadingStore & ObservationStore & ReadingCorrections & ReadingReassignment
    let releases: any ReleaseStore & StaleWindowLog & PipelineRunLog & PipelineVersionArchive
    let meldingen: any MeldingStore & MeldingArchive & AlertStore
    let anpr: any AnprStore
    let boundaries: any BoundaryStore
    let retention: any RetentionStore
    /// Staff accounts, their tokens and the audit log.
    let staff: any StaffDomain
    /// Who runs the scheduler: always this node on SQLite, one node at a time on PostgreSQL.
    let schedulerLease: any SchedulerLease
    /// Where the data is, for messages: the SQLite file, or the PostgreSQL URL without its password.
    let location: String
    /// The SQLite store itself (online copies); `nil` on PostgreSQL (pg_dump makes its copies).
    var sqlite: SQLiteStore?

    /// Opens the store `settings` name, creating or migrating its schema.
    static func open(_ settings: Settings, logger: Logger = Logger(label: "lantaarn.store")) throws -> StoreBackend {
        if let url = settings.storeURL {
            let store = try PostgresStore(url: url, policy: settings.chunkPolicy, logger: logger)
            return StoreBackend(readings: store.readings, releases: store.releases, meldingen: store.meldingen, anpr: store.anpr,
                                boundaries: store.boundaries, retention: store.retention, staff: store.staff,
                                schedulerLease: store.schedulerLease, location: store.redactedURL)
        }
        let store = try SQLiteStore(dataDirectory: settings.dataDirectory, policy: settings.chunkPolicy)
        return StoreBackend(readings: store.readings, releases: store.releases, meldingen: store.meldingen, anpr: store.anpr,
                            boundaries: store.boundaries, retention: store.retention, staff: store.staff,
                            schedulerLease: SingleNodeLease(), location: store.path, sqlite: store)
    }
}
