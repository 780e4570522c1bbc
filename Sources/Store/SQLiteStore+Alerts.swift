import Foundation
import GRDB
import LantaarnModel

/// An early-warning alert about meldingen in one wijk and week.
public struct MeldingAlert: Sendable, Equatable {
    public enum Kind: String, Sendable { case spike, stacked }

    public var id: Int64
    public var weekStart: Int64
    public var wijk: String
    public var kind: Kind
    /// The hoofdcategorie (spike) or the rising ones (stacked), comma-separated.
    public var categories: String
    public var observed: Int
    public var expected: Double
    /// Poisson upper-tail probability (the smallest of the categories for a stacked alert).
    public var tail: Double
    public var createdAt: Int64
    public var acknowledgedAt: Int64?
    public var acknowledgedBy: String?
    public var note: String?

    public init(weekStart: Int64, wijk: String, kind: Kind, categories: String, observed: Int, expected: Double, tail: Double,
                createdAt: Int64) {
        self.id = 0
        self.weekStart = weekStart
        self.wijk = wijk
        self.kind = kind
        self.categories = categories
        self.observed = observed
        self.expected = expected
        self.tail = tail
        self.createdAt = createdAt
    }
}

/// Alerts for people to look at and acknowledge (the admin API).
public protocol AlertStore: Sendable {
    func alerts(includeAcknowledged: Bool) throws -> [MeldingAlert]
    /// Acknowledges alert `id`; false when there is no such alert or it was acknowledged before.
    func acknowledgeAlert(id: Int64, by: String, note: String?, at: Int64) throws -> Bool
}

extension SQLiteStore: AlertStore {
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
