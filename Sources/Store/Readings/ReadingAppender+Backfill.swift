import LantaarnModel

/// Duplicates, conflicts and backfill: the writer's part (reading what a series holds, writing
/// the merged chunks); ``SeriesWork`` does the rest off its thread.
extension ReadingAppender {
    /// Reads what the series holds in `span` (the writer's part of sifting a series).
    func held(in span: SeriesWork.BatchSpan, of state: SeriesState) throws -> SeriesWork.Held {
        var held = SeriesWork.Held()
        if span.first < state.sealedUntil {
            let windows = TimeBucket.floor(span.first, size: policy.span)...TimeBucket.floor(min(span.last, state.sealedUntil - 1), size: policy.span)
            held.chunks = try ledger.storedChunks(seriesID: state.id, windows: windows)
        }
        if span.last >= state.sealedUntil {
            held.open = try ledger.openReadings(seriesID: state.id, from: max(span.first, state.sealedUntil), through: span.last)
        }
        return held
    }

    /// Writes the rewrites of a unit's series (`works`, of series `ids`) window by window, so that
    /// a sensor's quantities merged into one window are written together (see
    /// ``ReadingLedger/replaceWindow(_:_:)``); returns how many stored chunks they replaced.
    func write(_ works: [SeriesWork], of ids: [Int64]) throws -> Int {
        var byWindow: [Int64: [WindowRewrite]] = [:]
        for (work, id) in zip(works, ids) {
            for r in work.rewrites { byWindow[r.window, default: []].append(WindowRewrite(seriesID: id, old: r.old, chunk: r.chunk)) }
        }
        for window in byWindow.keys.sorted() { try ledger.replaceWindow(window, byWindow[window]!) }
        return works.reduce(0) { $0 + $1.rewrites.reduce(0) { $0 + $1.old.chunks.count } }
    }

    /// Writes `rewrites` of series `seriesID`; returns how many stored chunks they replaced.
    func write(_ rewrites: [SeriesWork.Rewrite], seriesID: Int64) throws -> Int {
        for r in rewrites { try ledger.replaceChunks(seriesID: seriesID, window: r.window, r.old, with: r.chunk) }
        return rewrites.reduce(0) { $0 + $1.old.chunks.count }
    }
}
