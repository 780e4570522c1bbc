import Foundation
import Synchronization
import LantaarnModel

/// The series an aggregate reads, with the small integer ids of their group and quantity.
package struct AggregateSelection: Sendable {
    package struct Series: Sendable {
        var sensorID: String
        var group: Int32
        var quantity: Int32
        /// Series in the same group and quantity (sizes the value buffers for quantiles).
        var peers: Int

        @inline(__always) func key(_ bucket: Int64) -> AggregateTable.Key {
            AggregateTable.Key(bucket: bucket, group: group, quantity: quantity)
        }
    }

    package private(set) var series: [Int64: Series] = [:]
    /// Group names by id (`nil`: outside every wijk, or no grouping).
    private(set) var groups: [String?] = []
    private(set) var quantities: [String] = []

    /// Group and quantity ids follow their names' order, so ordered ids give ordered rows.
    package init(_ candidates: [Int64: SeriesInfo], _ q: AggregateQuery) {
        var chosen: [(id: Int64, sensor: String, group: String?, quantity: String)] = []
        for (id, s) in candidates {
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
    package func table(_ q: AggregateQuery) -> AggregateTable {
        AggregateTable(keepsValues: !q.quantiles.isEmpty,
                       layout: AggregateTable.Layout(window: q.window, origin: q.bucketStart(q.window.start), bucket: q.bucket, groups: groups.count, quantities: quantities.count))
    }

    /// One worker per core for selections big enough to pay for it.
    package static func workers(_ seriesCount: Int) -> Int {
        seriesCount < 16 ? 1 : max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
    }

    /// The finished rows (see ``rows(_:_:)``), computed part by part on as many workers as pay
    /// for themselves, each part by `part` (given its series ids, in its own read transaction).
    ///
    /// Parts hold whole sensors, and their tables are merged. With quantiles, when there are
    /// groups enough, parts hold whole groups instead and each finishes its own rows on its
    /// worker: no group's values are copied into another part's, and the selections run in
    /// parallel too.
    package func computeRows(_ q: AggregateQuery, _ part: @Sendable ([Int64]) throws -> AggregateTable) throws -> [AggregateRow] {
        let workers = Self.workers(series.count)
        guard !q.quantiles.isEmpty, workers > 1, groups.count >= workers else {
            let tables = try inParallel(parts(workers), part)
            var table = tables[0]
            for other in tables.dropFirst() { table.merge(other) }
            return keyedRows(table, q).map(\.row)
        }
        let finished = try inParallel(groupParts(workers)) { ids in keyedRows(try part(ids), q) }
        return finished.joined().sorted { $0.key < $1.key }.map(\.row)
    }

    /// `body` over each part on its own worker; the results in part order.
    private func inParallel<T: Sendable>(_ parts: [[Int64]], _ body: @Sendable ([Int64]) throws -> T) throws -> [T] {
        let results = Mutex([T?](repeating: nil, count: parts.count))
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: parts.count) { k in
            do {
                let result = try body(parts[k])
                results.withLock { $0[k] = result }
            } catch {
                failure.withLock { $0 = error }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return results.withLock { $0 }.compactMap { $0 }
    }

    /// Series ids split into `count` parts of whole groups, the groups with the most series
    /// first, each to the part with the fewest so far; in id order within a part.
    func groupParts(_ count: Int) -> [[Int64]] {
        var byGroup: [Int32: [Int64]] = [:]
        for (id, s) in series { byGroup[s.group, default: []].append(id) }
        var parts = [[Int64]](repeating: [], count: count)
        for (_, ids) in byGroup.sorted(by: { ($0.value.count, $1.key) > ($1.value.count, $0.key) }) {
            let k = parts.indices.min { parts[$0].count < parts[$1].count }!
            parts[k] += ids
        }
        return parts.filter { !$0.isEmpty }.map { $0.sorted() }
    }

    /// Series ids split into `count` parts, a sensor's series always in the same part (they
    /// share timestamp blocks), in id order within a part.
    package func parts(_ count: Int) -> [[Int64]] {
        var parts = [[Int64]](repeating: [], count: count)
        var sensorPart: [String: Int] = [:]
        for id in series.keys.sorted() {
            let sensor = series[id]!.sensorID
            let k = sensorPart[sensor] ?? { let k = sensorPart.count % count; sensorPart[sensor] = k; return k }()
            parts[k].append(id)
        }
        return parts.filter { !$0.isEmpty }
    }

    /// The finished rows with their keys, in (bucket, group, quantity) order.
    private func keyedRows(_ table: consuming AggregateTable, _ q: AggregateQuery) -> [(key: AggregateTable.Key, row: AggregateRow)] {
        var rows: [(key: AggregateTable.Key, row: AggregateRow)] = []
        var table = table
        table.drain { key, a, values in
            rows.append((key, AggregateRow(bucketStart: key.bucket, group: groups[Int(key.group)], quantity: quantities[Int(key.quantity)],
                                     count: a.count, sum: a.sum, min: a.min, max: a.max,
                                     energeticMean: q.energeticMean ? 10 * log10(a.energy / Double(a.count)) : nil,
                                     quantiles: QuantileSelection.quantiles(&values, q.quantiles))))
        }
        return rows
    }
}
