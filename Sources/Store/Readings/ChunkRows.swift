import GRDB

/// Inserting and deleting chunk rows with the reference count of their shared timestamp block
/// kept in step.
///
/// This was a pair of triggers until issue 28. A statement that fires a trigger may fail halfway,
/// so SQLite keeps a statement journal for it: a copy of every page the statement changes (16 KiB
/// each) written to a temporary file. Backfill deletes and inserts a chunk per window it
/// rewrites, and the journal wrote 1.6 KB per backfilled reading (3.3 GB for 2 M readings into a
/// 33 MB file). Single-row statements without triggers need no such journal.
enum ChunkRows {
    static let insertSQL = """
        INSERT INTO chunk (series_id, window_start, min_ts, max_ts, count, min_value, max_value, sum, ts_id, value, flags)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """

    /// Inserts one chunk (the columns of ``insertSQL``; `ts_id` is the ninth) and takes a
    /// reference on its timestamp block.
    static func insert(_ db: Database, _ arguments: StatementArguments, tsID: Int64) throws {
        try db.cachedStatement(sql: insertSQL).execute(arguments: arguments)
        try db.cachedStatement(sql: "UPDATE ts_block SET refs = refs + 1 WHERE id = ?").execute(arguments: [tsID])
    }

    /// Deletes one chunk and releases its timestamp block, deleting the block when no chunk
    /// uses it any more.
    static func delete(_ db: Database, id: Int64) throws {
        guard let tsID = try Int64.fetchOne(db.cachedStatement(sql: "DELETE FROM chunk WHERE id = ? RETURNING ts_id"), arguments: [id]) else { return }
        // The last reference deletes the block; another only counts down.
        try db.cachedStatement(sql: "DELETE FROM ts_block WHERE id = ? AND refs <= 1").execute(arguments: [tsID])
        if db.changesCount == 0 {
            try db.cachedStatement(sql: "UPDATE ts_block SET refs = refs - 1 WHERE id = ?").execute(arguments: [tsID])
        }
    }
}
