import Foundation
import GRDB
import LantaarnModel

extension SQLiteMeldingStore: AlertStore {
    /// Records the alerts of `weekStart`, keeping acknowledgements of alerts raised before.
    public func recordAlerts(_ alerts: [MeldingAlert], weekStart: Int64) throws {
        try pool.write { db in
            for a in alerts {
                try db.execute(sql: """
                    INSERT INTO melding_alert (week_start, wijk, kind, categories, observed, expected, tail, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (week_start, wijk, kind, categories) DO UPDATE SET observed = excluded.observed,
                      expected = excluded.expected, tail = excluded.tail
                    """, arguments: [weekStart, a.wijk, a.kind.rawValue, a.categories, a.observed, a.expected, a.tail, a.createdAt])
            }
        }
    }

    public func alerts(includeAcknowledged: Bool) throws -> [MeldingAlert] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, week_start, wijk, kind, categories, observed, expected, tail, created_at, acknowledged_at, acknowledged_by, note
                FROM melding_alert \(includeAcknowledged ? "" : "WHERE acknowledged_at IS NULL") ORDER BY week_start DESC, wijk, id
                """).map { row in
                var a = MeldingAlert(weekStart: row[1], wijk: row[2], kind: MeldingAlert.Kind(rawValue: row[3]) ?? .spike, categories: row[4],
                                     observed: row[5], expected: row[6], tail: row[7], createdAt: row[8])
                a.id = row[0]
                a.acknowledgedAt = row[9]
                a.acknowledgedBy = row[10]
                a.note = row[11]
                return a
            }
        }
    }

    public func acknowledgeAlert(id: Int64, by: String, note: String?, at: Int64) throws -> Bool {
        try pool.write { db in
            try db.execute(sql: """
                UPDATE melding_alert SET acknowledged_at = ?, acknowledged_by = ?, note = ? WHERE id = ? AND acknowledged_at IS NULL
                """, arguments: [at, by, note, id])
            return db.changesCount == 1
        }
    }
}
