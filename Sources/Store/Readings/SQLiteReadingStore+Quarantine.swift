import Foundation
import GRDB
import LantaarnModel

extension SQLiteReadingStore {
    static func insertQuarantine(_ db: Database, _ entries: [QuarantineEntry]) throws {
        guard !entries.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO quarantine (received_at, source, origin, sensor_id, reason, payload, field, field_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for q in entries {
            try insert.execute(arguments: [q.receivedAt, q.source, q.origin, q.sensorID, q.reason, Data(q.payload), q.value?.field,
                                           q.value?.timestamp])
        }
    }

    private static let columns = "id, received_at, source, origin, sensor_id, reason, payload, field, field_ts"

    private static func entry(_ row: Row) -> QuarantineEntry {
        let payload: Data = row[6]
        let field: String? = row[7]
        return QuarantineEntry(receivedAt: row[1], source: row[2], origin: row[3], sensorID: row[4], reason: row[5],
                               payload: [UInt8](payload), value: field.map { .init(field: $0, timestamp: row[8]) }, id: row[0])
    }

    public func quarantine(limit: Int) throws -> [QuarantineEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM quarantine ORDER BY id DESC LIMIT ?", arguments: [limit]).map(Self.entry)
        }
    }

    public func quarantine(after id: Int64, limit: Int) throws -> [QuarantineEntry] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM quarantine WHERE id > ? ORDER BY id LIMIT ?",
                             arguments: [id, limit]).map(Self.entry)
        }
    }

    public func quarantineEntry(id: Int64) throws -> QuarantineEntry? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM quarantine WHERE id = ?", arguments: [id]).map(Self.entry)
        }
    }

    @discardableResult
    public func replayQuarantine(id: Int64, readings: [Reading], quarantined: [QuarantineEntry]) throws -> AppendResult {
        try pool.write { db in
            guard let source = try String.fetchOne(db, sql: "SELECT source FROM quarantine WHERE id = ?", arguments: [id]) else {
                throw StoreError("quarantine entry \(id) does not exist (replayed already?)")
            }
            try db.execute(sql: "DELETE FROM quarantine WHERE id = ?", arguments: [id])
            return try store(db, readings, quarantined: quarantined, source: source)
        }
    }
}
