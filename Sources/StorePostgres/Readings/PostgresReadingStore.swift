import Foundation
import LantaarnModel
import PostgresNIO
import Store

/// Readings in PostgreSQL: series, sealed chunks (the same codecs as SQLite, partitioned by
/// month), the open buffer, backfill, aggregates, scans and quarantine. The storage rules are
/// ``ReadingAppender``'s, shared with SQLite; ``PGReadingLedger`` does the statements.
public final class PostgresReadingStore: Sendable {
    let database: PGDatabase
    /// How readings are cut into chunks.
    public let policy: ChunkPolicy
    private let partitions = PGChunkPartitions()

    init(_ database: PGDatabase, policy: ChunkPolicy) {
        self.database = database
        self.policy = policy
    }

    /// Runs `body` with the storage rules (and their ledger) over one transaction, and remembers
    /// the chunk partitions it created once that committed.
    func appending<T>(commit: Bool = true, _ body: (PGSession, ReadingAppender<PGReadingLedger>, PGReadingLedger) throws -> T) throws -> T {
        var ledger: PGReadingLedger?
        let result = try database.transaction(commit: commit) { session in
            let l = PGReadingLedger(session, partitions: partitions)
            ledger = l
            return try body(session, ReadingAppender(l, policy: policy), l)
        }
        if commit { partitions.remember(ledger?.createdMonths ?? []) }
        return result
    }

    /// Series of the given quantities, keyed by id.
    static func series(_ session: PGSession, quantities: Set<String>) throws -> [Int64: SeriesInfo] {
        var out: [Int64: SeriesInfo] = [:]
        for row in try session.query("SELECT id, sensor_id, quantity, wijk, buurt FROM series WHERE quantity = ANY(\(quantities.sorted())::text[])") {
            let (id, sensor, quantity, wijk, buurt) = try row.decode((Int64, String, String, String, String).self)
            out[id] = SeriesInfo(sensorID: sensor, quantity: quantity, wijk: wijk, buurt: buurt)
        }
        return out
    }

    /// The statement selecting chunks of `ids` with a reading in `window` (`columns` after the
    /// series id), in (window, series) order.
    func chunksQuery(_ columns: String, ids: [Int64], window: TimeWindow) -> PostgresQuery {
        """
        SELECT series_id, \(unescaped: columns) FROM chunk
        WHERE series_id = ANY(\(ids)::bigint[]) AND window_start > \(window.start &- policy.span) AND window_start < \(window.end)
          AND max_ts >= \(window.start) AND min_ts < \(window.end)
        ORDER BY window_start, series_id
        """
    }
}

extension PostgresReadingStore {
    /// Bytes the readings take on disk (for sizing): the chunk partitions, and the open buffer,
    /// each with indexes and TOAST.
    public func storedBytes() throws -> (chunks: Int64, openBuffer: Int64) {
        try database.withSession { session in
            (try session.query("SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::bigint FROM pg_partition_tree('chunk')")
                .first!.decode(Int64.self),
             try session.query("SELECT pg_total_relation_size('open_reading')").first!.decode(Int64.self))
        }
    }
}

extension PostgresReadingStore {
    /// Adds a chunk row whose columns 9 and 10 are its timestamp and value blobs.
    private static func addDecoded(_ row: PostgresRow, _ stats: ChunkStatistics, series: AggregateSelection.Series, _ q: AggregateQuery,
                                   to table: inout AggregateTable) throws {
        try table.addChunk(stats, summary: nil, series: series, q) {
            let cells = row.makeRandomAccess()
            let ts = try cells[8].decode(Data.self), vs = try cells[9].decode(Data.self)
            return (try ts.withUnsafeBytes { try TimestampCodec.decode($0) }, try vs.withUnsafeBytes { try DecimalValueCodec.decode($0) })
        }
    }
}

extension PostgresReadingStore: ReadingStore {
    @discardableResult
    public func append(_ batch: IngestBatch) throws -> AppendResult {
        try appending { session, appender, _ in
            let result = try appender.append(batch.readings, quarantined: batch.quarantined, source: batch.source)
            try session.query("""
                INSERT INTO ingest_offset (source, log_offset) VALUES (\(batch.source), \(batch.offset))
                ON CONFLICT (source) DO UPDATE SET log_offset = excluded.log_offset
                """)
            return result
        }
    }

    @discardableResult
    public func sealExpired(now: Int64) throws -> Int {
        let limit = policy.sealLimit(watermark: now)
        return try appending { session, appender, _ in
            var due: [SeriesState] = [], moved = 0
            for row in try session.query("""
                SELECT id, sealed_until, watermark, (SELECT count(*) FROM open_reading o WHERE o.series_id = series.id AND o.ts < \(limit))
                FROM series WHERE sealed_until < \(limit) ORDER BY id FOR UPDATE
                """) {
                let (id, sealed, watermark, buffered) = try row.decode((Int64, Int64, Int64, Int64).self)
                due.append(SeriesState(id: id, sealedUntil: sealed, watermark: watermark))
                moved += Int(buffered)
            }
            try appender.sealExpired(due, now: now)
            return moved
        }
    }

    public func committedOffset(source: String) throws -> Int64 {
        try database.withSession { session in
            try session.query("SELECT log_offset FROM ingest_offset WHERE source = \(source)").first?.decode(Int64.self) ?? 0
        }
    }

    public func scan(quantities: Set<String>, window: TimeWindow, _ visit: (Reading) throws -> Void) throws {
        guard !quantities.isEmpty, window.end > window.start else { return }
        let readings = try database.withSession { session -> [Reading] in
            let series = try Self.series(session, quantities: quantities)
            guard !series.isEmpty else { return [] }
            let ids = series.keys.sorted()
            var out: [Reading] = []
            for row in try session.query(chunksQuery("ts, value, flags", ids: ids, window: window)) {
                let (id, ts, vs, fs) = try row.decode((Int64, Data, Data, Data).self)
                let key = series[id]!
                let c = try ChunkColumns.decode(chunk: "of series \(id)", ts: ts, vs: vs, fs: fs)
                for k in c.ts.indices where window.contains(c.ts[k]) {
                    out.append(Reading(series: key.series, timestamp: c.ts[k], value: c.vs[k], wijk: key.wijk, buurt: key.buurt,
                                       flags: QualityFlags(rawValue: c.fs[k])))
                }
            }
            for row in try session.query("""
                SELECT series_id, ts, value, flags FROM open_reading
                WHERE series_id = ANY(\(ids)::bigint[]) AND ts >= \(window.start) AND ts < \(window.end) ORDER BY id
                """) {
                let (id, t, v, f) = try row.decode((Int64, Int64, Double, Int16).self)
                let key = series[id]!
                out.append(Reading(series: key.series, timestamp: t, value: v, wijk: key.wijk, buurt: key.buurt,
                                   flags: QualityFlags(rawValue: UInt8(truncatingIfNeeded: f))))
            }
            return out
        }
        // Stable: readings with equal timestamps keep chunk order, then arrival order.
        for r in readings.enumerated().sorted(by: { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }) {
            try visit(r.element)
        }
    }

    /// Time-bucketed aggregates, as SQLite computes them: chunks whose summary suffices are read
    /// without their blobs, and large selections are split over the cores (by sensor, or by group
    /// for quantiles), each part on its own connection (one snapshot per part).
    public func aggregate(_ q: AggregateQuery) throws -> [AggregateRow] {
        guard !q.quantities.isEmpty, q.window.end > q.window.start else { return [] }
        let selection = try database.withSession { AggregateSelection(try Self.series($0, quantities: q.quantities), q) }
        guard !selection.series.isEmpty else { return [] }
        return try selection.computeRows(q) { try aggregatePart(q, selection, $0) }
    }

    private func aggregatePart(_ q: AggregateQuery, _ selection: AggregateSelection, _ ids: [Int64]) throws -> AggregateTable {
        try database.transaction { session in
            try session.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            var table = selection.table(q)
            // Chunks whose summary suffices are read without their blobs; the blobs of the others
            // follow in one more statement.
            var decode: (series: [Int64], window: [Int64]) = ([], [])
            let blobs = q.statisticsSuffice ? ", summary" : ", ts, value"
            for row in try session.query(chunksQuery("window_start, count, min_ts, max_ts, min_value, max_value, sum" + blobs, ids: ids, window: q.window)) {
                let (id, window) = try row.decode((Int64, Int64).self)
                let stats = try ChunkStatistics.decode(row, from: 2)
                if q.statisticsSuffice {
                    // The row's or its hours' statistics, or the chunk is decoded below.
                    let summary = try row.makeRandomAccess()[8].decode(Data?.self).map { [UInt8]($0) }
                    var answered = true
                    try table.addChunk(stats, summary: summary, series: selection.series[id]!, q) {
                        answered = false
                        return ([], [])
                    }
                    if !answered {
                        decode.series.append(id)
                        decode.window.append(window)
                    }
                } else {
                    try Self.addDecoded(row, stats, series: selection.series[id]!, q, to: &table)
                }
            }
            if !decode.series.isEmpty {
                for row in try session.query("""
                    SELECT c.series_id, c.window_start, c.count, c.min_ts, c.max_ts, c.min_value, c.max_value, c.sum, c.ts, c.value
                    FROM chunk c JOIN unnest(\(decode.series)::bigint[], \(decode.window)::bigint[]) AS u(s, w)
                      ON c.series_id = u.s AND c.window_start = u.w
                    """) {
                    let id = try row.makeRandomAccess()[0].decode(Int64.self)
                    try Self.addDecoded(row, try ChunkStatistics.decode(row, from: 2), series: selection.series[id]!, q, to: &table)
                }
            }
            for row in try session.query("""
                SELECT series_id, ts, value FROM open_reading
                WHERE series_id = ANY(\(ids)::bigint[]) AND ts >= \(q.window.start) AND ts < \(q.window.end)
                """) {
                let (id, t, v) = try row.decode((Int64, Int64, Double).self)
                table.addOpen(series: selection.series[id]!, timestamp: t, value: v, q)
            }
            return table
        }
    }

    public func readingCount() throws -> Int {
        try database.withSession { session in
            let sealed = try session.query("SELECT coalesce(sum(count), 0)::bigint FROM chunk").first!.decode(Int64.self)
            let open = try session.query("SELECT count(*) FROM open_reading").first!.decode(Int64.self)
            return Int(sealed + open)
        }
    }

    public func ingestedFile(sha256: String) throws -> IngestedFile? {
        try database.withSession { session in
            try session.query("""
                SELECT sha256, name, bytes, rows, readings, quarantined, completed_at FROM ingested_file WHERE sha256 = \(sha256)
                """).first.map { row in
                let (sha, name, bytes, rows, readings, quarantined, completed) = try row.decode((String, String, Int64, Int64, Int64, Int64, Int64).self)
                return IngestedFile(sha256: sha, name: name, bytes: bytes, rows: Int(rows), readings: Int(readings),
                                    quarantined: Int(quarantined), completedAt: completed)
            }
        }
    }

    public func recordIngestedFile(_ f: IngestedFile) throws {
        try database.withSession { session in
            try session.query("""
                INSERT INTO ingested_file (sha256, name, bytes, rows, readings, quarantined, completed_at)
                VALUES (\(f.sha256), \(f.name), \(f.bytes), \(Int64(f.rows)), \(Int64(f.readings)), \(Int64(f.quarantined)), \(f.completedAt))
                ON CONFLICT (sha256) DO UPDATE SET name = excluded.name, bytes = excluded.bytes, rows = excluded.rows,
                    readings = excluded.readings, quarantined = excluded.quarantined, completed_at = excluded.completed_at
                """)
        }
    }
}
