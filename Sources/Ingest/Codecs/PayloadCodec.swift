import LantaarnModel

/// A payload format. Each codec lives in its own file; a sensor names its codec in
/// `Sensors/*.yaml` (`codec: senml`), the default being Lantaarn's own JSON.
public protocol PayloadCodec: Sendable {
    /// Decodes one payload received at `receivedAt` (epoch milliseconds), the time used for
    /// relative timestamps (SenML) and for payloads without any.
    func decode(_ payload: UnsafeRawBufferPointer, receivedAt: Int64) throws(CodecError) -> DecodedMessage
}

/// The codecs a sensor can name, by their name in `Sensors/*.yaml`.
public enum PayloadCodecs {
    public static let defaultName = "lantaarn-json"

    /// Every codec name with what it reads, for error messages and `lantaarn --help`.
    public static let names: [(name: String, reads: String)] = [
        ("lantaarn-json", "Lantaarn JSON {\"ts\":…,\"values\":{…}}"),
        ("senml", "SenML JSON (RFC 8428)"),
        ("sensor-community", "Sensor.Community (airrohr) push JSON"),
    ] + LoRaWANFrameDecoders.all.map { ("ttn-v3/\($0.key)", "The Things Stack v3 uplink with a \($0.value.model) payload") }
        .sorted { $0.0 < $1.0 }

    /// The codec called `name`, or `nil` when there is none.
    public static func named(_ name: String) -> (any PayloadCodec)? {
        switch name {
        case "lantaarn-json": return LantaarnJSONCodec()
        case "senml": return SenMLCodec()
        case "sensor-community": return SensorCommunityPushCodec()
        default:
            guard name.hasPrefix("ttn-v3/"), let frame = LoRaWANFrameDecoders.all[String(name.dropFirst("ttn-v3/".count))] else {
                return nil
            }
            return TTNUplinkCodec(frames: frame)
        }
    }

    /// Parses JSON, turning a syntax error into a codec error that names the format.
    static func parseJSON(_ payload: UnsafeRawBufferPointer, format: String) throws(CodecError) -> JSONValue {
        do {
            return try JSONParser.parse(payload)
        } catch {
            throw CodecError("payload is not valid JSON (\(error)); expected \(format)")
        }
    }
}
