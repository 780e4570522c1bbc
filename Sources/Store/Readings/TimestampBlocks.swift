import Foundation

/// The timestamp blocks one append may point a new chunk at, by sensor and window: blocks it
/// wrote itself and blocks of sibling series (the same sensor's other quantities) it read. A
/// block is shared only when its times equal the chunk's; a sibling's block is decoded for that
/// only when its reading count matches, and then once.
final class TimestampBlocks {
    /// Windows read ahead per query for a series' siblings.
    static let readAhead: Int64 = 64

    private struct Candidate {
        var id: Int64
        var count: Int
        var times: [Int64]?
        var encoded: Data?
    }

    private struct Place: Hashable {
        var sensor: String
        var window: Int64
    }

    private var candidates: [Place: [Candidate]] = [:]
    private var placeOf: [Int64: Place] = [:]
    /// The windows whose siblings' blocks were read, per series.
    private var siblingWindows: [Int64: Range<Int64>] = [:]
    private var sensorOf: [Int64: String] = [:]
    /// Stored blocks decoded by ``decoded(block:_:)``, by id.
    private var decodedTimes: [Int64: [Int64]] = [:]
    static let decodedLimit = 4096

    /// The sensor of a series, if known.
    func sensor(of seriesID: Int64) -> String? { sensorOf[seriesID] }

    /// Records the sensor of a series (``SQLiteReadingLedger`` knows it from the batch).
    func noteSensor(_ sensor: String, of seriesID: Int64) { sensorOf[seriesID] = sensor }

    /// Whether the siblings' blocks of `window` were read for `seriesID`.
    func siblingsRead(of seriesID: Int64, cover window: Int64) -> Bool {
        siblingWindows[seriesID]?.contains(window) ?? false
    }

    func noteSiblingsRead(of seriesID: Int64, windows: Range<Int64>) {
        siblingWindows[seriesID] = windows
    }

    /// A block this append wrote.
    func add(sensor: String, window: Int64, id: Int64, times: [Int64]) {
        let place = Place(sensor: sensor, window: window)
        candidates[place, default: []].append(Candidate(id: id, count: times.count, times: times))
        placeOf[id] = place
    }

    /// A block read from the store, still encoded.
    func add(sensor: String, window: Int64, id: Int64, count: Int, encoded: Data) {
        guard placeOf[id] == nil else { return }
        let place = Place(sensor: sensor, window: window)
        candidates[place, default: []].append(Candidate(id: id, count: count, encoded: encoded))
        placeOf[id] = place
    }

    /// A block of the sensor's window whose times equal `times`.
    func find(_ times: [Int64], sensor: String, window: Int64) -> Int64? {
        let place = Place(sensor: sensor, window: window)
        guard let count = candidates[place]?.count else { return nil }
        for k in 0..<count where candidates[place]![k].count == times.count {
            if candidates[place]![k].times == nil, let encoded = candidates[place]![k].encoded {
                // A block that does not decode is not shared; its chunk's reader reports it.
                candidates[place]![k].times = (try? encoded.withUnsafeBytes { try TimestampCodec.decode($0) }) ?? []
                candidates[place]![k].encoded = nil
            }
            if candidates[place]![k].times == times { return candidates[place]![k].id }
        }
        return nil
    }

    /// The times of stored block `id`, decoded by `decode` on first use. A sensor's quantities
    /// share their blocks, so the second quantity's backfill finds them decoded.
    func decoded(block id: Int64, _ decode: () throws -> [Int64]) rethrows -> [Int64] {
        if let times = decodedTimes[id] { return times }
        let times = try decode()
        if decodedTimes.count >= Self.decodedLimit { decodedTimes.removeAll(keepingCapacity: true) }
        decodedTimes[id] = times
        return times
    }

    /// A block that was deleted (its last chunk went): never shared again, and its id, which
    /// SQLite may give the next new block, no longer names its times.
    func forget(_ id: Int64?) {
        guard let id else { return }
        decodedTimes[id] = nil
        guard let place = placeOf.removeValue(forKey: id) else { return }
        candidates[place]?.removeAll { $0.id == id }
    }
}
