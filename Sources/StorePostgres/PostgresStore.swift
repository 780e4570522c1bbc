import Logging
import Store

/// The PostgreSQL store (`store: postgresql://...`): the scale-out backend, implementing the same
/// domain protocols as ``SQLiteStore`` over one set of connections.
///
/// Implemented so far: boundaries. The other domains (readings, releases, meldingen, ANPR,
/// retention) follow (issue 29); until then `lantaarn` refuses a PostgreSQL URL for serving.
public final class PostgresStore: Sendable {
    /// Imported CBS boundary sets.
    public let boundaries: PostgresBoundaryStore

    private let database: PGDatabase

    /// Connects to `url` (a `postgresql://` URL) and migrates the schema.
    public init(url: String, logger: Logger = Logger(label: "lantaarn.store.postgresql")) throws {
        database = try PGDatabase(url: try PostgresURL(url), logger: logger)
        boundaries = PostgresBoundaryStore(database)
    }

    /// The URL without its password.
    public var url: String { database.url.redacted }
}
