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
    /// Payload format (`lantaarn-json`, `senml`, `sensor-community`, `ttn-v3/MODEL`).
    public var codec: String
    /// The id the sensor has in files and payloads from elsewhere (the Sensor.Community
    /// `sensor_id` in archive CSVs), when it differs from ``id``.
    public var device: String?
    /// What happens to payload fields that no quantity takes: vendor payloads carry
    /// housekeeping (battery, radio) that is not a reading.
    public var extraFields: ExtraFields
    /// Whether its raw readings may be published (SensorThings); the registry says so per
    /// sensor, and kinds that observe people individually can never be public.
    public var isPublic: Bool
    /// When the sensor came to its current mounting point (`nil`: it has always hung there).
    public var since: Int64?
    /// Where it hung before, oldest first, each from its `since` until the next position.
    public var earlier: [SensorPosition] = []

    /// The payload fields its quantities read (a quantity without `field:` reads its own name).
    public var fields: [String] { quantities.map { $0.value.field ?? $0.key } }

    /// Every mounting point through time, oldest first. The oldest holds for readings from
    /// before its `since` too (an archive older than the register).
    public var positions: [SensorPosition] {
        earlier + [SensorPosition(since: since ?? earlier.last.map { $0.since + 1 } ?? Int64.min, latitude: latitude, longitude: longitude)]
    }

    /// With a network server's codec and a device model (`ttn-v3/MODEL`, `chirpstack-v4/MODEL`):
    /// the server's decoded payload wins over the built-in decoding of the frame when both are
    /// there (`prefer: decoded` in `Sensors/`).
    public var preferDecoded = false
    /// A vendor codec file that decodes the frames (`codec: {javascript: codecs/elsys.js}`),
    /// under the network server format in ``codec``.
    public var javascript: CodecFile?
    /// How a JSON payload maps to readings (`codec: {json: {…}}`; ``codec`` is then `json`).
    public var json: JSONMapping?

    /// A payload as the sensor sends it (`example: samples/x.json`, relative to the sensor
    /// file): `lantaarn sensors check` decodes it and names each quantity it gives no value for.
    public var example: CodecFile?
    /// Where the sensor is defined, for messages that point at the line to fix.
    public var source: Source?

    /// A sensor's place in its file: the file and its index under `sensors:`.
    public struct Source: Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var index: Int

        public init(file: String, index: Int) {
            self.file = file
            self.index = index
        }

        /// Its YAML path (`sensors[2]`).
        public var path: String { "sensors[\(index)]" }
        public var description: String { "\(file) (\(path))" }
    }

    /// A codec file: its path on disk, and how the sensor file wrote it (for messages).
    public struct CodecFile: Sendable, Hashable {
        public var path: String
        public var label: String

        public init(path: String, label: String) {
            self.path = path
            self.label = label
        }
    }

    public enum ExtraFields: String, Sendable, Hashable {
        /// Each one goes to quarantine as an unregistered quantity.
        case quarantine
        /// They are dropped (and counted).
        case ignore
    }

    /// Creates a sensor description.
    public init(id: String, lamppost: String, latitude: Double, longitude: Double,
                topic: String, kind: String, quantities: [String: QuantitySpec], codec: String = "lantaarn-json",
                extraFields: ExtraFields? = nil, device: String? = nil, isPublic: Bool = true) {
        self.isPublic = isPublic
        self.id = id
        self.lamppost = lamppost
        self.latitude = latitude
        self.longitude = longitude
        self.topic = topic
        self.kind = kind
        self.quantities = quantities
        self.codec = codec
        self.device = device
        self.extraFields = extraFields ?? (codec == "lantaarn-json" ? .quarantine : .ignore)
    }

    /// Kinds whose raw readings concern people individually (number plates, device ids).
    public static let personalKinds: Set<String> = ["anpr", "camera", "kentekencamera", "wifi", "bluetooth"]

    /// The quantity that takes the payload field `name`, if any.
    public func quantity(forField name: String) -> String? {
        if let spec = quantities[name], spec.field == nil { return name }
        return quantities.first { $0.value.field == name }?.key
    }
}

/// A mounting point of a sensor from `since` on, until its next one.
public struct SensorPosition: Sendable, Hashable {
    /// Epoch milliseconds (UTC).
    public var since: Int64
    public var latitude: Double
    public var longitude: Double

    public init(since: Int64, latitude: Double, longitude: Double) {
        self.since = since
        self.latitude = latitude
        self.longitude = longitude
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
    /// The payload's name for this quantity when it differs (`pm2_5_mass_concentration`, `SDS_P2`).
    public var field: String?
    /// Quality checks (all optional): a step between consecutive readings above `spikeStep`
    /// is a spike; `stuckAfter` equal readings in a row are stuck; the first reading after
    /// more than three `interval`s (milliseconds) follows a gap.
    public var spikeStep: Double?
    public var stuckAfter: Int?
    public var interval: Int64?
    /// The payload's value times `scale` plus `offset` is the reading (milliKelvin to °C:
    /// scale 0.001, offset -273.15); checks apply to the reading.
    public var scale: Double = 1
    public var offset: Double = 0

    /// Creates a quantity spec.
    public init(unit: String, minimum: Double, maximum: Double, resolution: Double, field: String? = nil,
                spikeStep: Double? = nil, stuckAfter: Int? = nil, interval: Int64? = nil) {
        self.unit = unit
        self.minimum = minimum
        self.maximum = maximum
        self.resolution = resolution
        self.field = field
        self.spikeStep = spikeStep
        self.stuckAfter = stuckAfter
        self.interval = interval
    }

    /// True when `value` is finite and inside `[minimum, maximum]`.
    public func accepts(_ value: Double) -> Bool {
        value.isFinite && value >= minimum && value <= maximum
    }
}
