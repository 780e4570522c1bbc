/// Releases in SQLite: datasets, releases and their rows, pipeline runs and versions, and which
/// releases their inputs changed under (stale windows).
public final class SQLiteReleaseStore: SQLiteDomainStore {
    let database: StoreDatabase

    init(_ database: StoreDatabase) { self.database = database }
}
