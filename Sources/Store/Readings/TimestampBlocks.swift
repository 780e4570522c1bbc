import Foundation

/// The timestamp blocks one append may point a new chunk at, by sensor and window: blocks it
/// wrote itself and blocks of sibling series (the same sensor's other quantities) it found. A
/// block is shared only when its times equal the chunk's; a sibling's block is read and decoded
/// for that only when its reading count matches, and then once.
final class TimestampBlocks {
    /// Windows read ahead per query for a series' siblings.
    static let readAhead: Int64 = 64

    private struct Candidate {
        var id: Int64
        var count: Int
        var times: [Int64]?
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

    /// A stored block of `count` times, not read yet.
    func add(sensor: String, window: Int64, id: Int64, count: Int) {
        guard placeOf[id] == nil else { return }
        let place = Place(sensor: sensor, window: window)
        candidates[place, default: []].append(Candidate(id: id, count: count))
        placeOf[id] = place
    }

    /// A block of the sensor's window whose times equal `times`; a stored block's times are read
    /// by `load` when its count matches. A block that does not decode is not shared (its chunk's
    /// reader reports it).
    func find(_ times: [Int64], sensor: String, window: Int64, load: (Int64) throws -> [Int64]) -> Int64? {
        let place = Place(sensor: sensor, window: window)
        guard let count = candidates[place]?.count else { return nil }
        for k in 0..<count where candidates[place]![k].count == times.count {
            if candidates[place]![k].times == nil {
                candidates[place]![k].times = (try? load(candidates[place]![k].id)) ?? []
            }
            if candidates[place]![k].times == times { return candidates[place]![k].id }
        }
        return nil
    }

    /// A known block whose times were rewritten in place.
    func rewrote(_ id: Int64, times: [Int64]) {
        guard let place = placeOf[id], let k = candidates[place]?.firstIndex(where: { $0.id == id }) else { return }
        candidates[place]![k] = Candidate(id: id, count: times.count, times: times)
    }

    /// A block that was deleted (its last chunk went): never shared again, and its id, which
    /// SQLite may give the next new block, no longer names its times.
    func forget(_ id: Int64?) {
        guard let id, let place = placeOf.removeValue(forKey: id) else { return }
        candidates[place]?.removeAll { $0.id == id }
    }
}
