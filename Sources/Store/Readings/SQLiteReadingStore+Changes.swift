import GRDB
import LantaarnModel

/// How stored readings changed under a time that may already be published.
public enum DataChangeKind: String, Sendable, CaseIterable {
    /// Readings that arrived for a time already published (backfill, late or overlapping archives).
    case arrived
    /// Stored values replaced on purpose (`lantaarn quarantine replay --replace`).
    case corrected
    /// Readings moved to another wijk or buurt (`lantaarn geo import --reassign`).
    case moved
}

/// Changes of one transaction, counted per quantity, 15 minutes and kind, written as one row
/// each. The pipelines' windows (15 minutes, hours, Dutch days and weeks) are whole buckets, so
/// a window's count is the sum of its buckets.
struct ChangeTally {
    static let bucket: Int64 = 15 * 60_000

    private struct Key: Hashable {
        var quantity: String
        var bucket: Int64
        var kind: DataChangeKind
    }
    private var counts: [Key: Int] = [:]

    var isEmpty: Bool { counts.isEmpty }

    mutating func add(_ quantity: String, at timestamp: Int64, _ kind: DataChangeKind, count: Int = 1) {
        counts[Key(quantity: quantity, bucket: TimeBucket.floor(timestamp, size: Self.bucket), kind: kind), default: 0] += count
    }

    /// Records the tally in the caller's transaction.
    func write(_ db: Database, at now: Int64 = Clock.nowMilliseconds()) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO data_change (quantity, bucket, kind, count, at) VALUES (?, ?, ?, ?, ?)")
        for (key, count) in counts.sorted(by: { ($0.key.bucket, $0.key.quantity) < ($1.key.bucket, $1.key.quantity) }) {
            try insert.execute(arguments: [key.quantity, key.bucket, key.kind.rawValue, count, now])
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
