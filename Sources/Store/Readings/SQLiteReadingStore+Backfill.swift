import Foundation
import GRDB
import LantaarnModel

/// Readings that arrive for times a series already has: duplicates, conflicts, and backfill
/// into sealed chunks.
///
/// - A reading equal to a stored one (same series, time and value) is a duplicate: counted,
///   not stored again. Overlapping archives, or an archive of data that also came in live,
///   load cleanly.
/// - The same series and time with another value is a conflict: the stored value stays, the
///   other goes to quarantine with both values in the reason.
/// - A new reading older than the series' sealed horizon is merged into the sealed chunk of its
///   window: the window's chunks are decoded, merged and written again as one chunk (with its
///   summary), in the caller's transaction, once per window per batch.
extension SQLiteReadingStore {
    /// What ``sift(_:_:at:state:source:)`` found.
    struct Sifted {
        /// Positions of new readings at times the series has no reading for, in time order.
        var new: [Int] = []
        var duplicates = 0
        var conflicts: [QuarantineEntry] = []
        /// Sealed chunks of the windows the batch reaches below the sealed horizon, by window start.
        var sealed: [Int64: SealedWindow] = [:]
    }

    /// The chunks of one series in one sealed window, decoded.
    struct SealedWindow {
        var chunkIDs: [Int64] = []
        var columns = Columns()
    }

    /// Separates a series' readings at `positions` into new ones, duplicates and conflicts, against
    /// what the series holds (sealed chunks and the open buffer) and against each other. Costs
    /// nothing for the live case: readings all newer than the series' newest one, in order.
    func sift(_ db: Database, _ readings: [Reading], at positions: [Int], state: SeriesState, source: String) throws -> Sifted {
        var sifted = Sifted()
        // One pass, no allocation: this runs for every series of every batch.
        var (first, last, ordered) = (Int64.max, Int64.min, true)
        for p in positions {
            let t = readings[p].timestamp
            if t <= last { ordered = false }
            (first, last) = (min(first, t), max(last, t))
        }
        guard first <= state.watermark || !ordered else {
            sifted.new = positions
            return sifted
        }
        // What the series holds in the batch's time span, in time order: sealed windows, then
        // the open buffer. Matched against the batch by one merge walk, not a lookup table.
        var held = Columns()
        if first < state.sealedUntil {
            sifted.sealed = try sealedWindows(db, seriesID: state.id, from: first, to: min(last, state.sealedUntil - 1))
            for start in sifted.sealed.keys.sorted() {
                let columns = sifted.sealed[start]!.columns
                held.ts += columns.ts
                held.vs += columns.vs
            }
        }
        if last >= state.sealedUntil {
            let open = try Row.fetchCursor(db.cachedStatement(sql: "SELECT ts, value FROM open_reading WHERE series_id = ? AND ts >= ? AND ts <= ? ORDER BY ts"),
                                           arguments: [state.id, max(first, state.sealedUntil), last])
            while let row = try open.next() { held.ts.append(row[0]); held.vs.append(row[1]) }
        }
        if !held.ts.indices.dropFirst().allSatisfy({ held.ts[$0 - 1] <= held.ts[$0] }) { held = held.sortedByTime() }
        // Stable by time: of equal times the earlier arrival is the one kept. Archives come in
        // time order, so the sort is usually skipped.
        let inOrder = ordered ? positions : positions.sorted(by: { (readings[$0].timestamp, $0) < (readings[$1].timestamp, $1) })
        var j = 0
        // The batch's new values at the current time (reused: no allocation per reading).
        var batchAt: (ts: Int64, values: [Double]) = (Int64.min, [])
        for p in inOrder {
            let r = readings[p]
            while j < held.ts.count && held.ts[j] < r.timestamp { j += 1 }
            if batchAt.ts != r.timestamp {
                batchAt.ts = r.timestamp
                batchAt.values.removeAll(keepingCapacity: true)
            }
            var k = j, stored: Double?, duplicate = false
            while k < held.ts.count && held.ts[k] == r.timestamp {
                stored = stored ?? held.vs[k]
                duplicate = duplicate || held.vs[k] == r.value
                k += 1
            }
            stored = stored ?? batchAt.values.first
            duplicate = duplicate || batchAt.values.contains(r.value)
            if duplicate {
                sifted.duplicates += 1
            } else if let stored {
                sifted.conflicts.append(.conflict(r, stored: stored, source: source))
            } else {
                batchAt.values.append(r.value)
                sifted.new.append(p)
            }
        }
        return sifted
    }

    /// The sealed chunks of a series whose windows overlap `from...to`, decoded per window.
    func sealedWindows(_ db: Database, seriesID: Int64, from: Int64, to: Int64) throws -> [Int64: SealedWindow] {
        var out: [Int64: SealedWindow] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT c.id, c.window_start, b.ts, c.value, c.flags FROM chunk c JOIN ts_block b ON b.id = c.ts_id
            WHERE c.series_id = ? AND c.window_start >= ? AND c.window_start <= ? ORDER BY c.window_start, c.id
            """), arguments: [seriesID, TimeBucket.floor(from, size: policy.span), TimeBucket.floor(to, size: policy.span)])
        while let row = try rows.next() {
            let window: Int64 = row[1]
            let ts = try (row[2] as Data).withUnsafeBytes { try TimestampCodec.decode($0) }
            let vs = try (row[3] as Data).withUnsafeBytes { try DecimalValueCodec.decode($0) }
            let fs = try (row[4] as Data).withUnsafeBytes { try FlagsCodec.decode($0) }
            guard ts.count == vs.count, vs.count == fs.count else {
                throw ChunkCodecError("chunk \(row[0] as Int64) holds \(ts.count) timestamps, \(vs.count) values and \(fs.count) flags")
            }
            out[window, default: SealedWindow()].chunkIDs.append(row[0])
            out[window]!.columns.ts += ts
            out[window]!.columns.vs += vs
            out[window]!.columns.fs += fs
        }
        return out
    }

    /// Merges new readings of one series, all older than its sealed horizon and in time order,
    /// into the sealed chunks of their windows: each window's chunks are replaced by one chunk
    /// holding the old and the new readings in time order. Returns how many were stored.
    func backfill(_ db: Database, _ readings: [Reading], at positions: [Int], seriesID: Int64, sealed: [Int64: SealedWindow]) throws -> Int {
        var byWindow: [Int64: [Int]] = [:]
        for p in positions { byWindow[TimeBucket.floor(readings[p].timestamp, size: policy.span), default: []].append(p) }
        var merged = Columns(), rewritten = 0
        for window in byWindow.keys.sorted() {
            let old = sealed[window] ?? SealedWindow()
            // Both sides are in time order (`positions` is): one merge walk; on equal times the
            // stored reading first, then arrival order.
            let stored = old.chunkIDs.count > 1 ? old.columns.sortedByTime() : old.columns
            var i = 0
            for p in byWindow[window]! {
                let t = readings[p].timestamp
                while i < stored.ts.count && stored.ts[i] <= t {
                    merged.ts.append(stored.ts[i]); merged.vs.append(stored.vs[i]); merged.fs.append(stored.fs[i])
                    i += 1
                }
                merged.ts.append(t); merged.vs.append(readings[p].value); merged.fs.append(readings[p].flags.rawValue)
            }
            merged.ts += stored.ts[i...]
            merged.vs += stored.vs[i...]
            merged.fs += stored.fs[i...]
            for id in old.chunkIDs { try ChunkRows.delete(db, id: id) }
            rewritten += old.chunkIDs.count
        }
        try writeChunks(db, seriesID: seriesID, ts: merged.ts, vs: merged.vs, fs: merged.fs)
        if rewritten > 0 { try Self.countRewrittenChunks(db, rewritten) }
        return positions.count
    }
}

extension SQLiteReadingStore.Columns {
    /// The readings in time order; equal times keep their order here.
    func sortedByTime() -> Self {
        let order = ts.indices.sorted { (ts[$0], $0) < (ts[$1], $1) }
        return Self(ts: order.map { ts[$0] }, vs: order.map { vs[$0] }, fs: order.map { fs[$0] })
    }
}
