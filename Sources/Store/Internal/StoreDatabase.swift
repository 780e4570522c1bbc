import Foundation
import Synchronization
import GRDB
import LantaarnModel

/// The one SQLite database file every domain store works on: a GRDB pool in WAL mode inside
/// the data directory, migrated on open.
///
/// Several processes may open the same file (a running `serve` and a `pipeline run`): WAL lets
/// readers proceed during writes, and writers wait for each other up to ``busyTimeout``.
final class StoreDatabase: Sendable {
    /// The GRDB pool; readers run concurrently, writes are serialised.
    let pool: DatabasePool
    /// Path of the database file.
    let path: String
    /// How readings are cut into chunks. The span is fixed when the store is created.
    let policy: ChunkPolicy
    /// Dataset changes (register, publish, purge) committed through this process; with the
    /// stored generation it tells caches when published data changed.
    let datasetWrites = Atomic<Int64>(0)

    /// How long a writer waits for another process's write lock.
    static let busyTimeout: TimeInterval = 30
    /// Page size of new database files (an existing file keeps its own).
    static let pageSize = 16_384
    /// Bytes of the file that reads map into memory (SQLite caps it at its compile-time limit).
    static let mmapSize: Int64 = 1 << 36

    init(dataDirectory: String, policy: ChunkPolicy) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        path = (dataDirectory as NSString).appendingPathComponent("lantaarn.sqlite")
        var config = Configuration()
        config.busyMode = .timeout(Self.busyTimeout)
        config.label = "lantaarn"
        config.prepareDatabase { db in
            // NORMAL is durable against process crashes in WAL mode; the ingest log
            // covers the power-loss window because it is only trimmed after commit.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Destroyed data must not survive in free pages: overwrite it on delete.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Chunk scans read pages straight from the page cache instead of copying them.
            try db.execute(sql: "PRAGMA mmap_size = \(Self.mmapSize)")
            // Both only take effect in a new file, before its first table: large pages pack
            // chunk rows (about 1 KB each) with little slack, and purges hand free pages back
            // to the file system (incremental auto-vacuum).
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            }
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Schema.migrator().migrate(pool)
            // A file created before incremental auto-vacuum needs one VACUUM to switch.
            try pool.barrierWriteWithoutTransaction { db in
                if try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != 2 { try db.execute(sql: "VACUUM") }
            }
            let span = try pool.write { db -> Int64 in
                try db.execute(sql: "INSERT OR IGNORE INTO store_meta (key, value) VALUES ('chunk_span', ?)", arguments: [policy.span])
                return try Int64.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'chunk_span'") ?? policy.span
            }
            self.policy = ChunkPolicy(span: span, lateness: policy.lateness)
        } catch {
            throw StoreError("cannot open the database at \(path): \(error). Check that the data directory is writable and not used by an incompatible Lantaarn version.")
        }
    }

    /// Counts a committed dataset change (register, publish, purge) for response caches.
    func noteDatasetWrite() { datasetWrites.add(1, ordering: .releasing) }
}

/// A domain store over the shared database: readings, releases, meldingen, ANPR, boundaries
/// or retention. Each reads and writes its own tables through the one pool.
protocol SQLiteDomainStore: Sendable {
    var database: StoreDatabase { get }
}

extension SQLiteDomainStore {
    var pool: DatabasePool { database.pool }
    var policy: ChunkPolicy { database.policy }
}
