/// One value a codec found in a payload, before the registry maps it to a quantity.
public struct DecodedValue: Sendable, Equatable {
    /// The payload's own name for it (`pm25`, `LAeq`, `SDS_P1`, a SenML name).
    public var name: String
    public var value: Double
    /// The unit the payload states, when it states one (SenML `u`, vendor layouts).
    public var unit: String?
    /// Its own measurement time, epoch milliseconds; `nil`: the message's time.
    public var timestamp: Int64?
    /// The device it comes from when one message carries many (a JSON mapping's `device`);
    /// `nil`: the sensor of the topic.
    public var device: String?

    public init(_ name: String, _ value: Double, unit: String? = nil, timestamp: Int64? = nil) {
        self.name = name
        self.value = value
        self.unit = unit
        self.timestamp = timestamp
    }
}

/// Radio details of a LoRaWAN uplink, kept for diagnosis and duplicate detection.
public struct UplinkMetadata: Sendable, Equatable {
    /// When the network server received the uplink, epoch milliseconds.
    public var receivedAt: Int64?
    /// LoRaWAN frame counter: the same counter twice from one device is a duplicate.
    public var frameCounter: Int64?
    public var port: Int?
    /// Signal of the gateway that heard it best.
    public var rssi: Double?
    public var snr: Double?

    public init(receivedAt: Int64? = nil, frameCounter: Int64? = nil, port: Int? = nil, rssi: Double? = nil, snr: Double? = nil) {
        self.receivedAt = receivedAt
        self.frameCounter = frameCounter
        self.port = port
        self.rssi = rssi
        self.snr = snr
    }
}

/// What a payload codec extracts from one message, before validation.
public struct DecodedMessage: Sendable, Equatable {
    /// Measurement time of values without their own, epoch milliseconds; `nil` when the
    /// payload carries none (the receive time is used then).
    public var timestamp: Int64?
    /// Numeric values in payload order (a yes/no is 1 or 0).
    public var values: [DecodedValue]
    /// Text fields a vendor layout also reports (`type: heartbeat`); never stored as readings.
    public var texts: [String: String]
    /// The device as the payload names it (TTN device id, SenML base name, ESP chip id).
    public var device: String?
    public var uplink: UplinkMetadata?
    /// What a vendor codec warned about while it decoded (its `warnings`): kept in quarantine
    /// beside the message, whose values are stored.
    public var warnings: [String] = []

    public init(timestamp: Int64?, values: [DecodedValue], texts: [String: String] = [:], device: String? = nil,
                uplink: UplinkMetadata? = nil) {
        self.timestamp = timestamp
        self.values = values
        self.texts = texts
        self.device = device
        self.uplink = uplink
    }

    /// The value named `name`, if any (tests and diagnostics).
    public func value(_ name: String) -> Double? { values.first { $0.name == name }?.value }
}

/// Why a payload could not be decoded; becomes the quarantine reason.
public struct CodecError: Error, CustomStringConvertible, Sendable, Equatable {
    public var reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}
