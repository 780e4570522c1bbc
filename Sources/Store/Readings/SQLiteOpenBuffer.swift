import Foundation
import GRDB

/// SQLite's open buffer: the readings of windows not yet sealed.
///
/// The live path writes one `open_run` row per series and batch, holding that batch's readings
/// of the series packed (``Run``): one B-tree insert for a series' share of a batch instead of a
/// row and an index entry per reading (at 120 k MQTT messages a second those took a fifth of the
/// process's CPU). `open_reading`, one row per reading, stays for the statements written against
/// single readings, a purge (its SQL is shared with PostgreSQL) and a wijk reassignment, which
/// first move the runs of the series they touch into it (``unpack(_:seriesID:)``), all of a
/// series' runs at once. A series' `open_reading` rows therefore arrived before its runs: arrival
/// order is the rows by id, then the runs by id, then the order within a run.
enum SQLiteOpenBuffer {
    /// A run's readings, little-endian: `n` timestamps (Int64), `n` values (Float64 bits), `n`
    /// flag bytes, in arrival order (not necessarily time order).
    enum Run {
        static let bytesPerReading = 17

        static func encode(_ c: ReadingColumns) -> [UInt8] {
            let n = c.ts.count
            return [UInt8](unsafeUninitializedCapacity: n * bytesPerReading) { buffer, count in
                let raw = UnsafeMutableRawBufferPointer(buffer)
                for k in 0..<n {
                    raw.storeBytes(of: c.ts[k].littleEndian, toByteOffset: 8 * k, as: Int64.self)
                    raw.storeBytes(of: c.vs[k].bitPattern.littleEndian, toByteOffset: 8 * (n + k), as: UInt64.self)
                    raw[16 * n + k] = c.fs[k]
                }
                count = n * bytesPerReading
            }
        }

        /// The number of readings in `bytes`, or an error naming run `id` when they are damaged.
        static func count(_ bytes: UnsafeRawBufferPointer, run id: Int64) throws -> Int {
            guard bytes.count % bytesPerReading == 0 else {
                throw StoreError("open buffer entry \(id) is damaged (\(bytes.count) bytes is not a whole number of readings); restore the store from a backup")
            }
            return bytes.count / bytesPerReading
        }

        /// Visits the readings where they lie (no arrays: a slow live feed leaves runs of one or
        /// two readings, and a query may read a day of them).
        @inline(__always)
        static func forEach(_ bytes: UnsafeRawBufferPointer, run id: Int64, _ visit: (Int64, Double, UInt8) throws -> Void) throws {
            let n = try count(bytes, run: id)
            for k in 0..<n {
                try visit(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self)),
                          DecimalValueCodec.double(bytes, at: 8 * (n + k)), bytes[16 * n + k])
            }
        }

        /// The readings as columns (for the rare paths that rewrite a run).
        static func decode(_ bytes: UnsafeRawBufferPointer, run id: Int64) throws -> ReadingColumns {
            var c = ReadingColumns()
            try forEach(bytes, run: id) { ts, value, flags in
                c.ts.append(ts); c.vs.append(value); c.fs.append(flags)
            }
            return c
        }
    }

    /// Buffers `c` (readings of one series, in arrival order) as one run.
    static func insert(_ db: Database, seriesID: Int64, _ c: ReadingColumns) throws {
        guard let first = c.ts.min(), let last = c.ts.max() else { return }
        let statement = try db.cachedStatement(sql: "INSERT INTO open_run (series_id, ts_min, ts_max, n, readings) VALUES (?, ?, ?, ?, ?)")
        try Run.encode(c).withUnsafeBytes { bytes in
            try RawStatement.executeEach(statement, db, count: 1) { row, _ in
                row.int64(1, seriesID); row.int64(2, first); row.int64(3, last); row.int64(4, Int64(c.ts.count)); row.blob(5, bytes)
            }
        }
    }

    /// Visits the open readings of `seriesIDs` timed in `times`, in arrival order.
    static func forEach(_ db: Database, seriesIDs: [Int64], times: ClosedRange<Int64>,
                        _ visit: (_ seriesID: Int64, _ ts: Int64, _ value: Double, _ flags: UInt8) throws -> Void) throws {
        guard !seriesIDs.isEmpty else { return }
        // One series (the writer, per series and batch): cached statements. Several (a query): a
        // statement for this list.
        let single = seriesIDs.count == 1
        let filter = single ? "series_id = ?3" : "series_id IN (\(seriesIDs.map(String.init).joined(separator: ",")))"
        func statement(_ sql: String) throws -> Statement { single ? try db.cachedStatement(sql: sql) : try db.makeStatement(sql: sql) }
        let bind = { (b: RawStatement.Bindings) in
            b.int64(1, times.lowerBound); b.int64(2, times.upperBound)
            if single { b.int64(3, seriesIDs[0]) }
        }
        try RawStatement.forEachRow(statement("""
            SELECT series_id, ts, value, flags FROM open_reading WHERE \(filter) AND ts >= ?1 AND ts <= ?2 ORDER BY id
            """), db, bind: bind) { row in
            try visit(row.int64(0), row.int64(1), row.double(2), UInt8(truncatingIfNeeded: row.int64(3)))
        }
        try RawStatement.forEachRow(statement("""
            SELECT id, series_id, readings FROM open_run WHERE \(filter) AND ts_max >= ?1 AND ts_min <= ?2 ORDER BY id
            """), db, bind: bind) { row in
            let seriesID = row.int64(1)
            try Run.forEach(row.blob(2), run: row.int64(0)) { ts, value, flags in
                if times.contains(ts) { try visit(seriesID, ts, value, flags) }
            }
        }
    }

    /// One series' open readings timed in `times`, in arrival order, or with `timeOrder` in
    /// (time, arrival) order.
    static func readings(_ db: Database, seriesID: Int64, times: ClosedRange<Int64>, timeOrder: Bool = false) throws -> ReadingColumns {
        var out = ReadingColumns()
        try forEach(db, seriesIDs: [seriesID], times: times) { _, ts, value, flags in
            out.ts.append(ts); out.vs.append(value); out.fs.append(flags)
        }
        return !timeOrder || out.isSortedByTime ? out : out.sortedByTime()
    }

    /// Removes a series' open readings before `limit` (they were sealed).
    static func delete(_ db: Database, seriesID: Int64, before limit: Int64) throws {
        try db.execute(sql: "DELETE FROM open_reading WHERE series_id = ? AND ts < ?", arguments: [seriesID, limit])
        try db.execute(sql: "DELETE FROM open_run WHERE series_id = ? AND ts_max < ?", arguments: [seriesID, limit])
        // A run with readings on both sides of the limit keeps the later ones.
        var kept: [(id: Int64, columns: ReadingColumns)] = []
        try RawStatement.forEachRow(db.cachedStatement(sql: "SELECT id, readings FROM open_run WHERE series_id = ? AND ts_min < ?"), db,
                                    bind: { $0.int64(1, seriesID); $0.int64(2, limit) }) { row in
            let c = try Run.decode(row.blob(1), run: row.int64(0))
            let keep = c.ts.indices.filter { c.ts[$0] >= limit }
            kept.append((row.int64(0), ReadingColumns(ts: keep.map { c.ts[$0] }, vs: keep.map { c.vs[$0] }, fs: keep.map { c.fs[$0] })))
        }
        for (id, c) in kept { try rewrite(db, run: id, c) }
    }

    /// How many readings the open buffer holds (of a store copy too, made before runs existed).
    static func count(_ db: Database) throws -> Int {
        let rows = try Int.fetchOne(db, sql: "SELECT count(*) FROM open_reading") ?? 0
        guard try db.tableExists("open_run") else { return rows }
        return rows + (try Int.fetchOne(db, sql: "SELECT coalesce(sum(n), 0) FROM open_run") ?? 0)
    }

    /// The earliest and latest time of a series' open readings.
    static func span(_ db: Database, seriesID: Int64) throws -> (first: Int64, last: Int64)? {
        // One min() or max() per SELECT: SQLite then reads it from the first or last index entry.
        let row = try Row.fetchOne(db, sql: """
            SELECT (SELECT min(ts) FROM open_reading WHERE series_id = ?1), (SELECT max(ts) FROM open_reading WHERE series_id = ?1),
                   (SELECT min(ts_min) FROM open_run WHERE series_id = ?1), (SELECT max(ts_max) FROM open_run WHERE series_id = ?1)
            """, arguments: [seriesID])
        let bounds: [Int64?] = (0..<4).map { row?[$0] }
        guard let first = [bounds[0], bounds[2]].compactMap({ $0 }).min(),
              let last = [bounds[1], bounds[3]].compactMap({ $0 }).max() else { return nil }
        return (first, last)
    }

    /// Replaces the value of the first (by arrival) open reading of `seriesID` at `ts`; returns
    /// the old value, `nil` when the buffer holds none.
    static func replaceFirst(_ db: Database, seriesID: Int64, at ts: Int64, with value: Double) throws -> Double? {
        if let row = try Row.fetchOne(db, sql: "SELECT id, value FROM open_reading WHERE series_id = ? AND ts = ? ORDER BY id LIMIT 1",
                                      arguments: [seriesID, ts]) {
            try db.execute(sql: "UPDATE open_reading SET value = ? WHERE id = ?", arguments: [value, row[0] as Int64])
            return row[1]
        }
        var found: (id: Int64, columns: ReadingColumns, old: Double)?
        try RawStatement.forEachRow(db.cachedStatement(sql: """
            SELECT id, readings FROM open_run WHERE series_id = ?1 AND ts_max >= ?2 AND ts_min <= ?2 ORDER BY id
            """), db, bind: { $0.int64(1, seriesID); $0.int64(2, ts) }) { row in
            guard found == nil else { return }
            var c = try Run.decode(row.blob(1), run: row.int64(0))
            guard let k = c.ts.firstIndex(of: ts) else { return }
            let old = c.vs[k]
            c.vs[k] = value
            found = (row.int64(0), c, old)
        }
        guard let found else { return nil }
        try rewrite(db, run: found.id, found.columns)
        return found.old
    }

    /// Moves the runs of every series with an open reading before `limit` into `open_reading`,
    /// for statements that work on single readings (a purge's).
    static func unpack(_ db: Database, before limit: Int64) throws {
        for id in try Int64.fetchAll(db, sql: "SELECT DISTINCT series_id FROM open_run WHERE ts_min < ?", arguments: [limit]) {
            try unpack(db, seriesID: id)
        }
    }

    /// Moves every run of `seriesID` into `open_reading`, in arrival order: all of them, so the
    /// series' rows still precede its runs.
    static func unpack(_ db: Database, seriesID: Int64) throws {
        var runs: [ReadingColumns] = []
        try RawStatement.forEachRow(db.cachedStatement(sql: "SELECT id, readings FROM open_run WHERE series_id = ? ORDER BY id"), db,
                                    bind: { $0.int64(1, seriesID) }) { row in
            runs.append(try Run.decode(row.blob(1), run: row.int64(0)))
        }
        guard !runs.isEmpty else { return }
        let insert = try db.cachedStatement(sql: "INSERT INTO open_reading (series_id, ts, value, flags) VALUES (?, ?, ?, ?)")
        for c in runs {
            try RawStatement.executeEach(insert, db, count: c.ts.count) { row, k in
                row.int64(1, seriesID); row.int64(2, c.ts[k]); row.double(3, c.vs[k]); row.int64(4, Int64(c.fs[k]))
            }
        }
        try db.execute(sql: "DELETE FROM open_run WHERE series_id = ?", arguments: [seriesID])
    }

    /// Writes run `id` again with `c`, or deletes it when `c` is empty.
    private static func rewrite(_ db: Database, run id: Int64, _ c: ReadingColumns) throws {
        guard let first = c.ts.min(), let last = c.ts.max() else {
            try db.execute(sql: "DELETE FROM open_run WHERE id = ?", arguments: [id])
            return
        }
        try db.execute(sql: "UPDATE open_run SET ts_min = ?, ts_max = ?, n = ?, readings = ? WHERE id = ?",
                       arguments: [first, last, c.ts.count, Data(Run.encode(c)), id])
    }
}
