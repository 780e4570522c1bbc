import LantaarnModel

/// A payload format. Each codec lives in its own file; a sensor names its codec in
/// `Sensors/*.yaml` (`codec: senml`), the default being Lantaarn's own JSON.
public protocol PayloadCodec: Sendable {
    /// Decodes one payload received at `receivedAt` (epoch milliseconds), the time used for
    /// relative timestamps (SenML) and for payloads without any.
    func decode(_ payload: UnsafeRawBufferPointer, receivedAt: Int64) throws(CodecError) -> DecodedMessage
    /// Codecs that decode many messages faster at once than one by one (a vendor codec in a
    /// process of its own) name the batch they can share: messages of codecs with the same key
    /// are decoded together by ``decode(batch:)``. `nil` (the default): one by one.
    var batchKey: String? { get }
    /// Every record's payload, in order; the default decodes them one by one.
    func decode(batch: [LogRecord]) -> [Result<DecodedMessage, CodecError>]
}

extension PayloadCodec {
    public var batchKey: String? { nil }

    public func decode(batch: [LogRecord]) -> [Result<DecodedMessage, CodecError>] {
        batch.map { record in
            record.payload.withUnsafeBytes { buf in
                do throws(CodecError) { return .success(try decode(buf, receivedAt: record.receivedAt)) } catch { return .failure(error) }
            }
        }
    }
}

/// The codecs a sensor can name, by their name in `Sensors/*.yaml`.
public enum PayloadCodecs {
    public static let defaultName = "lantaarn-json"

    /// Every codec name with what it reads, for error messages and `lantaarn --help`.
    public static let names: [(name: String, reads: String)] = [
        ("lantaarn-json", "Lantaarn JSON {\"ts\":…,\"values\":{…}}"),
        ("senml", "SenML JSON (RFC 8428)"),
        ("sensor-community", "Sensor.Community (airrohr) push JSON"),
        ("ttn-v3", "The Things Stack v3 uplink with decoded_payload (the device's payload formatter)"),
        ("chirpstack-v4", "ChirpStack v4 uplink event with object (the device profile's codec)"),
    ] + LoRaWANFrameDecoders.all.flatMap { model in
        [("ttn-v3/\(model.key)", "The Things Stack v3 uplink with a \(model.value.model) payload"),
         ("chirpstack-v4/\(model.key)", "ChirpStack v4 uplink event with a \(model.value.model) payload")]
    }.sorted { $0.0 < $1.0 }

    /// The codec called `name`, or `nil` when there is none. `preferDecoded`: a network
    /// server's uplink with a device model takes the server's decoded payload when it has one.
    public static func named(_ name: String, preferDecoded: Bool = false) -> (any PayloadCodec)? {
        switch name {
        case "lantaarn-json": return LantaarnJSONCodec()
        case "senml": return SenMLCodec()
        case "sensor-community": return SensorCommunityPushCodec()
        case "ttn-v3": return TTNUplinkCodec(frames: nil)
        case "chirpstack-v4": return ChirpStackUplinkCodec(frames: nil)
        default:
            let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let frame = LoRaWANFrameDecoders.all[parts[1]] else { return nil }
            switch parts[0] {
            case "ttn-v3": return TTNUplinkCodec(frames: frame, preferDecoded: preferDecoded)
            case "chirpstack-v4": return ChirpStackUplinkCodec(frames: frame, preferDecoded: preferDecoded)
            default: return nil
            }
        }
    }

    /// The codec of `sensor`: its named codec, or its network server's format with its vendor codec file.
    /// `fields`: for a JSON mapping, the quantities' fields of every sensor on its topic (only
    /// those members are built); for a vendor codec, those of every sensor naming the file (the
    /// codec's worker answers only these; `nil`: every value it gives).
    public static func codec(for sensor: Sensor, fields: [String]? = nil) -> (any PayloadCodec)? {
        if let mapping = sensor.json {
            return JSONMappingCodec(mapping: mapping, fields: fields ?? sensor.fields)
        }
        guard let file = sensor.javascript else { return named(sensor.codec, preferDecoded: sensor.preferDecoded) }
        let frames = JavaScriptFrameDecoder(path: file.path, label: file.label, fields: fields)
        switch sensor.codec {
        case "ttn-v3": return TTNUplinkCodec(frames: frames, preferDecoded: sensor.preferDecoded)
        case "chirpstack-v4": return ChirpStackUplinkCodec(frames: frames, preferDecoded: sensor.preferDecoded)
        default: return nil
        }
    }

    /// Network server formats a vendor codec file can sit under (`network:` beside `javascript:`).
    public static let networks = ["ttn-v3", "chirpstack-v4"]

    /// Parses JSON (only the members `selection` names, when given), turning a syntax error into
    /// a codec error that names the format.
    static func parseJSON(_ payload: UnsafeRawBufferPointer, format: String, selecting selection: JSONParser.Selection? = nil) throws(CodecError) -> JSONValue {
        do {
            return try selection.map { s throws(JSONParseError) in try JSONParser.parse(payload, selecting: s) } ?? JSONParser.parse(payload)
        } catch {
            throw CodecError("payload is not valid JSON (\(error)); expected \(format)")
        }
    }
}
