/// Readings in SQLite: series, sealed chunks, the open buffer, backfill, aggregates, scans,
/// observations, quarantine, corrections and wijk reassignment.
public final class SQLiteReadingStore: SQLiteDomainStore {
    let database: StoreDatabase

    init(_ database: StoreDatabase) { self.database = database }
}
