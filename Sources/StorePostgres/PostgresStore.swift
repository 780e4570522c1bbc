import Logging
import Store

/// The PostgreSQL store (`store: postgresql://...`): the scale-out backend, implementing the same
/// domain protocols as ``SQLiteStore`` over one set of connections.
///
/// The schema covers every domain. Implemented so far: boundaries, ANPR sightings, legal holds
/// and the destruction log, meldingen with their files and alerts, pipeline runs and versions,
/// readings (append with backfill, sealing, scans, aggregates, quarantine). Corrections and
/// wijk reassignment of readings, datasets and releases, stale windows and the purge follow (issue 29); until then
/// `lantaarn` does not take a PostgreSQL URL.
public final class PostgresStore: Sendable {
    /// Imported CBS boundary sets.
    public let boundaries: PostgresBoundaryStore
    /// Pseudonymised ANPR sightings.
    public let anpr: PostgresAnprStore
    /// Legal holds and the destruction log.
    public let holds: PostgresLegalHoldStore
    /// Meldingen openbare ruimte, their files and alerts.
    public let meldingen: PostgresMeldingStore
    /// Pipeline runs and versions (datasets and releases follow).
    public let releases: PostgresReleaseStore
    /// Readings: series, chunks, the open buffer and quarantine.
    public let readings: PostgresReadingStore
    /// Which node runs the pipeline scheduler.
    public let schedulerLease: PostgresSchedulerLease

    /// Connects to `url` (a `postgresql://` URL) and migrates the schema.
    public init(url: String, policy: ChunkPolicy = .standard, logger: Logger = Logger(label: "lantaarn.store.postgresql")) throws {
        let database = try PGDatabase(url: try PostgresURL(url), logger: logger)
        boundaries = PostgresBoundaryStore(database)
        anpr = PostgresAnprStore(database)
        holds = PostgresLegalHoldStore(database)
        meldingen = PostgresMeldingStore(database)
        releases = PostgresReleaseStore(database)
        readings = PostgresReadingStore(database, policy: policy)
        schedulerLease = PostgresSchedulerLease(database, logger: logger)
    }
}
