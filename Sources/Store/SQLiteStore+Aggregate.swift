import Foundation
import GRDB
import LantaarnModel

extension SQLiteStore {
    /// Time-bucketed aggregates over the selected series.
    ///
    /// A chunk that lies inside the window and inside one bucket contributes its
    /// stored count, sum, min and max without being decompressed, unless the query
    /// needs individual values (energetic mean, quantiles).
    public func aggregate(_ q: AggregateQuery) throws -> [AggregateRow] {
        guard !q.quantities.isEmpty, q.window.end > q.window.start else { return [] }
        struct Key: Hashable { var bucket: Int64; var group: String?; var quantity: String }
        var groups: [Key: AggregateAccumulator] = [:]
        let keep = !q.quantiles.isEmpty
        try pool.read { db in
            let series = try SeriesState.all(db, quantities: q.quantities).filter { _, s in
                (q.sensors?.contains(s.series.sensorID) ?? true) && (q.wijken.map { w in s.wijk.map(w.contains) ?? false } ?? true)
            }
            guard !series.isEmpty else { return }
            func group(_ id: Int64) -> String? {
                switch q.grouping {
                case .wijk: return series[id]!.wijk?.rawValue
                case .sensor: return series[id]!.series.sensorID
                case .none: return nil
                }
            }
            var chunks = try ChunkCursor(db, seriesIDs: series.keys, window: q.window, span: policy.span)
            while try chunks.next() {
                let chunk = chunks.header
                let id = chunk.seriesID
                let quantity = series[id]!.series.quantity
                let firstBucket = TimeBucket.floor(chunk.minTimestamp, size: q.bucket)
                if q.statisticsSuffice, q.window.contains(chunk.minTimestamp), q.window.contains(chunk.maxTimestamp),
                   firstBucket == TimeBucket.floor(chunk.maxTimestamp, size: q.bucket) {
                    groups[Key(bucket: firstBucket, group: group(id), quantity: quantity), default: .init()]
                        .merge(count: chunk.count, sum: chunk.sum, min: chunk.minValue, max: chunk.maxValue)
                    continue
                }
                // A chunk's timestamps are sorted: walk the bucket boundaries instead of dividing
                // per value, and hash once per bucket rather than once per value.
                let g = group(id)
                let ts = try chunks.timestamps(), vs = try chunks.values()
                var bucketStart = firstBucket, next = firstBucket + q.bucket
                var acc = AggregateAccumulator()
                for k in 0..<chunk.count {
                    let t = ts[k]
                    guard t >= q.window.start, t < q.window.end else { continue }
                    if t >= next {
                        if acc.count > 0 {
                            groups[Key(bucket: bucketStart, group: g, quantity: quantity), default: .init()].merge(acc)
                            acc = AggregateAccumulator()
                        }
                        bucketStart = TimeBucket.floor(t, size: q.bucket)
                        next = bucketStart + q.bucket
                    }
                    acc.add(vs[k], keepValue: keep, energetic: q.energeticMean)
                }
                if acc.count > 0 { groups[Key(bucket: bucketStart, group: g, quantity: quantity), default: .init()].merge(acc) }
            }
            let open = try Row.fetchCursor(db, sql: """
                SELECT series_id, ts, value FROM open_reading WHERE series_id IN (\(series.keys.map(String.init).joined(separator: ","))) AND ts >= ? AND ts < ?
                """, arguments: [q.window.start, q.window.end])
            while let row = try open.next() {
                let id: Int64 = row[0]
                let key = Key(bucket: TimeBucket.floor(row[1], size: q.bucket), group: group(id), quantity: series[id]!.series.quantity)
                groups[key, default: .init()].add(row[2], keepValue: keep, energetic: q.energeticMean)
            }
        }
        return groups.map { key, a -> AggregateRow in
            let sorted = keep ? a.values.sorted() : []
            return AggregateRow(bucketStart: key.bucket, group: key.group, quantity: key.quantity, count: a.count, sum: a.sum,
                                min: a.min, max: a.max,
                                energeticMean: q.energeticMean ? 10 * log10(a.energy / Double(a.count)) : nil,
                                quantiles: q.quantiles.map { AggregateAccumulator.quantile(sorted, $0) })
        }.sorted { ($0.bucketStart, $0.group ?? "", $0.quantity) < ($1.bucketStart, $1.group ?? "", $1.quantity) }
    }
}
