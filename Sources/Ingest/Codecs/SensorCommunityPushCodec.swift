import LantaarnModel

/// Sensor.Community (airrohr firmware) push JSON:
/// `{"esp8266id":"11545355","software_version":"NRZ-2020-133","sensordatavalues":[{"value_type":"SDS_P1","value":"6.35"},…]}`.
///
/// Values come as strings; each becomes a value named by its `value_type` (`SDS_P1`,
/// `BME280_temperature`, `signal`). The payload has no time: the receive time is used.
/// A value that is not a number is kept as text.
public struct SensorCommunityPushCodec: PayloadCodec {
    public init() {}

    public func decode(_ payload: UnsafeRawBufferPointer, receivedAt: Int64) throws(CodecError) -> DecodedMessage {
        let root = try PayloadCodecs.parseJSON(payload, format: "airrohr push JSON with 'sensordatavalues'")
        guard case .array(let items) = root["sensordatavalues"] else {
            throw CodecError("field 'sensordatavalues' is missing or not an array")
        }
        var values: [DecodedValue] = []
        var texts: [String: String] = [:]
        for (index, item) in items.enumerated() {
            guard let type = item["value_type"]?.stringValue, !type.isEmpty else {
                throw CodecError("sensordatavalues[\(index)] has no 'value_type'")
            }
            switch item["value"] {
            case .string(let text):
                if let n = Double(text), n.isFinite { values.append(DecodedValue(type, n)) } else { texts[type] = text }
            case .number(let n):
                values.append(DecodedValue(type, n))
            default:
                throw CodecError("sensordatavalues[\(index)] (\(type)) has no 'value'")
            }
        }
        guard !values.isEmpty else { throw CodecError("'sensordatavalues' holds no numeric value") }
        // A chip id is a whole number; any other number (1e300, 2.5) names no device rather than crashing.
        let device = root["esp8266id"]?.stringValue ?? root["esp8266id"]?.numberValue.flatMap { Int64(exactly: $0) }.map { String($0) }
        return DecodedMessage(timestamp: receivedAt, values: values, texts: texts, device: device.map { "esp8266-\($0)" })
    }
}
