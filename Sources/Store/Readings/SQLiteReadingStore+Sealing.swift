import GRDB
import LantaarnModel

extension SQLiteReadingStore {
    @discardableResult
    public func sealExpired(now: Int64) throws -> Int {
        let limit = policy.sealLimit(watermark: now)
        return try pool.write { db in
            var due: [SeriesState] = [], moved = 0
            for row in try Row.fetchAll(db, sql: "SELECT id, sealed_until, watermark FROM series WHERE sealed_until < ?", arguments: [limit]) {
                due.append(SeriesState(id: row[0], sealedUntil: row[1], watermark: row[2]))
                if limit > Int64.min {
                    try SQLiteOpenBuffer.forEach(db, seriesIDs: [row[0]], times: Int64.min...(limit - 1)) { _, _, _, _ in moved += 1 }
                }
            }
            try appender(db).sealExpired(due, now: now)
            return moved
        }
    }
}
