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

    /// Stores readings and quarantine entries inside the caller's transaction. A reading the
    /// series already holds is a duplicate (not stored again), one at a stored time with another
    /// value a conflict (quarantined); readings older than the series' sealed horizon are merged
    /// into the sealed chunks of their windows (backfill), the rest go the live way. New readings
    /// for a time already published are recorded as changes (their windows become stale).
    func store(_ db: Database, _ readings: [Reading], quarantined: [QuarantineEntry], source: String) throws -> AppendResult {
        // Group by series, keeping arrival order within each series: positions, not copies
        // of the readings (each copy retains four strings). A reading of the same series as one
        // of the last two (a sensor's quantities arrive together) takes its slot without a hash.
        var groups: [(identity: SeriesIdentity, positions: [Int])] = []
        var index: [SeriesIdentity: Int] = [:]
        var recent = (first: (position: -1, slot: 0), second: (position: -1, slot: 0))
        for (position, r) in readings.enumerated() {
            let slot: Int
            if recent.first.position >= 0, Self.sameSeries(r, readings[recent.first.position]) {
                slot = recent.first.slot
            } else if recent.second.position >= 0, Self.sameSeries(r, readings[recent.second.position]) {
                slot = recent.second.slot
                recent = (recent.second, recent.first)
            } else {
                let identity = SeriesIdentity(r)
                slot = index[identity] ?? {
                    index[identity] = groups.count
                    groups.append((identity, []))
                    return groups.count - 1
                }()
                recent = ((position, slot), recent.first)
            }
            groups[slot].positions.append(position)
        }
        var result = AppendResult()
        var conflicts: [QuarantineEntry] = []
        // Readings for a time some dataset already published change what it was computed from.
        let publishedUntil = try Self.publishedUntil(db)
        var changes = ChangeTally()
        for (identity, positions) in groups {
            var state = try SeriesState.load(db, identity)
            let sifted = try sift(db, readings, at: positions, state: state, source: source)
            result.duplicates += sifted.duplicates
            conflicts += sifted.conflicts
            for p in sifted.new where readings[p].timestamp < publishedUntil {
                changes.add(identity.quantity, at: readings[p].timestamp, .arrived)
            }
            let sealed = state.sealedUntil
            let old = sifted.new.filter { readings[$0].timestamp < sealed }
            let live = old.isEmpty ? sifted.new : sifted.new.filter { readings[$0].timestamp >= sealed }
            if !old.isEmpty {
                result.backfilled += try backfill(db, readings, at: old, seriesID: state.id, sealed: sifted.sealed)
            }
            guard !live.isEmpty else { continue }
            state.watermark = max(state.watermark, live.map { readings[$0].timestamp }.max()!)
            try store(db, readings, at: live, into: &state)
            result.stored += live.count
        }
        result.stored += result.backfilled
        result.conflicts = conflicts.count
        for entry in conflicts { result.conflictsBySensor[entry.sensorID ?? "", default: 0] += 1 }
        try Self.insertQuarantine(db, quarantined + conflicts)
        try changes.write(db)
        return result
    }

    @inline(__always)
    private static func sameSeries(_ a: Reading, _ b: Reading) -> Bool {
        a.series == b.series && a.wijk == b.wijk && a.buurt == b.buurt
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
            let ids = series.keys.map(String.init).joined(separator: ",")
            var chunks = try ChunkCursor(db, seriesIDs: series.keys, window: window, span: policy.span)
            while try chunks.next() {
                let key = series[chunks.header.seriesID]!
                let ts = try chunks.timestamps(), vs = try chunks.values(), fs = try chunks.flags()
                for k in ts.indices where window.contains(ts[k]) {
                    out.append(Reading(series: key.series, timestamp: ts[k], value: vs[k], wijk: key.wijk, buurt: key.buurt,
                                       flags: QualityFlags(rawValue: fs[k])))
                }
            }
            let open = try Row.fetchCursor(db, sql: """
                SELECT series_id, ts, value, flags FROM open_reading WHERE series_id IN (\(ids)) AND ts >= ? AND ts < ? ORDER BY id
                """, arguments: [window.start, window.end])
            while let row = try open.next() {
                let key = series[row[0]]!
                out.append(Reading(series: key.series, timestamp: row[1], value: row[2], wijk: key.wijk, buurt: key.buurt,
                                   flags: QualityFlags(rawValue: UInt8(truncatingIfNeeded: row[3] as Int64))))
            }
            return out
        }
        // Stable: readings with equal timestamps keep chunk order, then arrival order.
        for r in readings.enumerated().sorted(by: { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }) {
            try visit(r.element)
        }
    }

    public func readingCount() throws -> Int {
        try pool.read { db in
            let sealed = try Int.fetchOne(db, sql: "SELECT coalesce(sum(count), 0) FROM chunk") ?? 0
            return sealed + (try Int.fetchOne(db, sql: "SELECT count(*) FROM open_reading") ?? 0)
        }
    }
}
