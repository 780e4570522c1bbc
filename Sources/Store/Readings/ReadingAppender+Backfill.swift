import LantaarnModel

/// Duplicates, conflicts and backfill: a batch's readings against what their series holds.
extension ReadingAppender {
    /// What ``sift(_:at:state:source:)`` found.
    struct Sifted {
        /// Positions of new readings at times the series has no reading for, in time order.
        var new: [Int] = []
        var duplicates = 0
        var conflicts: [QuarantineEntry] = []
        /// Sealed chunks of the windows the batch reaches below the sealed horizon, by window start.
        var sealed: [Int64: SealedWindow] = [:]
    }

    /// Separates a series' readings at `positions` into new ones, duplicates and conflicts, against
    /// what the series holds (sealed chunks and the open buffer) and against each other. Costs
    /// nothing for the live case: readings all newer than the series' newest one, in order.
    func sift(_ readings: [Reading], at positions: [Int], state: SeriesState, source: String) throws -> Sifted {
        var sifted = Sifted()
        // One pass, no allocation: this runs for every series of every batch.
        var (first, last, ordered) = (Int64.max, Int64.min, true)
        for p in positions {
            let t = readings[p].timestamp
            if t <= last { ordered = false }
            (first, last) = (min(first, t), max(last, t))
        }
        // All newer than the newest reading and not below the sealed horizon (wall-clock
        // sealing moves it past the watermark): nothing to compare or merge with.
        guard first <= state.watermark || !ordered || first < state.sealedUntil else {
            sifted.new = positions
            return sifted
        }
        // What the series holds in the batch's time span, in time order: sealed windows, then
        // the open buffer. Matched against the batch by one merge walk, not a lookup table.
        var held = ReadingColumns()
        if first < state.sealedUntil {
            let windows = TimeBucket.floor(first, size: policy.span)...TimeBucket.floor(min(last, state.sealedUntil - 1), size: policy.span)
            sifted.sealed = try ledger.sealedWindows(seriesID: state.id, windows: windows)
            let starts = sifted.sealed.keys.sorted()
            if starts.count == 1 {
                held = sifted.sealed[starts[0]]!.columns
            } else {
                let total = sifted.sealed.values.reduce(0) { $0 + $1.columns.ts.count }
                held.ts.reserveCapacity(total)
                held.vs.reserveCapacity(total)
                for start in starts {
                    let columns = sifted.sealed[start]!.columns
                    held.ts += columns.ts
                    held.vs += columns.vs
                }
            }
        }
        if last >= state.sealedUntil {
            let open = try ledger.openReadings(seriesID: state.id, from: max(first, state.sealedUntil), through: last)
            held.ts += open.ts
            held.vs += open.vs
        }
        if !held.isSortedByTime { held = held.sortedByTime() }
        // Stable by time: of equal times the earlier arrival is the one kept. Archives come in
        // time order, so the sort is usually skipped.
        let inOrder = ordered ? positions : positions.sorted(by: { (readings[$0].timestamp, $0) < (readings[$1].timestamp, $1) })
        sifted.new.reserveCapacity(inOrder.count)
        var j = 0
        // The batch's new values at the current time: a count over reused storage, so that a
        // new time costs no call (this loop runs for every reading of a backfill).
        var batchTime = Int64.min, batchValues: [Double] = [], batchCount = 0
        held.ts.withUnsafeBufferPointer { heldTimes in
            held.vs.withUnsafeBufferPointer { heldValues in
                // Time and value read in place: a copy of the reading would retain its four strings.
                for p in inOrder {
                    let t = readings[p].timestamp, value = readings[p].value
                    while j < heldTimes.count && heldTimes[j] < t { j += 1 }
                    if batchTime != t { (batchTime, batchCount) = (t, 0) }
                    var k = j, stored: Double?, duplicate = false
                    while k < heldTimes.count && heldTimes[k] == t {
                        stored = stored ?? heldValues[k]
                        duplicate = duplicate || heldValues[k] == value
                        k += 1
                    }
                    if batchCount > 0 {
                        stored = stored ?? batchValues[0]
                        duplicate = duplicate || batchValues[..<batchCount].contains(value)
                    }
                    if duplicate {
                        sifted.duplicates += 1
                    } else if let stored {
                        sifted.conflicts.append(.conflict(readings[p], stored: stored, source: source))
                    } else {
                        if batchCount < batchValues.count { batchValues[batchCount] = value } else { batchValues.append(value) }
                        batchCount += 1
                        sifted.new.append(p)
                    }
                }
            }
        }
        return sifted
    }

    /// Merges new readings of one series, all older than its sealed horizon and in time order,
    /// into the sealed chunks of their windows: each window's chunks are replaced by one chunk
    /// holding the old and the new readings in time order. Returns how many were stored.
    func backfill(_ readings: [Reading], at positions: [Int], seriesID: Int64, sealed: [Int64: SealedWindow]) throws -> Int {
        var rewritten = 0
        // `positions` is in time order, so each window's readings are one run of it.
        try policy.forEachWindow(count: positions.count, time: { readings[positions[$0]].timestamp }) { window, run in
            let old = sealed[window] ?? SealedWindow()
            let held = old.chunks.count > 1 ? old.columns.sortedByTime() : old.columns
            let merged = Self.merge(held, readings, positions[run])
            try ledger.replaceChunks(seriesID: seriesID, window: window, old, ts: merged.ts, vs: merged.vs, fs: merged.fs)
            rewritten += old.chunks.count
        }
        if rewritten > 0 { try ledger.countRewrittenChunks(rewritten) }
        return positions.count
    }

    /// Stored readings (in time order) and new ones at `positions` (in time order) in one time
    /// order; on equal times the stored reading first, then arrival order. Stored readings are
    /// copied a run at a time (an archive's readings fill a gap: one run before it, one after),
    /// into memory sized once.
    static func merge(_ held: ReadingColumns, _ readings: [Reading], _ positions: ArraySlice<Int>) -> ReadingColumns {
        let count = held.ts.count + positions.count
        var merged = ReadingColumns(ts: [Int64](repeating: 0, count: count), vs: [Double](repeating: 0, count: count),
                                    fs: [UInt8](repeating: 0, count: count))
        merged.ts.withUnsafeMutableBufferPointer { ts in
            merged.vs.withUnsafeMutableBufferPointer { vs in
                merged.fs.withUnsafeMutableBufferPointer { fs in
                    held.ts.withUnsafeBufferPointer { heldTs in
                        held.vs.withUnsafeBufferPointer { heldVs in
                            held.fs.withUnsafeBufferPointer { heldFs in
                                var i = 0, w = 0
                                func copyHeld(upTo end: Int) {
                                    guard end > i else { return }
                                    let n = end - i
                                    (ts.baseAddress! + w).update(from: heldTs.baseAddress! + i, count: n)
                                    (vs.baseAddress! + w).update(from: heldVs.baseAddress! + i, count: n)
                                    (fs.baseAddress! + w).update(from: heldFs.baseAddress! + i, count: n)
                                    (i, w) = (end, w + n)
                                }
                                for p in positions {
                                    let t = readings[p].timestamp
                                    var upTo = i
                                    while upTo < heldTs.count && heldTs[upTo] <= t { upTo += 1 }
                                    copyHeld(upTo: upTo)
                                    (ts[w], vs[w], fs[w]) = (t, readings[p].value, readings[p].flags.rawValue)
                                    w += 1
                                }
                                copyHeld(upTo: heldTs.count)
                            }
                        }
                    }
                }
            }
        }
        return merged
    }
}
