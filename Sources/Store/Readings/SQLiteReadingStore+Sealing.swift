import GRDB
import LantaarnModel

extension SQLiteReadingStore {
    @discardableResult
    public func sealExpired(now: Int64) throws -> Int {
        let limit = policy.sealLimit(watermark: now)
        return try pool.write { db in
            var due: [SeriesState] = [], moved = 0
            for row in try Row.fetchAll(db, sql: """
                SELECT id, sealed_until, watermark, (SELECT count(*) FROM open_reading o WHERE o.series_id = series.id AND o.ts < ?)
                FROM series WHERE sealed_until < ?
                """, arguments: [limit, limit]) {
                due.append(SeriesState(id: row[0], sealedUntil: row[1], watermark: row[2]))
                moved += row[3] as Int
            }
            try appender(db).sealExpired(due, now: now)
            return moved
        }
    }
}
