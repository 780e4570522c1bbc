import LantaarnModel

/// Stored values replaced on purpose, each with its record: the data team decided that a
/// conflicting reading (quarantined with both values) is the right one.
public protocol ReadingCorrections: Sendable {
    /// Replaces the value stored for `reading`'s sensor, quantity and time by `reading.value`,
    /// records the correction with `note`, and removes quarantine entry `quarantineID`, in one
    /// transaction. `nil` when no value is stored at that time any more (nothing changes).
    func correct(_ reading: Reading, quarantineID: Int64, note: String) throws -> ReadingCorrection?

    /// The corrections made, newest first.
    func corrections(limit: Int) throws -> [ReadingCorrection]
}

/// The record of one correction.
public struct ReadingCorrection: Sendable, Equatable {
    public var id: Int64
    public var correctedAt: Int64
    public var series: SeriesKey
    public var timestamp: Int64
    public var oldValue: Double
    public var newValue: Double
    /// Why the new value is right, as the data team gave it.
    public var note: String

    public init(id: Int64, correctedAt: Int64, series: SeriesKey, timestamp: Int64, oldValue: Double, newValue: Double, note: String) {
        self.id = id
        self.correctedAt = correctedAt
        self.series = series
        self.timestamp = timestamp
        self.oldValue = oldValue
        self.newValue = newValue
        self.note = note
    }
}
