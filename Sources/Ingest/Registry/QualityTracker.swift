import LantaarnModel

/// Marks suspect readings as they arrive, per series, with the quantity's checks from
/// `Sensors/` (spike, stuck, gap). Marks never remove a value: the store keeps it with its
/// flags and pipelines decide what to do with them.
///
/// State lives in memory: after a restart the first reading of a series is compared with
/// nothing. A reading older than the newest one seen is not judged (it is late, not a jump).
/// A batch's changes can be undone (`begin`, `commit`, `rollback`): a batch whose commit fails
/// is read again, and must then be judged as it was the first time, not against itself.
struct QualityTracker {
    private struct SeriesState {
        var timestamp: Int64
        var value: Double
        var repeats: Int
    }

    private var states: [SeriesKey: SeriesState] = [:]
    /// The state each series had before the open batch touched it (nil inside: it had none);
    /// nil when no batch is open.
    private var undo: [SeriesKey: SeriesState?]?

    /// Opens a batch: the changes from here on can be undone with `rollback`.
    mutating func begin() { undo = [:] }

    /// Keeps the open batch's changes.
    mutating func commit() { undo = nil }

    /// Puts back the state from before the open batch.
    mutating func rollback() {
        for (series, state) in undo ?? [:] { states[series] = state }
        undo = nil
    }

    private mutating func update(_ series: SeriesKey, to state: SeriesState) {
        if undo != nil, undo?.index(forKey: series) == nil { undo?[series] = .some(states[series]) }
        states[series] = state
    }

    /// The flags for `r`, updating the series' state.
    mutating func flags(for r: Reading, spec: QuantitySpec) -> QualityFlags {
        guard spec.spikeStep != nil || spec.stuckAfter != nil || spec.interval != nil else { return [] }
        guard let previous = states[r.series] else {
            update(r.series, to: SeriesState(timestamp: r.timestamp, value: r.value, repeats: 1))
            return []
        }
        guard r.timestamp > previous.timestamp else { return [] }
        var flags: QualityFlags = []
        if let step = spec.spikeStep, abs(r.value - previous.value) > step { flags.insert(.spike) }
        let repeats = r.value == previous.value ? previous.repeats + 1 : 1
        if let n = spec.stuckAfter, repeats >= n { flags.insert(.stuck) }
        if let interval = spec.interval, r.timestamp - previous.timestamp > 3 * interval { flags.insert(.afterGap) }
        update(r.series, to: SeriesState(timestamp: r.timestamp, value: r.value, repeats: repeats))
        return flags
    }
}
