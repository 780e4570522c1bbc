import LantaarnModel

/// A series' readings of a batch as the appender's worker leaves them: sifted, the new ones
/// below the sealed horizon merged into their windows and encoded, the rest to store live.
/// This is the part of sifting and backfill that needs no database: it runs on the appender's
/// worker thread (``ReadingAppender/append(_:quarantined:source:)``).
struct SeriesWork: Sendable {
    /// The time span of a series' readings in a batch, and whether they came in time order.
    struct BatchSpan: Sendable {
        var first = Int64.max, last = Int64.min, ordered = true

        /// One pass, no allocation: this runs for every series of every batch.
        init(_ readings: [Reading], _ positions: [Int]) {
            for p in positions {
                let t = readings[p].timestamp
                if t <= last { ordered = false }
                (first, last) = (min(first, t), max(last, t))
            }
        }

        /// Whether the readings may overlap what the series holds. All newer than its newest
        /// reading, in order and not below its sealed horizon (wall-clock sealing moves it past the
        /// watermark): nothing to compare or merge with, the live case.
        func mayOverlap(_ state: SeriesState) -> Bool {
            first <= state.watermark || !ordered || first < state.sealedUntil
        }
    }

    /// What a series holds in a batch's time span: its sealed chunks there (as stored: the worker
    /// decodes them) and its open readings.
    struct Held: Sendable {
        var chunks: [StoredChunk] = []
        var open = ReadingColumns()
    }

    /// What ``sift(_:at:span:sealed:open:source:)`` found.
    struct Sifted: Sendable {
        /// Positions of new readings at times the series has no reading for, in time order.
        var new: [Int] = []
        var duplicates = 0
        var conflicts: [QuarantineEntry] = []
    }

    /// One window's chunks to replace by one merged chunk.
    struct Rewrite: Sendable {
        var window: Int64
        var old: SealedWindow
        var chunk: EncodedChunk
    }

    var sifted: Sifted
    var rewrites: [Rewrite] = []
    var backfilled = 0
    var live: [Int]

    /// Sifts, merges and encodes; `sharing` decodes and encodes the timestamp columns of one
    /// sensor's series once. Throws when a stored chunk does not decode.
    init(_ readings: [Reading], at positions: [Int], span: BatchSpan, held: Held, state: SeriesState, policy: ChunkPolicy,
         sharing: (decoding: TimestampDecoding, encoding: TimestampEncoding), source: String) throws {
        let sealed = try SealedWindow.decode(held.chunks, of: state.id, times: sharing.decoding)
        sifted = SeriesWork.sift(readings, at: positions, span: span, sealed: sealed, open: held.open, source: source)
        let horizon = state.sealedUntil
        let old = sifted.new.filter { readings[$0].timestamp < horizon }
        live = old.isEmpty ? sifted.new : sifted.new.filter { readings[$0].timestamp >= horizon }
        if !old.isEmpty {
            rewrites = SeriesWork.rewrites(readings, at: old, sealed: sealed, policy: policy, encoding: sharing.encoding)
            backfilled = old.count
        }
    }

    /// Separates a series' readings at `positions` into new ones, duplicates and conflicts, against
    /// what the series holds over the readings' `span` (its `sealed` windows and `open` readings)
    /// and against each other.
    static func sift(_ readings: [Reading], at positions: [Int], span: BatchSpan, sealed: [Int64: SealedWindow], open: ReadingColumns,
                     source: String) -> Sifted {
        var sifted = Sifted()
        // What the series holds, in time order: sealed windows, then the open buffer. Matched
        // against the batch by one merge walk, not a lookup table.
        var held = ReadingColumns()
        let starts = sealed.keys.sorted()
        if starts.count == 1 {
            held = sealed[starts[0]]!.columns
        } else if !starts.isEmpty {
            let total = sealed.values.reduce(0) { $0 + $1.columns.ts.count } + open.ts.count
            held.ts.reserveCapacity(total)
            held.vs.reserveCapacity(total)
            for start in starts {
                let columns = sealed[start]!.columns
                held.ts += columns.ts
                held.vs += columns.vs
            }
        }
        held.ts += open.ts
        held.vs += open.vs
        if !held.isSortedByTime { held = held.sortedByTime() }
        // Stable by time: of equal times the earlier arrival is the one kept. Archives come in
        // time order, so the sort is usually skipped.
        let inOrder = span.ordered ? positions : positions.sorted(by: { (readings[$0].timestamp, $0) < (readings[$1].timestamp, $1) })
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

    /// The merged chunks that take new readings of one series, all older than its sealed horizon
    /// and in time order, into the sealed chunks of their windows (`sealed`): each window's chunks
    /// are replaced by one chunk holding the old and the new readings in time order. Encodes the
    /// timestamps through `encoding` (one sensor's) when given, else leaves them to the backend.
    static func rewrites(_ readings: [Reading], at positions: [Int], sealed: [Int64: SealedWindow], policy: ChunkPolicy,
                         encoding: TimestampEncoding?) -> [Rewrite] {
        var rewrites: [Rewrite] = []
        // `positions` is in time order, so each window's readings are one run of it.
        policy.forEachWindow(count: positions.count, time: { readings[positions[$0]].timestamp }) { window, run in
            let old = sealed[window] ?? SealedWindow()
            let held = old.chunks.count > 1 ? old.columns.sortedByTime() : old.columns
            let merged = merge(held, readings, positions[run])
            let timestamps = encoding?.encode(merged.ts, window: window)
            // The writer needs the old chunks' names, not their readings: those are freed here,
            // on the thread that decoded them.
            var named = old
            named.columns = ReadingColumns()
            rewrites.append(Rewrite(window: window, old: named, chunk: EncodedChunk(ts: merged.ts, vs: merged.vs, fs: merged.fs, timestamps: timestamps)))
        }
        return rewrites
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
