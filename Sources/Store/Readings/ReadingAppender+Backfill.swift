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

    /// Writes the rewrites of some series of one sensor (a unit's, or one series') window by
    /// window, so that a sensor's quantities merged into one window are written together (see
    /// ``ReadingLedger/replaceWindow(_:_:)``); returns how many stored chunks they replaced.
    func write(_ series: [(id: Int64, rewrites: [SeriesWork.Rewrite])]) throws -> Int {
        var byWindow: [Int64: [WindowRewrite]] = [:], replaced = 0
        for (id, rewrites) in series {
            for r in rewrites {
                byWindow[r.window, default: []].append(WindowRewrite(seriesID: id, old: r.old, chunk: r.chunk))
                replaced += r.old.chunks.count
            }
        }
        for window in byWindow.keys.sorted() { try ledger.replaceWindow(window, byWindow[window]!) }
        return replaced
    }
}
