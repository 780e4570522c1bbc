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

    /// Creates a reading.
    public init(series: SeriesKey, timestamp: Int64, value: Double, wijk: WijkCode?) {
        self.series = series
        self.timestamp = timestamp
        self.value = value
        self.wijk = wijk
    }
}
