import Foundation
import GRDB
import LantaarnModel

extension SQLiteReadingStore: ReadingStore {
    @discardableResult
    public func append(_ batch: IngestBatch) throws -> AppendResult {
        try pool.write { db in
            let result = try store(db, batch.readings, quarantined: batch.quarantined, source: batch.source)
            try db.cachedStatement(sql: """
                INSERT INTO ingest_offset (source, log_offset) VALUES (?, ?)
                ON CONFLICT(source) DO UPDATE SET log_offset = excluded.log_offset
                """).execute(arguments: [batch.source, batch.offset])
            return result
        }
    }

    /// Stores readings and quarantine entries inside the caller's transaction (see ``ReadingAppender``).
    func store(_ db: Database, _ readings: [Reading], quarantined: [QuarantineEntry], source: String) throws -> AppendResult {
        try appender(db).append(readings, quarantined: quarantined, source: source)
    }

    /// The storage rules over this transaction.
    func appender(_ db: Database) -> ReadingAppender<SQLiteReadingLedger> {
        ReadingAppender(SQLiteReadingLedger(db: db, span: policy.span), policy: policy)
    }

    public func committedOffset(source: String) throws -> Int64 {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT log_offset FROM ingest_offset WHERE source = ?", arguments: [source]) ?? 0
        }
    }

    public func scan(quantities: Set<String>, window: TimeWindow, _ visit: (Reading) throws -> Void) throws {
        guard !quantities.isEmpty, window.end > window.start else { return }
        let readings = try pool.read { db -> [Reading] in
            let series = try SeriesState.all(db, quantities: quantities)
            guard !series.isEmpty else { return [] }
            var out: [Reading] = []
            var chunks = try ChunkCursor(db, seriesIDs: series.keys, window: window, span: policy.span)
            while try chunks.next() {
                let key = series[chunks.header.seriesID]!
                let ts = try chunks.timestamps(), vs = try chunks.values(), fs = try chunks.flags()
                for k in ts.indices where window.contains(ts[k]) {
                    out.append(Reading(series: key.series, timestamp: ts[k], value: vs[k], wijk: key.wijk, buurt: key.buurt,
                                       flags: QualityFlags(rawValue: fs[k])))
                }
            }
            try SQLiteOpenBuffer.forEach(db, seriesIDs: Array(series.keys), times: window.start...(window.end - 1)) { id, ts, value, flags in
                let key = series[id]!
                out.append(Reading(series: key.series, timestamp: ts, value: value, wijk: key.wijk, buurt: key.buurt,
                                   flags: QualityFlags(rawValue: flags)))
            }
            return out
        }
        // Stable: readings with equal timestamps keep chunk order, then arrival order.
        for r in readings.enumerated().sorted(by: { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }) {
            try visit(r.element)
        }
    }

    public func readingCount() throws -> Int {
        try pool.read(Self.readingCount)
    }

    /// Readings in sealed chunks and in the open buffer (also of a store copy, opened read-only).
    static func readingCount(_ db: Database) throws -> Int {
        let sealed = try Int.fetchOne(db, sql: "SELECT coalesce(sum(count), 0) FROM chunk") ?? 0
        return sealed + (try SQLiteOpenBuffer.count(db))
    }
}
