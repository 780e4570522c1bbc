import Foundation
import LantaarnModel
import PostgresNIO
import Store

/// The PostgreSQL side of ``ReadingAppender``, inside one transaction.
///
/// A live batch costs a fixed number of round trips, whatever its size: the batch's series are
/// read (and locked) in one statement, and open readings, chunks and series updates are kept
/// until ``finish()`` and then sent as one `unnest` statement each. The series rows are locked
/// in id order (`FOR UPDATE`), so two ingest nodes that receive readings of the same sensor
/// take turns instead of overwriting each other's horizon, and cannot deadlock.
final class PGReadingLedger: ReadingLedger {
    private let session: PGSession
    private let partitions: PGChunkPartitions
    /// Months whose partition this transaction created: known once it commits.
    private(set) var createdMonths: [String] = []

    private var open = (series: [Int64](), ts: [Int64](), vs: [Double](), fs: [Int16]())
    private var chunks = (series: [Int64](), window: [Int64](), minTS: [Int64](), maxTS: [Int64](), count: [Int32](),
                          minValue: [Double](), maxValue: [Double](), sum: [Double](), ts: [ByteBuffer](), vs: [ByteBuffer](),
                          fs: [ByteBuffer](), summary: [ByteBuffer]())
    private var updates: [Int64: SeriesState] = [:]

    init(_ session: PGSession, partitions: PGChunkPartitions) {
        self.session = session
        self.partitions = partitions
    }

    func series(_ identities: [SeriesIdentity]) throws -> [SeriesState] {
        guard !identities.isEmpty else { return [] }
        var found = try lockSeries(identities)
        let missing = identities.filter { found[$0] == nil }
        if !missing.isEmpty {
            // Another node may create the same series at once: its insert wins, this one waits
            // for it and then locks the row.
            try session.query("""
                INSERT INTO series (sensor_id, quantity, wijk, buurt, sealed_until, watermark)
                SELECT s, q, w, b, \(Int64.min), \(Int64.min) FROM unnest(\(missing.map(\.sensorID))::text[], \(missing.map(\.quantity))::text[],
                    \(missing.map(\.wijk))::text[], \(missing.map(\.buurt))::text[]) AS u(s, q, w, b)
                ON CONFLICT (sensor_id, quantity, wijk, buurt) DO NOTHING
                """)
            found.merge(try lockSeries(missing)) { $1 }
        }
        return try identities.map { identity in
            guard let state = found[identity] else { throw PostgresStoreError("series of sensor \(identity.sensorID) could not be created") }
            return state
        }
    }

    private func lockSeries(_ identities: [SeriesIdentity]) throws -> [SeriesIdentity: SeriesState] {
        var out: [SeriesIdentity: SeriesState] = [:]
        for row in try session.query("""
            SELECT s.id, s.sealed_until, s.watermark, s.sensor_id, s.quantity, s.wijk, s.buurt FROM series s
            JOIN unnest(\(identities.map(\.sensorID))::text[], \(identities.map(\.quantity))::text[], \(identities.map(\.wijk))::text[],
                        \(identities.map(\.buurt))::text[]) AS u(s, q, w, b)
              ON s.sensor_id = u.s AND s.quantity = u.q AND s.wijk = u.w AND s.buurt = u.b
            ORDER BY s.id FOR UPDATE OF s
            """) {
            let (id, sealed, watermark, sensor, quantity, wijk, buurt) = try row.decode((Int64, Int64, Int64, String, String, String, String).self)
            out[SeriesIdentity(sensorID: sensor, quantity: quantity, wijk: wijk, buurt: buurt)] =
                SeriesState(id: id, sealedUntil: sealed, watermark: watermark)
        }
        return out
    }

    func storedChunks(seriesID: Int64, windows: ClosedRange<Int64>) throws -> [StoredChunk] {
        try session.query("""
            SELECT window_start, ts, value, flags FROM chunk
            WHERE series_id = \(seriesID) AND window_start >= \(windows.lowerBound) AND window_start <= \(windows.upperBound)
            ORDER BY window_start
            """).map { row in
            let (window, ts, vs, fs) = try row.decode((Int64, Data, Data, Data).self)
            // One chunk per series and window here (the primary key): its window names it.
            return StoredChunk(id: window, window: window, block: nil, timestamps: [UInt8](ts), values: [UInt8](vs), flags: [UInt8](fs))
        }
    }

    func openReadings(seriesID: Int64, from: Int64, through: Int64) throws -> ReadingColumns {
        var out = ReadingColumns()
        for row in try session.query("""
            SELECT ts, value FROM open_reading WHERE series_id = \(seriesID) AND ts >= \(from) AND ts <= \(through) ORDER BY ts, id
            """) {
            let (t, v) = try row.decode((Int64, Double).self)
            out.ts.append(t)
            out.vs.append(v)
        }
        return out
    }

    func bufferedReadings(seriesID: Int64, before limit: Int64) throws -> ReadingColumns {
        var out = ReadingColumns()
        for row in try session.query("""
            SELECT ts, value, flags FROM open_reading WHERE series_id = \(seriesID) AND ts < \(limit) ORDER BY ts, id
            """) {
            let (t, v, f) = try row.decode((Int64, Double, Int16).self)
            out.ts.append(t)
            out.vs.append(v)
            out.fs.append(UInt8(truncatingIfNeeded: f))
        }
        return out
    }

    func deleteBuffered(seriesID: Int64, before limit: Int64) throws {
        try session.query("DELETE FROM open_reading WHERE series_id = \(seriesID) AND ts < \(limit)")
    }

    func insertOpen(seriesID: Int64, _ columns: ReadingColumns) throws {
        open.series += repeatElement(seriesID, count: columns.ts.count)
        open.ts += columns.ts
        open.vs += columns.vs
        open.fs += columns.fs.map { Int16($0) }
    }

    func insertChunk(seriesID: Int64, window: Int64, _ chunk: EncodedChunk) throws {
        let stats = chunk.statistics
        chunks.series.append(seriesID)
        chunks.window.append(window)
        chunks.minTS.append(stats.minTimestamp)
        chunks.maxTS.append(stats.maxTimestamp)
        chunks.count.append(Int32(stats.count))
        chunks.minValue.append(stats.minValue)
        chunks.maxValue.append(stats.maxValue)
        chunks.sum.append(stats.sum)
        chunks.ts.append(ByteBuffer(bytes: chunk.encodedTimestamps))
        chunks.vs.append(ByteBuffer(bytes: chunk.values))
        chunks.fs.append(ByteBuffer(bytes: chunk.flags))
        chunks.summary.append(ByteBuffer(bytes: chunk.summary ?? []))   // empty: none (NULL)
    }

    func deleteChunks(seriesID: Int64, window: Int64, _ sealed: SealedWindow) throws {
        try session.query("DELETE FROM chunk WHERE series_id = \(seriesID) AND window_start = \(window)")
    }

    func updateSeries(_ state: SeriesState) throws {
        updates[state.id] = state
    }

    func publishedUntil() throws -> Int64 { try Self.publishedUntil(session) }

    static func publishedUntil(_ session: PGSession) throws -> Int64 {
        try session.query("SELECT max(window_end) FROM release").first?.decode(Int64?.self) ?? Int64.min
    }

    func insertQuarantine(_ entries: [QuarantineEntry]) throws {
        try PostgresReadingStore.insertQuarantine(session, entries)
    }

    func recordChanges(_ tally: ChangeTally) throws {
        try Self.recordChanges(session, tally)
    }

    static func recordChanges(_ session: PGSession, _ tally: ChangeTally, at now: Int64 = Clock.nowMilliseconds()) throws {
        let entries = tally.entries
        guard !entries.isEmpty else { return }
        try session.insert(into: "data_change", columns: ["quantity", "bucket", "kind", "count", "at"], entries) { e, b in
            b.append(e.entry.quantity)
            b.append(e.entry.bucket)
            b.append(e.entry.kind.rawValue)
            b.append(Int64(e.count))
            b.append(now)
        }
    }

    /// Nothing to count: PostgreSQL's autovacuum reclaims the space of rewritten chunks.
    func countRewrittenChunks(_ n: Int) throws {}

    func finish() throws {
        if !chunks.series.isEmpty {
            createdMonths += try partitions.ensure(session, windowStarts: chunks.window)
            try session.query("""
                INSERT INTO chunk (series_id, window_start, min_ts, max_ts, count, min_value, max_value, sum, ts, value, flags, summary)
                SELECT s, w, a, b, n, lo, hi, total, t, v, f, NULLIF(h, ''::bytea) FROM unnest(\(chunks.series)::bigint[], \(chunks.window)::bigint[],
                    \(chunks.minTS)::bigint[], \(chunks.maxTS)::bigint[], \(chunks.count)::integer[], \(chunks.minValue)::float8[],
                    \(chunks.maxValue)::float8[], \(chunks.sum)::float8[], \(chunks.ts)::bytea[], \(chunks.vs)::bytea[], \(chunks.fs)::bytea[],
                    \(chunks.summary)::bytea[]) AS u(s, w, a, b, n, lo, hi, total, t, v, f, h)
                """)
            chunks = ([], [], [], [], [], [], [], [], [], [], [], [])
        }
        if !open.series.isEmpty {
            try session.query("""
                INSERT INTO open_reading (series_id, ts, value, flags)
                SELECT * FROM unnest(\(open.series)::bigint[], \(open.ts)::bigint[], \(open.vs)::float8[], \(open.fs)::smallint[])
                """)
            open = ([], [], [], [])
        }
        if !updates.isEmpty {
            let states = updates.values.sorted { $0.id < $1.id }
            try session.query("""
                UPDATE series s SET sealed_until = u.sealed, watermark = u.watermark
                FROM unnest(\(states.map(\.id))::bigint[], \(states.map(\.sealedUntil))::bigint[], \(states.map(\.watermark))::bigint[])
                    AS u(id, sealed, watermark)
                WHERE s.id = u.id
                """)
            updates = [:]
        }
    }
}
