import Foundation
import GRDB

/// Online copies of the SQLite store and their restore. A copy is one SQLite file made with
/// `VACUUM INTO` on a read connection: a consistent snapshot of the store as of one moment while
/// `serve` goes on writing (WAL readers never wait for writers), compacted, with no free pages.
public enum StoreBackup {
    /// What a copy or a restore found.
    public struct Summary: Sendable, Equatable {
        public var bytes: Int64
        public var readings: Int
        public var releases: Int
        /// `PRAGMA integrity_check` of the copy: `["ok"]` when clean.
        public var integrity: [String]
    }

    /// Why a copy or restore cannot be made, with what to do.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case exists(String)
        case notAStore(String)
        case damaged(String, String)

        public var description: String {
            switch self {
            case .exists(let p): return "'\(p)' exists already; give a new file name (a backup never overwrites)"
            case .notAStore(let p): return "'\(p)' is not a Lantaarn store backup (no store_meta table); give a file made by 'lantaarn backup'"
            case .damaged(let p, let why): return "'\(p)' fails SQLite's integrity check (\(why)); take another backup"
            }
        }
    }

    /// Copies `store` to `path` (a new file; its folder must exist) and checks the copy.
    public static func copy(_ store: SQLiteStore, to path: String) throws -> Summary {
        guard !FileManager.default.fileExists(atPath: path) else { throw Failure.exists(path) }
        // Written under a temporary name and renamed when checked: a half-made copy never has the name.
        let partial = path + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        do {
            try store.pool.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [partial]) }
            let summary = try check(partial)
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            return summary
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Puts the copy at `path` in place as the store of `dataDirectory`, which must hold no store
    /// yet; the store is then opened, so an older copy is migrated.
    public static func restore(_ path: String, into dataDirectory: String) throws -> Summary {
        let target = (dataDirectory as NSString).appendingPathComponent("lantaarn.sqlite")
        guard !FileManager.default.fileExists(atPath: target) else { throw Failure.exists(target) }
        let summary = try check(path)
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let partial = target + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try FileManager.default.copyItem(atPath: path, toPath: partial)
        try FileManager.default.moveItem(atPath: partial, toPath: target)
        _ = try SQLiteStore(dataDirectory: dataDirectory)
        return summary
    }

    /// Opens `path` read-only and checks it is an intact store.
    static func check(_ path: String) throws -> Summary {
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: path, configuration: config) } catch { throw Failure.notAStore(path) }
        return try queue.read { db in
            // A file SQLite cannot read as a database is not a backup either.
            guard (try? db.tableExists("store_meta")) == true else { throw Failure.notAStore(path) }
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard integrity == ["ok"] else { throw Failure.damaged(path, integrity.prefix(3).joined(separator: "; ")) }
            let readings = try SQLiteReadingStore.readingCount(db)
            let releases = try Int.fetchOne(db, sql: "SELECT count(*) FROM release") ?? 0
            let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
            return Summary(bytes: bytes ?? 0, readings: readings, releases: releases, integrity: integrity)
        }
    }
}
