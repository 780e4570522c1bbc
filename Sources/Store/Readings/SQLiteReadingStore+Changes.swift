import GRDB
import LantaarnModel

extension ChangeTally {
    /// Records the tally in the caller's transaction.
    func write(_ db: Database, at now: Int64 = Clock.nowMilliseconds()) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO data_change (quantity, bucket, kind, count, at) VALUES (?, ?, ?, ?, ?)")
        for (entry, count) in entries {
            try insert.execute(arguments: [entry.quantity, entry.bucket, entry.kind.rawValue, count, now])
        }
    }
}

extension SQLiteReadingStore {
    /// End of the latest published window of any dataset: a reading before it may change a
    /// release, one after it cannot.
    static func publishedUntil(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT max(window_end) FROM release") ?? Int64.min
    }
}
