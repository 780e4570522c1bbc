import Foundation
import GRDB
import LantaarnModel
import Synchronization

extension SQLiteReadingStore {
    /// Time-bucketed aggregates over the selected series.
    ///
    /// A chunk that lies inside the window and inside one bucket contributes its
    /// stored count, sum, min and max without being decompressed, unless the query
    /// needs individual values (energetic mean, quantiles).
    ///
    /// Large selections are split by sensor over the cores, each part in its own read
    /// transaction. Every series is read whole from one snapshot (chunks and open buffer
    /// together), so no reading is missed or counted twice while a batch is sealed; parts
    /// may see the store a few milliseconds apart.
    public func aggregate(_ q: AggregateQuery) throws -> [AggregateRow] {
        guard !q.quantities.isEmpty, q.window.end > q.window.start else { return [] }
        let selection = try pool.read { db in try AggregateSelection(db, q) }
        guard !selection.series.isEmpty else { return [] }
        let parts = selection.parts(Self.aggregateWorkers(selection.series.count))
        let tables = Mutex([AggregateTable?](repeating: nil, count: parts.count))
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: parts.count) { k in
            do {
                let table = try aggregatePart(q, selection, parts[k])
                tables.withLock { $0[k] = table }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        let finished = tables.withLock { $0 }.compactMap { $0 }
        var table = finished[0]
        for part in finished.dropFirst() { table.merge(part) }
        return selection.rows(table, q)
    }

    /// One worker per core for selections big enough to pay for it.
    static func aggregateWorkers(_ seriesCount: Int) -> Int {
        seriesCount < 16 ? 1 : max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    }

    private func aggregatePart(_ q: AggregateQuery, _ selection: AggregateSelection, _ ids: [Int64]) throws -> AggregateTable {
        var table = selection.table(q)
        let energetic = q.energeticMean
        try pool.read { db in
            var chunks = try ChunkCursor(db, seriesIDs: ids, window: q.window, span: policy.span)
            while try chunks.next() {
                let chunk = chunks.header
                let series = selection.series[chunk.seriesID]!
                let firstBucket = q.bucketStart(chunk.minTimestamp)
                if q.statisticsSuffice, q.window.contains(chunk.minTimestamp), q.window.contains(chunk.maxTimestamp),
                   firstBucket == q.bucketStart(chunk.maxTimestamp) {
                    var acc = AggregateAccumulator()
                    acc.merge(count: chunk.count, sum: chunk.sum, min: chunk.minValue, max: chunk.maxValue)
                    table.add(series.key(firstBucket), acc)
                    continue
                }
                // A chunk's timestamps are sorted: walk the bucket boundaries instead of dividing
                // per value, and look a group up once per bucket rather than once per value.
                let ts = try chunks.timestamps(), vs = try chunks.values()
                let keep = table.keepsValues
                // A group's values: about this chunk's share times the series in the group.
                let expected = (chunk.count / max(1, Int((chunk.maxTimestamp - chunk.minTimestamp) / q.bucket) + 1) + 1) * series.peers
                var next = firstBucket
                var slot = -1
                var acc = AggregateAccumulator()
                ts.withUnsafeBufferPointer { ts in
                    vs.withUnsafeBufferPointer { vs in
                        for k in 0..<ts.count {
                            let t = ts[k]
                            guard t >= q.window.start, t < q.window.end else { continue }
                            if t >= next {
                                if acc.count > 0 { table.merge(acc, into: slot) }
                                acc = AggregateAccumulator()
                                let bucketStart = q.bucketStart(t)
                                next = bucketStart + q.bucket
                                slot = table.slot(series.key(bucketStart))
                            }
                            acc.add(vs[k], energetic: energetic)
                            if keep { table.keep(vs[k], in: slot, expected: expected) }
                        }
                    }
                }
                if acc.count > 0 { table.merge(acc, into: slot) }
            }
            let open = try Row.fetchCursor(db, sql: """
                SELECT series_id, ts, value FROM open_reading WHERE series_id IN (\(ids.map(String.init).joined(separator: ",")))
                AND ts >= ? AND ts < ?
                """, arguments: [q.window.start, q.window.end])
            while let row = try open.next() {
                let series = selection.series[row[0]]!
                let v: Double = row[2]
                var acc = AggregateAccumulator()
                acc.add(v, energetic: energetic)
                table.add(series.key(q.bucketStart(row[1])), acc, values: [v])
            }
        }
        return table
    }
}

/// The series an aggregate reads, with the small integer ids of their group and quantity.
struct AggregateSelection: Sendable {
    struct Series: Sendable {
        var sensorID: String
        var group: Int32
        var quantity: Int32
        /// Series in the same group and quantity (sizes the value buffers for quantiles).
        var peers: Int

        @inline(__always) func key(_ bucket: Int64) -> AggregateTable.Key {
            AggregateTable.Key(bucket: bucket, group: group, quantity: quantity)
        }
    }

    private(set) var series: [Int64: Series] = [:]
    /// Group names by id (`nil`: outside every wijk, or no grouping).
    private(set) var groups: [String?] = []
    private(set) var quantities: [String] = []

    /// Group and quantity ids follow their names' order, so ordered ids give ordered rows.
    init(_ db: Database, _ q: AggregateQuery) throws {
        var chosen: [(id: Int64, sensor: String, group: String?, quantity: String)] = []
        for (id, s) in try SeriesState.all(db, quantities: q.quantities) {
            guard q.sensors?.contains(s.series.sensorID) ?? true,
                  q.wijken.map({ w in s.wijk.map(w.contains) ?? false }) ?? true else { continue }
            chosen.append((id, s.series.sensorID, q.group(sensorID: s.series.sensorID, wijk: s.wijk, buurt: s.buurt), s.series.quantity))
        }
        groups = Set(chosen.map(\.group)).sorted { ($0 ?? "") < ($1 ?? "") }
        quantities = Set(chosen.map(\.quantity)).sorted()
        let groupIDs = Dictionary(uniqueKeysWithValues: groups.enumerated().map { ($1, Int32($0)) })
        let quantityIDs = Dictionary(uniqueKeysWithValues: quantities.enumerated().map { ($1, Int32($0)) })
        var peers: [Int32: Int] = [:]
        let ids = chosen.map { (groupIDs[$0.group]!, quantityIDs[$0.quantity]!) }
        for (g, quantity) in ids { peers[g * Int32(quantities.count) + quantity, default: 0] += 1 }
        for (c, (g, quantity)) in zip(chosen, ids) {
            series[c.id] = Series(sensorID: c.sensor, group: g, quantity: quantity, peers: peers[g * Int32(quantities.count) + quantity]!)
        }
    }

    /// An empty table for this selection, dense when the window allows.
    func table(_ q: AggregateQuery) -> AggregateTable {
        AggregateTable(keepsValues: !q.quantiles.isEmpty,
                       layout: AggregateTable.Layout(window: q.window, origin: q.bucketStart(q.window.start), bucket: q.bucket, groups: groups.count, quantities: quantities.count))
    }

    /// Series ids split into `count` parts, a sensor's series always in the same part (they
    /// share timestamp blocks), in id order within a part.
    func parts(_ count: Int) -> [[Int64]] {
        var parts = [[Int64]](repeating: [], count: count)
        var sensorPart: [String: Int] = [:]
        for id in series.keys.sorted() {
            let sensor = series[id]!.sensorID
            let k = sensorPart[sensor] ?? { let k = sensorPart.count % count; sensorPart[sensor] = k; return k }()
            parts[k].append(id)
        }
        return parts.filter { !$0.isEmpty }
    }

    /// The finished rows, in (bucket, group, quantity) order.
    func rows(_ table: AggregateTable, _ q: AggregateQuery) -> [AggregateRow] {
        var rows: [AggregateRow] = []
        table.forEach { key, a, values in
            var values = values
            rows.append(AggregateRow(bucketStart: key.bucket, group: groups[Int(key.group)], quantity: quantities[Int(key.quantity)],
                                     count: a.count, sum: a.sum, min: a.min, max: a.max,
                                     energeticMean: q.energeticMean ? 10 * log10(a.energy / Double(a.count)) : nil,
                                     quantiles: QuantileSelection.quantiles(&values, q.quantiles)))
        }
        return rows
    }
}
