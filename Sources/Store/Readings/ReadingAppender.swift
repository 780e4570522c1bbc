import Dispatch
import LantaarnModel

/// The rules of storing readings, the same for every backend: grouping a batch by series,
/// duplicates and conflicts, the open buffer and sealing, and backfill into sealed chunks.
/// A ``ReadingLedger`` does the storage inside the caller's transaction.
///
/// - A reading equal to a stored one (same series, time and value) is a duplicate: counted,
///   not stored again. Overlapping archives, or an archive of data that also came in live,
///   load cleanly.
/// - The same series and time with another value is a conflict: the stored value stays, the
///   other goes to quarantine with both values in the reason.
/// - A new reading older than the series' sealed horizon is merged into the sealed chunk of its
///   window: the window's chunks are decoded, merged and written again as one chunk (with its
///   summary), once per window per batch.
/// - The rest goes the live way: readings of windows the batch closes go straight into chunks,
///   the others into the open buffer.
package struct ReadingAppender<Ledger: ReadingLedger> {
    let ledger: Ledger
    let policy: ChunkPolicy

    package init(_ ledger: Ledger, policy: ChunkPolicy) {
        self.ledger = ledger
        self.policy = policy
    }

    /// Stores readings and quarantine entries. New readings for a time already published are
    /// recorded as changes (their windows become stale).
    ///
    /// The series of a sensor whose readings may overlap what they hold (a backfill, an
    /// overlapping archive) are sifted, and their backfill merged and encoded, as one unit of
    /// ``SeriesWork`` on another thread, while this one (the writer's) reads the next unit and
    /// writes the one before; when the unit to write is not done yet, this one takes the newest
    /// unit itself. On two cores the CPU work of a backfill and its reads and writes overlap.
    /// Series are written in batch order.
    package func append(_ readings: [Reading], quarantined: [QuarantineEntry], source: String) throws -> AppendResult {
        let groups = Self.groupBySeries(readings)
        let states = try ledger.series(groups.map(\.identity))
        let spans = groups.map { SeriesWork.BatchSpan(readings, $0.positions) }
        var result = AppendResult()
        var conflicts: [QuarantineEntry] = []
        // Readings for a time some dataset already published change what it was computed from.
        let publishedUntil = try ledger.publishedUntil()
        var changes = ChangeTally()
        var rewritten = 0
        // Units in batch order: a live series (no work), or a sensor's series with their work to come.
        var waiting: [(series: Range<Int>, work: PendingWork<Result<[SeriesWork], any Error>>?)] = []
        var queue: DispatchQueue?

        func write(_ k: Int, _ work: SeriesWork?) throws {
            var state = states[k]
            let sifted = work?.sifted ?? SeriesWork.Sifted(new: groups[k].positions)
            result.duplicates += sifted.duplicates
            conflicts += sifted.conflicts
            for p in sifted.new where readings[p].timestamp < publishedUntil {
                changes.add(groups[k].identity.quantity, at: readings[p].timestamp, .arrived)
            }
            result.backfilled += work?.backfilled ?? 0
            let live = work?.live ?? groups[k].positions
            guard !live.isEmpty else { return }
            state.watermark = max(state.watermark, live.map { readings[$0].timestamp }.max()!)
            try store(readings, at: live, into: &state)
            result.stored += live.count
        }
        func writeFirst() throws {
            let (series, pending) = waiting.removeFirst()
            // While the other thread finishes this unit, this one takes the newest if no thread has.
            if let pending, !pending.isDone { waiting.last?.work?.run() }
            let works = try pending?.wait().get()
            if let works { rewritten += try self.write(zip(series, works).map { (states[$0].id, $1.rewrites) }) }
            for (offset, k) in series.enumerated() { try write(k, works?[offset]) }
        }

        var k = 0
        while k < groups.count {
            guard spans[k].mayOverlap(states[k]) else {
                waiting.append((k..<k + 1, nil))
                k += 1
                if waiting.count == 1 { try writeFirst() }
                continue
            }
            // The sensor's next series that may overlap too: they share their timestamp columns.
            let start = k, sensor = groups[k].identity.sensorID
            k += 1
            while k < groups.count, groups[k].identity.sensorID == sensor, spans[k].mayOverlap(states[k]) { k += 1 }
            let inputs = try (start..<k).map { j in (groups[j].positions, spans[j], try held(in: spans[j], of: states[j]), states[j]) }
            let policy = policy
            if queue == nil { queue = DispatchQueue(label: "lantaarn.store.append", attributes: .concurrent) }
            waiting.append((start..<k, PendingWork(on: queue!) {
                Result {
                    let sharing = (TimestampDecoding(), TimestampEncoding())
                    return try inputs.map { positions, span, held, state in
                        try SeriesWork(readings, at: positions, span: span, held: held, state: state, policy: policy, sharing: sharing, source: source)
                    }
                }
            }))
            // Units are written two behind the newest: the other thread has one to take while
            // this one writes, and this one has one to take when the other is still busy.
            while waiting.count > 2 { try writeFirst() }
        }
        while !waiting.isEmpty { try writeFirst() }
        result.stored += result.backfilled
        result.conflicts = conflicts.count
        for entry in conflicts { result.conflictsBySensor[entry.sensorID ?? "", default: 0] += 1 }
        if rewritten > 0 { try ledger.countRewrittenChunks(rewritten) }
        try ledger.insertQuarantine(quarantined + conflicts)
        if !changes.isEmpty { try ledger.recordChanges(changes) }
        try ledger.finish()
        return result
    }

    /// Seals every window of `series` that closed by wall-clock `now` (as if a reading at `now`
    /// had arrived); the stored watermark stays the newest reading.
    package func sealExpired(_ series: [SeriesState], now: Int64) throws {
        for var state in series {
            let watermark = state.watermark
            state.watermark = max(watermark, now)
            try store([], at: [], into: &state, keeping: watermark)
        }
        try ledger.finish()
    }

    /// Positions of the readings of each series, in arrival order within a series: positions,
    /// not copies of the readings (each copy retains four strings). A reading of the same series
    /// as one of the last two (a sensor's quantities arrive together) takes its slot without a hash.
    static func groupBySeries(_ readings: [Reading]) -> [(identity: SeriesIdentity, positions: [Int])] {
        var groups: [(identity: SeriesIdentity, positions: [Int])] = []
        var index: [SeriesIdentity: Int] = [:]
        var recent = (first: (position: -1, slot: 0), second: (position: -1, slot: 0))
        for (position, r) in readings.enumerated() {
            let slot: Int
            if recent.first.position >= 0, sameSeries(r, readings[recent.first.position]) {
                slot = recent.first.slot
            } else if recent.second.position >= 0, sameSeries(r, readings[recent.second.position]) {
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
        return groups
    }

    @inline(__always)
    private static func sameSeries(_ a: Reading, _ b: Reading) -> Bool {
        a.series == b.series && a.wijk == b.wijk && a.buurt == b.buurt
    }

    /// Stores the readings at `positions` (one series, none older than its sealed horizon) and
    /// seals every window the new watermark closes, so sealing is atomic with the batch and its
    /// log offset. Readings in windows that this batch closes go straight into chunks, merged
    /// with any buffered readings of those windows; only the rest is buffered. A backfill
    /// therefore never touches the buffer, which keeps bulk loads fast. The series is recorded
    /// with `keeping` as its watermark when given.
    func store(_ readings: [Reading], at positions: [Int], into state: inout SeriesState, keeping watermark: Int64? = nil) throws {
        let limit = policy.sealLimit(watermark: state.watermark)
        let sealing = limit > state.sealedUntil
        // Columns, not Reading copies: a bulk load passes millions of readings through here.
        // Buffered readings first: for equal timestamps, earlier arrivals stay first.
        var closed = sealing ? try ledger.bufferedReadings(seriesID: state.id, before: limit) : ReadingColumns()
        let bufferedCount = closed.ts.count
        var open = ReadingColumns()
        closed.ts.reserveCapacity(bufferedCount + positions.count)
        closed.vs.reserveCapacity(bufferedCount + positions.count)
        closed.fs.reserveCapacity(bufferedCount + positions.count)
        for p in positions {
            let t = readings[p].timestamp, v = readings[p].value, f = readings[p].flags.rawValue
            if t < limit {
                closed.ts.append(t); closed.vs.append(v); closed.fs.append(f)
            } else {
                open.ts.append(t); open.vs.append(v); open.fs.append(f)
            }
        }
        if sealing {
            // Stable by time: equal timestamps keep buffer order, then arrival order.
            if !closed.isSortedByTime { closed = closed.sortedByTime() }
            try writeChunks(seriesID: state.id, closed)
            if bufferedCount > 0 { try ledger.deleteBuffered(seriesID: state.id, before: limit) }
            state.sealedUntil = limit
        }
        if !open.ts.isEmpty { try ledger.insertOpen(seriesID: state.id, open) }
        if let watermark { state.watermark = watermark }
        try ledger.updateSeries(state)
    }

    /// Cuts time-sorted columns into one chunk per window and stores them.
    package func writeChunks(seriesID: Int64, _ c: ReadingColumns) throws {
        try policy.forEachWindow(count: c.ts.count, time: { c.ts[$0] }) { window, run in
            try ledger.insertChunk(seriesID: seriesID, window: window, EncodedChunk(ts: Array(c.ts[run]), vs: Array(c.vs[run]), fs: Array(c.fs[run])))
        }
    }

    /// Adds readings moved from another series (a wijk reassignment) to `state`'s series, kept
    /// whole (no duplicate check: they were stored once already): those below its sealed horizon
    /// are merged into its sealed windows, the rest buffered. The series is recorded.
    package func merge(_ moved: ReadingColumns, into state: SeriesState, as key: SeriesKey) throws {
        let sorted = moved.isSortedByTime ? moved : moved.sortedByTime()
        let readings = sorted.ts.indices.map { Reading(series: key, timestamp: sorted.ts[$0], value: sorted.vs[$0], wijk: nil, flags: QualityFlags(rawValue: sorted.fs[$0])) }
        let old = readings.indices.filter { readings[$0].timestamp < state.sealedUntil }
        if let first = old.first, let last = old.last {
            let windows = TimeBucket.floor(readings[first].timestamp, size: policy.span)...TimeBucket.floor(readings[last].timestamp, size: policy.span)
            let sealed = try ledger.sealedWindows(seriesID: state.id, windows: windows)
            let rewritten = try write([(state.id, SeriesWork.rewrites(readings, at: old, sealed: sealed, policy: policy, encoding: nil))])
            if rewritten > 0 { try ledger.countRewrittenChunks(rewritten) }
        }
        let open = ReadingColumns(ts: Array(sorted.ts[old.count...]), vs: Array(sorted.vs[old.count...]), fs: Array(sorted.fs[old.count...]))
        if !open.ts.isEmpty { try ledger.insertOpen(seriesID: state.id, open) }
        try ledger.updateSeries(state)
    }

    /// Replaces the value of series `seriesID` at `ts` (the first, if a sensor sent several) in
    /// its sealed window, whose chunks are written again as one. Returns the old value, `nil`
    /// when the sealed chunks hold none at `ts`.
    package func replaceSealedValue(seriesID: Int64, at ts: Int64, with value: Double) throws -> Double? {
        let start = TimeBucket.floor(ts, size: policy.span)
        guard var window = try ledger.sealedWindows(seriesID: seriesID, windows: start...start).values.first,
              let k = window.columns.ts.firstIndex(of: ts) else { return nil }
        let old = window.columns.vs[k]
        window.columns.vs[k] = value
        let sorted = window.columns.sortedByTime()
        try ledger.replaceChunks(seriesID: seriesID, window: start, window, with: EncodedChunk(ts: sorted.ts, vs: sorted.vs, fs: sorted.fs))
        try ledger.finish()
        return old
    }
}
