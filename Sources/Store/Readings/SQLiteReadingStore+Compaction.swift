import GRDB
import LantaarnModel

/// Backfill rewrites sealed chunks: the new chunk goes where rows are appended, the old one
/// leaves a hole in a page that stays in use. An in-order load fills pages; after a large
/// backfill the file holds part-empty pages (about 14 % more bytes after 10 % of readings were
/// backfilled over half the store). Like the compaction InfluxDB and VictoriaMetrics run after
/// out-of-order writes, the purge rewrites the file once enough chunks were rewritten since.
extension SQLiteReadingStore {
    /// Chunks rewritten since the last compaction, as a share of all chunks, at which the purge
    /// compacts the file.
    static let compactionShare = 0.1

    static func countRewrittenChunks(_ db: Database, _ n: Int) throws {
        try db.cachedStatement(sql: """
            INSERT INTO store_meta (key, value) VALUES ('chunks_rewritten', ?)
            ON CONFLICT(key) DO UPDATE SET value = value + excluded.value
            """).execute(arguments: [n])
    }

    /// Rewrites the file (`VACUUM`) when backfills rewrote at least a tenth of the chunks since
    /// the last time; returns the file's bytes before and after, `nil` when not needed. Runs
    /// outside a transaction; writers wait (ingest keeps its log meanwhile), readers do not.
    static func compactAfterBackfill(_ db: Database) throws -> (before: Int64, after: Int64)? {
        let rewritten = try Int.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'chunks_rewritten'") ?? 0
        guard rewritten > 0 else { return nil }
        let chunks = try Int.fetchOne(db, sql: "SELECT count(*) FROM chunk") ?? 0
        guard Double(rewritten) >= Self.compactionShare * Double(max(chunks, 1)) else { return nil }
        let before = try Self.fileBytes(db)
        try db.execute(sql: "VACUUM")
        try db.execute(sql: "DELETE FROM store_meta WHERE key = 'chunks_rewritten'")
        return (before, try Self.fileBytes(db))
    }

    private static func fileBytes(_ db: Database) throws -> Int64 {
        let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
        return pages * (try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0)
    }
}
