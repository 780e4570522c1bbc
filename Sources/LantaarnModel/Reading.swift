/// One validated measurement of one quantity by one sensor at one instant.
///
/// Timestamps are milliseconds since the Unix epoch (UTC), which is the
/// resolution every supported sensor payload can express.
public struct Reading: Sendable, Hashable {
    /// The series this reading belongs to (sensor × quantity).
    public var series: SeriesKey
    /// Measurement time, epoch milliseconds (UTC).
    public var timestamp: Int64
    /// Measured value in the unit the sensor registry declares for the quantity.
    public var value: Double
    /// CBS wijk code of the sensor's location, or `nil` when it lies outside every known wijk.
    public var wijk: WijkCode?
    /// CBS buurt code of the sensor's location at the reading's time, `nil` when unknown (no
    /// buurt boundaries, or outside every buurt).
    public var buurt: String?
    /// Quality marks set at ingest; the value is kept either way.
    public var flags: QualityFlags

    /// Creates a reading.
    public init(series: SeriesKey, timestamp: Int64, value: Double, wijk: WijkCode?, buurt: String? = nil, flags: QualityFlags = []) {
        self.series = series
        self.timestamp = timestamp
        self.value = value
        self.wijk = wijk
        self.buurt = buurt
        self.flags = flags
    }
}

/// Why a stored value is suspect. Flags mark, they never remove: pipelines decide.
public struct QualityFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Jumped from the previous value by more than the quantity's `spike` step.
    public static let spike = QualityFlags(rawValue: 1)
    /// The same value for `stuck_after` readings in a row or more.
    public static let stuck = QualityFlags(rawValue: 2)
    /// First reading after a silence longer than three `interval`s.
    public static let afterGap = QualityFlags(rawValue: 4)
}
