import Logging
import Store

/// The PostgreSQL store (`store: postgresql://...`): the scale-out backend, implementing the same
/// domain protocols as ``SQLiteStore`` over one set of connections.
///
/// Every domain is implemented: readings (append with backfill, sealing, scans, aggregates,
/// observations, quarantine, corrections, wijk reassignment), datasets and releases with row
/// queries and stale windows, meldingen, ANPR sightings, boundaries, legal holds, the destruction
/// log and the purge, pipeline runs and versions, the scheduler lease, staff and the audit log.
public final class PostgresStore: Sendable {
    /// Imported CBS boundary sets.
    public let boundaries: PostgresBoundaryStore
    /// Pseudonymised ANPR sightings.
    public let anpr: PostgresAnprStore
    /// Legal holds, the destruction log and the purge.
    public let retention: PostgresRetentionStore
    /// Meldingen openbare ruimte, their files and alerts.
    public let meldingen: PostgresMeldingStore
    /// Pipeline runs and versions (datasets and releases follow).
    public let releases: PostgresReleaseStore
    /// Readings: series, chunks, the open buffer and quarantine.
    public let readings: PostgresReadingStore
    /// Which node runs the pipeline scheduler.
    public let schedulerLease: PostgresSchedulerLease
    /// Staff accounts, their tokens and the audit log.
    public let staff: PostgresStaffStore
    /// The URL without its password, for messages.
    public let redactedURL: String

    /// Connects to `url` (a `postgresql://` URL) and migrates the schema.
    public init(url: String, policy: ChunkPolicy = .standard, logger: Logger = Logger(label: "lantaarn.store.postgresql")) throws {
        let parsed = try PostgresURL(url)
        redactedURL = parsed.redacted
        let database = try PGDatabase(url: parsed, logger: logger)
        boundaries = PostgresBoundaryStore(database)
        anpr = PostgresAnprStore(database)
        retention = PostgresRetentionStore(database)
        meldingen = PostgresMeldingStore(database)
        releases = PostgresReleaseStore(database, logger: logger)
        readings = PostgresReadingStore(database, policy: policy)
        schedulerLease = PostgresSchedulerLease(database, logger: logger)
        staff = PostgresStaffStore(database)
    }
}
