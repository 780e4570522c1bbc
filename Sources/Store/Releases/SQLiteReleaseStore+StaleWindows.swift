import GRDB
import LantaarnModel

extension SQLiteReleaseStore: StaleWindowLog {
    public func changeMark() throws -> Int64 {
        try pool.read { db in try Self.changeMark(db) }
    }

    static func changeMark(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM data_change") ?? 0
    }

    public func staleWindows(dataset: String, quantities: Set<String>) throws -> [StaleWindow] {
        guard !quantities.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: quantities.count).joined(separator: ",")
        // A change lies in a window when its 15-minute bucket starts inside it; no window is longer
        // than a week (169 hours across a change of summer time), which bounds the index range.
        var arguments: StatementArguments = [dataset, Int64(8 * 86_400_000)]
        arguments += StatementArguments(quantities.sorted())
        let rows = try pool.read { db -> [Row] in
            try Row.fetchAll(db, sql: """
                SELECT r.id, r.window_start, r.window_end, c.kind, sum(c.count), max(c.at)
                FROM data_change c
                JOIN release r ON r.dataset = ? AND r.window_start <= c.bucket AND r.window_start > c.bucket - ?
                                  AND r.window_end > c.bucket AND c.id > r.changes_through
                WHERE c.quantity IN (\(placeholders))
                  AND NOT EXISTS (SELECT 1 FROM release n WHERE n.dataset = r.dataset AND n.window_start = r.window_start AND n.id > r.id)
                GROUP BY r.id, c.kind
                ORDER BY r.window_start, r.id
                """, arguments: arguments)
        }
        var out: [StaleWindow] = []
        for row in rows {
            let id: Int64 = row[0]
            if out.last?.releaseID != id {
                out.append(StaleWindow(window: TimeWindow(start: row[1], end: row[2]), releaseID: id, changes: [:], lastChangeAt: row[5]))
            }
            if let kind = DataChangeKind(rawValue: row[3]) { out[out.count - 1].changes[kind, default: 0] += row[4] as Int }
            out[out.count - 1].lastChangeAt = max(out[out.count - 1].lastChangeAt, row[5])
        }
        return out
    }
}
