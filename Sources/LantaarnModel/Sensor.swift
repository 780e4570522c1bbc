/// A sensor as the registry in `Sensors/` declares it.
public struct Sensor: Sendable, Hashable {
    /// Unique id; also the `{sensor_id}` part of its MQTT topic.
    public var id: String
    /// Id of the lamppost the sensor is mounted on.
    public var lamppost: String
    /// WGS84 latitude of the mounting point.
    public var latitude: Double
    /// WGS84 longitude of the mounting point.
    public var longitude: Double
    /// MQTT topic the sensor publishes on.
    public var topic: String
    /// Kind of sensor (air quality, noise, light, people count); informative.
    public var kind: String
    /// Quantities this sensor measures, keyed by quantity name.
    public var quantities: [String: QuantitySpec]

    /// Creates a sensor description.
    public init(id: String, lamppost: String, latitude: Double, longitude: Double,
                topic: String, kind: String, quantities: [String: QuantitySpec]) {
        self.id = id
        self.lamppost = lamppost
        self.latitude = latitude
        self.longitude = longitude
        self.topic = topic
        self.kind = kind
        self.quantities = quantities
    }
}

/// Unit and physically plausible range of one quantity of one sensor.
public struct QuantitySpec: Sendable, Hashable {
    /// Unit, e.g. `µg/m³`, `dB(A)`, `lx`, `count`.
    public var unit: String
    /// Lowest valid value (inclusive).
    public var minimum: Double
    /// Highest valid value (inclusive).
    public var maximum: Double
    /// Smallest step the sensor reports; the store may scale values by it.
    public var resolution: Double

    /// Creates a quantity spec.
    public init(unit: String, minimum: Double, maximum: Double, resolution: Double) {
        self.unit = unit
        self.minimum = minimum
        self.maximum = maximum
        self.resolution = resolution
    }

    /// True when `value` is finite and inside `[minimum, maximum]`.
    public func accepts(_ value: Double) -> Bool {
        value.isFinite && value >= minimum && value <= maximum
    }
}
