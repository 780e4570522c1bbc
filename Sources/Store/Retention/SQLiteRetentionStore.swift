/// Retention in SQLite: the purge over every domain's tables, legal holds and the destruction log.
public final class SQLiteRetentionStore: SQLiteDomainStore {
    let database: StoreDatabase

    init(_ database: StoreDatabase) { self.database = database }
}
