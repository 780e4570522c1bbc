import LantaarnModel
import PostgresNIO
import Store

extension PostgresReleaseStore: StaleWindowLog {
    public func changeMark() throws -> Int64 {
        try database.withSession { try Self.changeMark($0) }
    }

    static func changeMark(_ session: PGSession) throws -> Int64 {
        try session.query("SELECT coalesce(max(id), 0)::bigint FROM data_change").first!.decode(Int64.self)
    }

    public func staleWindows(dataset: String, quantities: Set<String>) throws -> [StaleWindow] {
        guard !quantities.isEmpty else { return [] }
        // A change lies in a window when its 15-minute bucket starts inside it; no window is longer
        // than a week (169 hours across a change of summer time), which bounds the index range.
        let rows = try database.withSession { session in
            try session.query("""
                SELECT r.id, r.window_start, r.window_end, c.kind, sum(c.count)::bigint, max(c.at)
                FROM data_change c
                JOIN release r ON r.dataset = \(dataset) AND r.window_start <= c.bucket AND r.window_start > c.bucket - \(Int64(8 * 86_400_000))
                                  AND r.window_end > c.bucket AND c.id > r.changes_through
                WHERE c.quantity = ANY(\(quantities.sorted())::text[])
                  AND NOT EXISTS (SELECT 1 FROM release n WHERE n.dataset = r.dataset AND n.window_start = r.window_start AND n.id > r.id)
                GROUP BY r.id, r.window_start, r.window_end, c.kind
                ORDER BY r.window_start, r.id
                """).map { try $0.decode((Int64, Int64, Int64, String, Int64, Int64).self) }
        }
        var out: [StaleWindow] = []
        for (id, start, end, kind, count, at) in rows {
            if out.last?.releaseID != id {
                out.append(StaleWindow(window: TimeWindow(start: start, end: end), releaseID: id, changes: [:], lastChangeAt: at))
            }
            if let kind = DataChangeKind(rawValue: kind) { out[out.count - 1].changes[kind, default: 0] += Int(count) }
            out[out.count - 1].lastChangeAt = max(out[out.count - 1].lastChangeAt, at)
        }
        return out
    }
}
