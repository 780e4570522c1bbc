import Foundation
import GRDB
import LantaarnModel

extension SQLiteReadingStore {
    /// Time-bucketed aggregates over the selected series.
    ///
    /// A chunk that lies inside the window and inside one bucket contributes its
    /// stored count, sum, min and max without being decompressed, unless the query
    /// needs individual values (energetic mean, quantiles).
    ///
    /// Large selections are split over the cores (by sensor, or by group for quantiles: see
    /// ``AggregateSelection/computeRows(_:_:)``), each part in its own read
    /// transaction. Every series is read whole from one snapshot (chunks and open buffer
    /// together), so no reading is missed or counted twice while a batch is sealed; parts
    /// may see the store a few milliseconds apart.
    public func aggregate(_ q: AggregateQuery) throws -> [AggregateRow] {
        guard !q.quantities.isEmpty, q.window.end > q.window.start else { return [] }
        let selection = try pool.read { db in AggregateSelection(try SeriesState.all(db, quantities: q.quantities), q) }
        guard !selection.series.isEmpty else { return [] }
        return try selection.computeRows(q) { try aggregatePart(q, selection, $0) }
    }

    private func aggregatePart(_ q: AggregateQuery, _ selection: AggregateSelection, _ ids: [Int64]) throws -> AggregateTable {
        var table = selection.table(q)
        try pool.read { db in
            var chunks = try ChunkCursor(db, seriesIDs: ids, window: q.window, span: policy.span, blobs: !q.hoursMayAnswer)
            while try chunks.next() {
                // A sensor's quantities share a timestamp block: the cursor decodes it once.
                try table.addChunk(chunks.header.statistics, summary: chunks.summary, series: selection.series[chunks.header.seriesID]!, q) {
                    (try chunks.timestamps(), try chunks.values())
                }
            }
            guard q.window.end > q.window.start else { return }
            try SQLiteOpenBuffer.forEach(db, seriesIDs: ids, times: q.window.start...(q.window.end - 1)) { id, ts, value, _ in
                table.addOpen(series: selection.series[id]!, timestamp: ts, value: value, q)
            }
        }
        return table
    }
}

