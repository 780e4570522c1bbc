/// Meldingen openbare ruimte in SQLite: meldingen with their status history, ingested files and
/// the alerts pipelines raise on them.
public final class SQLiteMeldingStore: SQLiteDomainStore {
    let database: StoreDatabase

    init(_ database: StoreDatabase) { self.database = database }
}
