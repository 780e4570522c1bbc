import Geo
import LantaarnModel
import Store

/// Turns one raw log record into validated readings and quarantine entries.
///
/// Good values in a message are kept even when another value in it is rejected:
/// nothing good is lost, nothing bad is stored silently.
public struct ReadingValidator: Sendable {
    /// The registry readings are checked against.
    public let registry: SensorRegistry
    /// Readings stamped further ahead of their receive time than this are rejected.
    public var maxFutureSkew: Int64 = TimeBucket.hour
    /// Readings stamped before this are rejected (2000-01-01T00:00:00Z): a sensor clock that never synced.
    public var earliest: Int64 = 946_684_800_000
    /// How long readings are kept: a reading already older than that at receipt is refused
    /// (the next purge would destroy it); `nil` keeps no limit.
    public var retention: RetentionPolicy?

    static let topicPrefix = "lantaarn/sensors/"

    /// Creates a validator; `retention` is the readings' retention policy.
    public init(registry: SensorRegistry, retention: RetentionPolicy? = nil) {
        self.registry = registry
        self.retention = retention
    }

    /// Result of validating one record.
    public struct Outcome: Sendable {
        public var readings: [Reading] = []
        public var quarantined: [QuarantineEntry] = []
        /// The registered sensor the message came from; `nil` for an unknown topic.
        public var sensorID: String?
        /// Payload fields no quantity takes, dropped because the sensor ignores extra fields.
        public var ignored = 0
        /// Identifies the message for duplicate detection when the network or the broker
        /// delivers it again; `nil` when a copy cannot be told from a new message.
        public var identity: MessageIdentity?
    }

    /// What makes two deliveries the same message (a 64-bit hash that includes the topic, and the time):
    /// - a LoRaWAN uplink: its frame counter and time (two integrations wrap one frame differently);
    /// - a payload that carries its own time: a hash of its bytes (a QoS 1 redelivery after a
    ///   crash before the PUBACK is byte for byte the same).
    /// A payload without a time of its own is stamped on receipt, so a copy is a new reading.
    public struct MessageIdentity: Sendable, Hashable {
        public var key: Int64
        public var timestamp: Int64?
    }

    /// Validates `record` received from `source` (e.g. `mqtt`).
    public func validate(_ record: LogRecord, source: String) -> Outcome {
        validate(record, source: source, decoded: nil)
    }

    /// Validates `records` in order. Messages whose codecs share a batch (a vendor codec in its
    /// own process) are decoded together first; the rest one by one.
    public func validate(_ records: [LogRecord], source: String) -> [Outcome] {
        var groups: [String: [Int]] = [:]
        for (i, record) in records.enumerated() {
            guard let id = registry.sensorByTopic[record.origin], let key = registry.codecBySensor[id]?.batchKey else { continue }
            groups[key, default: []].append(i)
        }
        var decoded = [Result<DecodedMessage, CodecError>?](repeating: nil, count: records.count)
        for indices in groups.values {
            guard let id = registry.sensorByTopic[records[indices[0]].origin], let codec = registry.codecBySensor[id] else { continue }
            for (k, result) in codec.decode(batch: indices.map { records[$0] }).enumerated() { decoded[indices[k]] = result }
        }
        return records.indices.map { validate(records[$0], source: source, decoded: decoded[$0]) }
    }

    /// Validates `record`, whose payload was already decoded when `decoded` is given.
    private func validate(_ record: LogRecord, source: String, decoded: Result<DecodedMessage, CodecError>?) -> Outcome {
        var out = Outcome()
        func reject(_ sensor: String?, _ reason: String, value: QuarantineEntry.RejectedValue? = nil) {
            out.quarantined.append(QuarantineEntry(receivedAt: record.receivedAt, source: source, origin: record.origin,
                                                   sensorID: sensor, reason: reason, payload: record.payload, value: value))
        }
        guard let sensorID = registry.sensorByTopic[record.origin], let sensor = registry.sensors[sensorID] else {
            let guess = Self.sensorID(fromTopic: record.origin)
            reject(guess, "unknown sensor '\(guess ?? "?")' on topic \(record.origin): add it to a file in Sensors/ or fix the sensor's topic")
            return out
        }
        out.sensorID = sensorID
        let codec = registry.codecBySensor[sensorID] ?? LantaarnJSONCodec()
        let result = decoded ?? record.payload.withUnsafeBytes { buf -> Result<DecodedMessage, CodecError> in
            do throws(CodecError) { return .success(try codec.decode(buf, receivedAt: record.receivedAt)) } catch { return .failure(error) }
        }
        let decoded: DecodedMessage
        switch result {
        case .success(let d): decoded = d
        case .failure(let error):
            reject(sensorID, "\(sensor.codec): \(error.reason)")
            return out
        }
        out.identity = Self.identity(of: decoded, payload: record.payload, topic: record.origin)
        // What a codec warned about (a vendor codec's warnings, a record a JSON mapping could not
        // read) is kept beside the message; its values are judged as any.
        for warning in decoded.warnings { reject(sensorID, "\(sensor.codec): \(warning)") }
        for value in decoded.values {
            let timestamp = value.timestamp ?? decoded.timestamp ?? record.receivedAt
            // One topic with many devices (a JSON mapping's device field): each value goes to the
            // sensor of its device.
            var owner = sensor
            if let device = value.device, device != sensor.device {
                guard let id = registry.sensorByDevice[device], let other = registry.sensors[id], other.topic == record.origin else {
                    reject(sensorID, "device '\(device)' on topic \(record.origin) is not registered: add a sensor with device: \(device) and this topic to Sensors/",
                           value: .init(field: value.name, timestamp: timestamp))
                    continue
                }
                owner = other
            }
            switch judge(value, at: timestamp, receivedAt: record.receivedAt, sensor: owner) {
            case .reading(let r): out.readings.append(r)
            case .ignored: out.ignored += 1
            case .rejected(let reason): reject(owner.id, reason, value: .init(field: value.name, timestamp: timestamp))
            }
        }
        return out
    }

    /// The identity of a message on `topic` (one topic belongs to one sensor, so identities of
    /// different sensors never meet).
    static func identity(of decoded: DecodedMessage, payload: [UInt8], topic: String) -> MessageIdentity? {
        var hasher = Hasher()
        hasher.combine(topic)
        if let counter = decoded.uplink?.frameCounter {
            hasher.combine(counter)
            return MessageIdentity(key: Int64(hasher.finalize()), timestamp: decoded.timestamp)
        }
        guard decoded.timestamp != nil || (!decoded.values.isEmpty && decoded.values.allSatisfy { $0.timestamp != nil }) else {
            return nil
        }
        payload.withUnsafeBytes { hasher.combine(bytes: $0) }
        return MessageIdentity(key: Int64(hasher.finalize()), timestamp: decoded.timestamp)
    }

    /// What becomes of one decoded value of a registered sensor.
    public enum Judgement: Sendable, Equatable {
        case reading(Reading)
        /// A field no quantity takes, and the sensor ignores extra fields.
        case ignored
        /// Why it goes to quarantine.
        case rejected(String)
    }

    /// Checks one value measured at `timestamp`: registered quantity, unit, plausible time, range.
    public func judge(_ value: DecodedValue, at timestamp: Int64, receivedAt: Int64, sensor: Sensor) -> Judgement {
        guard let quantity = sensor.quantity(forField: value.name), let spec = sensor.quantities[quantity] else {
            guard sensor.extraFields == .quarantine else { return .ignored }
            return .rejected(Self.unregistered(value.name, sensorID: sensor.id))
        }
        if let unit = value.unit, !Units.same(unit, spec.unit) {
            return .rejected("\(quantity) arrives in \(unit) but sensor \(sensor.id) is registered with \(spec.unit); fix the unit in Sensors/ or the sensor's configuration")
        }
        // No Target here: the per-message path should not allocate one per value.
        return check(value.value, at: timestamp, receivedAt: receivedAt, series: SeriesKey(sensorID: sensor.id, quantity: quantity),
                     spec: spec, place: registry.placeBySensor[sensor.id])
    }

    /// The quarantine reason for a field no quantity of the sensor takes.
    public static func unregistered(_ field: String, sensorID: String) -> String {
        "quantity '\(field)' is not registered for sensor \(sensorID); add it under quantities in Sensors/"
    }

    /// Where a payload field of a sensor goes: its series, range and wijk. File loaders
    /// resolve each column once per sensor and then call ``judge(_:at:receivedAt:target:)``.
    /// A class: file loaders pass one per value, and a reference is one retain where the
    /// struct's five strings were five.
    public final class Target: Sendable {
        public let series: SeriesKey
        public let spec: QuantitySpec
        /// The sensor's wijk and buurt through time; each reading takes those of its own time.
        public let place: PlaceTimeline?

        init(series: SeriesKey, spec: QuantitySpec, place: PlaceTimeline?) {
            self.series = series
            self.spec = spec
            self.place = place
        }
    }

    /// The target of field `name` of `sensor`, or `nil` when no quantity takes it.
    public func target(forField name: String, of sensor: Sensor) -> Target? {
        guard let quantity = sensor.quantity(forField: name), let spec = sensor.quantities[quantity] else { return nil }
        return Target(series: SeriesKey(sensorID: sensor.id, quantity: quantity), spec: spec, place: registry.placeBySensor[sensor.id])
    }

    /// Checks time and range of a value whose field and unit are already resolved.
    public func judge(_ value: Double, at timestamp: Int64, receivedAt: Int64, target: Target) -> Judgement {
        check(value, at: timestamp, receivedAt: receivedAt, series: target.series, spec: target.spec, place: target.place)
    }

    /// Time and range checks shared by both `judge`s.
    private func check(_ raw: Double, at timestamp: Int64, receivedAt: Int64, series: SeriesKey, spec: QuantitySpec,
                       place: PlaceTimeline?) -> Judgement {
        let value = spec.scale == 1 && spec.offset == 0 ? raw : raw * spec.scale + spec.offset
        if timestamp > receivedAt + maxFutureSkew {
            return .rejected("timestamp \(ISO8601.format(milliseconds: timestamp)) lies more than 1 hour after receipt; check the sensor's clock")
        }
        if timestamp < earliest {
            return .rejected("timestamp \(ISO8601.format(milliseconds: timestamp)) is before 2000; check the sensor's clock")
        }
        if let retention, timestamp < receivedAt - retention.keep {
            return .rejected(Self.beyondRetention(timestamp, retention))
        }
        guard spec.accepts(value) else {
            return .rejected("\(series.quantity) = \(value) is outside the valid range \(spec.minimum)...\(spec.maximum) \(spec.unit) for sensor \(series.sensorID)")
        }
        let at = place?.place(at: timestamp)
        return .reading(Reading(series: series, timestamp: timestamp, value: value, wijk: at?.wijk, buurt: at?.buurt))
    }

    /// The quarantine reason for a reading older than the readings' retention.
    static func beyondRetention(_ timestamp: Int64, _ retention: RetentionPolicy) -> String {
        "timestamp \(ISO8601.format(milliseconds: timestamp)) is older than the retention of readings (keep \(retention.text); \(retention.basis)): "
            + "the next purge would destroy it. If readings must be kept longer, change retention.readings in lantaarn.yaml and replay this entry"
    }

    /// `lantaarn/sensors/{id}/readings` → `id`.
    static func sensorID(fromTopic topic: String) -> String? {
        guard topic.hasPrefix(topicPrefix) else { return nil }
        let rest = topic.dropFirst(topicPrefix.count)
        guard let slash = rest.firstIndex(of: "/"), rest[slash...] == "/readings" else { return nil }
        let id = rest[..<slash]
        return id.isEmpty ? nil : String(id.prefix(64))
    }
}
