/// Identifies a time series: one quantity measured by one sensor.
public struct SeriesKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Registry id of the sensor, e.g. `lp-0107-air`.
    public var sensorID: String
    /// Quantity name, e.g. `pm25` or `laeq`.
    public var quantity: String

    /// Creates a series key.
    public init(sensorID: String, quantity: String) {
        self.sensorID = sensorID
        self.quantity = quantity
    }

    /// `sensor/quantity`, the form used in log metadata and error messages.
    public var description: String { "\(sensorID)/\(quantity)" }

    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        (lhs.sensorID, lhs.quantity) < (rhs.sensorID, rhs.quantity)
    }
}
