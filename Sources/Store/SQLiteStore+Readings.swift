import Foundation
import GRDB
import LantaarnModel

extension SQLiteStore: ReadingStore {
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

    /// Stores readings and quarantine entries inside the caller's transaction; readings older
    /// than their series' sealed window are quarantined as late.
    func store(_ db: Database, _ readings: [Reading], quarantined: [QuarantineEntry], source: String) throws -> AppendResult {
        // Group by series, keeping arrival order within each series: positions, not copies
        // of the readings (each copy retains three strings), one hash per reading.
        var groups: [(identity: SeriesIdentity, positions: [Int])] = []
        var index: [SeriesIdentity: Int] = [:]
        for (position, r) in readings.enumerated() {
            let identity = SeriesIdentity(r)
            let slot = index[identity] ?? {
                index[identity] = groups.count
                groups.append((identity, []))
                return groups.count - 1
            }()
            groups[slot].positions.append(position)
        }
        var late: [QuarantineEntry] = []
        var stored = 0
        for (identity, positions) in groups {
            var state = try SeriesState.load(db, identity)
            let sealed = state.sealedUntil
            var accepted: [Int] = []
            accepted.reserveCapacity(positions.count)
            var newest = Int64.min
            for p in positions {
                let t = readings[p].timestamp
                if t >= sealed {
                    accepted.append(p)
                    newest = max(newest, t)
                } else {
                    late.append(Self.lateEntry(readings[p], state: state, lateness: policy.lateness, source: source))
                }
            }
            guard !accepted.isEmpty else { continue }
            state.watermark = max(state.watermark, newest)
            try store(db, readings, at: accepted, into: &state)
            stored += accepted.count
        }
        try Self.insertQuarantine(db, quarantined + late)
        var lateBySensor: [String: Int] = [:]
        for entry in late { lateBySensor[entry.sensorID ?? "", default: 0] += 1 }
        return AppendResult(stored: stored, late: late.count, lateBySensor: lateBySensor)
    }

    private static func lateEntry(_ r: Reading, state: SeriesState, lateness: Int64, source: String) -> QuarantineEntry {
        var payload = "{\"sensor\":"
        JSONWriter.appendString(r.series.sensorID, to: &payload)
        payload += ",\"quantity\":"
        JSONWriter.appendString(r.series.quantity, to: &payload)
        payload += ",\"ts\":\"\(ISO8601.format(milliseconds: r.timestamp))\",\"value\":"
        JSONWriter.appendNumber(r.value, to: &payload)
        payload += "}"
        return QuarantineEntry(
            receivedAt: Clock.nowMilliseconds(), source: source, origin: "store", sensorID: r.series.sensorID,
            reason: "\(r.series) reading at \(ISO8601.format(milliseconds: r.timestamp)) arrived after its window was sealed "
                + "(everything before \(ISO8601.format(milliseconds: state.sealedUntil)) is final; lateness \(lateness / 60_000) min). "
                + "Raise the lateness setting if such delays are normal for this sensor",
            payload: Array(payload.utf8))
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
                    out.append(Reading(series: key.series, timestamp: ts[k], value: vs[k], wijk: key.wijk, flags: QualityFlags(rawValue: fs[k])))
                }
            }
            let open = try Row.fetchCursor(db, sql: """
                SELECT series_id, ts, value, flags FROM open_reading WHERE series_id IN (\(ids)) AND ts >= ? AND ts < ? ORDER BY id
                """, arguments: [window.start, window.end])
            while let row = try open.next() {
                let key = series[row[0]]!
                out.append(Reading(series: key.series, timestamp: row[1], value: row[2], wijk: key.wijk,
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
