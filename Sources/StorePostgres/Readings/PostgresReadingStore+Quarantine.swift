import Foundation
import LantaarnModel
import PostgresNIO
import Store

extension PostgresReadingStore {
    static func insertQuarantine(_ session: PGSession, _ entries: [QuarantineEntry]) throws {
        guard !entries.isEmpty else { return }
        try session.insert(into: "quarantine", columns: ["received_at", "source", "origin", "sensor_id", "reason", "payload", "field", "field_ts"],
                           entries, batch: 500) { q, b in
            b.append(q.receivedAt)
            b.append(q.source)
            b.append(q.origin)
            b.append(q.sensorID)
            b.append(q.reason)
            try b.append(Data(q.payload))
            b.append(q.value?.field)
            b.append(q.value?.timestamp)
        }
    }

    private static let columns = "id, received_at, source, origin, sensor_id, reason, payload, field, field_ts"

    private func entries(_ query: PostgresQuery) throws -> [QuarantineEntry] {
        try database.withSession { session in
            try session.query(query).map { row in
                let (id, receivedAt, source, origin, sensorID, reason, payload, field, fieldTS) =
                    try row.decode((Int64, Int64, String, String, String?, String, Data, String?, Int64?).self)
                return QuarantineEntry(receivedAt: receivedAt, source: source, origin: origin, sensorID: sensorID, reason: reason,
                                       payload: [UInt8](payload), value: field.map { .init(field: $0, timestamp: fieldTS ?? 0) }, id: id)
            }
        }
    }

    public func quarantine(limit: Int) throws -> [QuarantineEntry] {
        try entries("SELECT \(unescaped: Self.columns) FROM quarantine ORDER BY id DESC LIMIT \(Int64(limit))")
    }

    public func quarantine(after id: Int64, limit: Int) throws -> [QuarantineEntry] {
        try entries("SELECT \(unescaped: Self.columns) FROM quarantine WHERE id > \(id) ORDER BY id LIMIT \(Int64(limit))")
    }

    public func quarantineEntry(id: Int64) throws -> QuarantineEntry? {
        try entries("SELECT \(unescaped: Self.columns) FROM quarantine WHERE id = \(id)").first
    }

    @discardableResult
    public func replayQuarantine(id: Int64, readings: [Reading], quarantined: [QuarantineEntry]) throws -> AppendResult {
        try appending { session, appender, _ in
            guard let source = try session.query("DELETE FROM quarantine WHERE id = \(id) RETURNING source").first?.decode(String.self) else {
                throw PostgresStoreError("quarantine entry \(id) does not exist (replayed already?)")
            }
            return try appender.append(readings, quarantined: quarantined, source: source)
        }
    }
}
