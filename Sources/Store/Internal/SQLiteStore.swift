import GRDB
import LantaarnModel

/// The SQLite-backed store: one database file (`lantaarn.sqlite`, WAL mode) in the data
/// directory, seen through one store per domain. Consumers take the narrowest domain protocol
/// they need (``ReadingStore``, ``ReleaseStore``, ``MeldingStore`` …); this type only opens the
/// file and hands out the domain stores, which share its connection pool.
public final class SQLiteStore: Sendable {
    /// Series, chunks, the open buffer, sealing, backfill, aggregates, scans, quarantine.
    public let readings: SQLiteReadingStore
    /// Datasets, releases, pipeline runs and versions, export rows, stale windows.
    public let releases: SQLiteReleaseStore
    /// Meldingen openbare ruimte, their files and the alerts pipelines raise on them.
    public let meldingen: SQLiteMeldingStore
    /// Pseudonymised ANPR sightings, kept only until travel times are computed.
    public let anpr: SQLiteAnprStore
    /// Imported CBS boundary sets.
    public let boundaries: SQLiteBoundaryStore
    /// Purge, legal holds and the destruction log.
    public let retention: SQLiteRetentionStore
    /// Staff accounts, their tokens and the audit log.
    public let staff: SQLiteStaffStore

    private let database: StoreDatabase
    /// The shared pool, for tests that inspect or tamper with tables directly.
    var pool: DatabasePool { database.pool }

    /// Opens (creating if needed) `lantaarn.sqlite` in `dataDirectory` and migrates it.
    /// A store keeps the chunk span it was created with; `policy.lateness` may change.
    public init(dataDirectory: String, policy: ChunkPolicy = .standard) throws {
        database = try StoreDatabase(dataDirectory: dataDirectory, policy: policy)
        readings = SQLiteReadingStore(database)
        releases = SQLiteReleaseStore(database)
        meldingen = SQLiteMeldingStore(database)
        anpr = SQLiteAnprStore(database)
        boundaries = SQLiteBoundaryStore(database)
        retention = SQLiteRetentionStore(database)
        staff = SQLiteStaffStore(database)
    }

    /// Path of the database file.
    public var path: String { database.path }
    /// How readings are cut into chunks (the span the file was created with).
    public var policy: ChunkPolicy { database.policy }
    /// Page size of new database files.
    public static var pageSize: Int { StoreDatabase.pageSize }

    /// Runs `PRAGMA integrity_check` over the whole file and returns its findings (`["ok"]` when clean).
    public func integrityCheck() throws -> [String] {
        try database.pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }
}
