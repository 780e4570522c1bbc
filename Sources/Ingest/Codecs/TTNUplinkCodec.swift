import Foundation
import LantaarnModel

/// The Things Stack v3 uplink message (`v3/{app}@ttn/devices/{device}/up`, or a webhook's
/// body), also inside the event stream's `as.up.data.forward` envelope (`{"name": …, "data": {…}}`).
///
/// The readings come from `uplink_message.decoded_payload` (what the device's payload
/// formatter in The Things Stack made of the frame: every number in it, nested ones named by
/// their JSON Pointer) or from the base64 `uplink_message.frm_payload` decoded with the device
/// model's built-in layout. Without a model (`codec: ttn-v3`) the decoded payload is required;
/// with one (`codec: ttn-v3/MODEL`) the frame is decoded, unless the sensor says
/// `prefer: decoded` and the uplink carries a decoded payload.
///
/// The measurement time is `uplink_message.received_at` (when the network server got the
/// frame), else the message's `received_at`. The frame counter, port, and the RSSI and SNR
/// of the gateway that heard the frame best are kept; the frame counter lets the consumer
/// drop a frame that the network delivered twice.
public struct TTNUplinkCodec: PayloadCodec {
    public let frames: (any LoRaWANFrameDecoder)?
    /// With `frames`: take `decoded_payload` when the uplink has one.
    public let preferDecoded: Bool

    public init(frames: (any LoRaWANFrameDecoder)?, preferDecoded: Bool = false) {
        self.frames = frames
        self.preferDecoded = preferDecoded
    }

    /// What is read of an uplink; the rest (settings, tokens, correlation ids, …) is skipped.
    static let needed = JSONParser.Selection(
        keys: ["name", "data", "uplink_message", "end_device_ids", "device_id", "received_at", "f_port", "f_cnt", "frm_payload",
               "rx_metadata", "rssi", "snr"],
        whole: ["decoded_payload"])

    public func decode(_ payload: UnsafeRawBufferPointer, receivedAt: Int64) throws(CodecError) -> DecodedMessage {
        var root = try PayloadCodecs.parseJSON(payload, format: "a The Things Stack v3 uplink message", selecting: Self.needed)
        if root["name"]?.stringValue == "as.up.data.forward", let data = root["data"] { root = data }
        guard let uplink = root["uplink_message"], case .object = uplink else {
            throw CodecError("field 'uplink_message' is missing: not a The Things Stack v3 uplink (join, ack and downlink messages carry no readings)")
        }
        // LoRaWAN: FPort is one byte, FCnt at most 32 bits (found by fuzzing: a larger number crashed the conversion).
        let port = try UplinkFields.whole(uplink["f_port"], "uplink_message.f_port", in: 0...255) ?? 0
        var metadata = UplinkMetadata(port: Int(port))
        metadata.frameCounter = try UplinkFields.whole(uplink["f_cnt"], "uplink_message.f_cnt", in: 0...Int64(UInt32.max))
        let networkTime = uplink["received_at"]?.stringValue.flatMap(ISO8601.parse)
        metadata.receivedAt = networkTime ?? root["received_at"]?.stringValue.flatMap(ISO8601.parse)
        (metadata.rssi, metadata.snr) = UplinkFields.bestGateway(uplink["rx_metadata"])
        let device = root["end_device_ids"]?["device_id"]?.stringValue
        return try UplinkFields.message(decoded: uplink["decoded_payload"], named: "uplink_message.decoded_payload",
                                        frame: uplink["frm_payload"], frameName: "uplink_message.frm_payload", frames: frames,
                                        preferDecoded: preferDecoded, metadata: metadata, device: device, receivedAt: receivedAt,
                                        missingDecoded: "uplink_message.decoded_payload is missing: give the device a payload formatter in The Things Stack, or name its model in Sensors/ (codec: ttn-v3/MODEL)",
                                        counters: ("f_port", "f_cnt"))
    }
}

/// Fields LoRaWAN network servers' uplinks share, read the same way for each.
enum UplinkFields {
    /// A whole number in `range`; `nil` when absent.
    static func whole(_ value: JSONValue?, _ name: String, in range: ClosedRange<Int64>) throws(CodecError) -> Int64? {
        guard let value else { return nil }
        guard let n = value.numberValue, let whole = Int64(exactly: n), range.contains(whole) else {
            throw CodecError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return whole
    }

    /// The readings of an uplink: from the server's decoded object when there is no device model
    /// (or the sensor prefers it), else from the base64 frame through the model's layout.
    static func message(decoded: JSONValue?, named decodedName: String, frame: JSONValue?, frameName: String,
                        frames: (any LoRaWANFrameDecoder)?, preferDecoded: Bool, metadata: UplinkMetadata, device: String?,
                        receivedAt: Int64, missingDecoded: String, counters: (port: String, count: String)) throws(CodecError) -> DecodedMessage {
        let timestamp = metadata.receivedAt ?? receivedAt
        if let decoded, frames == nil || preferDecoded {
            let (values, texts) = try DecodedObject.values(decoded, where: decodedName)
            return DecodedMessage(timestamp: timestamp, values: values, texts: texts, device: device, uplink: metadata)
        }
        guard let frames else { throw CodecError(missingDecoded) }
        guard let encoded = frame?.stringValue else {
            throw CodecError("\(frameName) is missing: the frame has no application payload")
        }
        guard let bytes = Data(base64Encoded: encoded) else { throw CodecError("\(frameName) is not base64") }
        let port = metadata.port ?? 0
        let decodedFrame: LoRaWANFrame
        do throws(CodecError) {
            decodedFrame = try frames.decode([UInt8](bytes), port: port)
        } catch {
            throw CodecError("\(error.reason) (\(counters.port) \(port), \(counters.count) \(metadata.frameCounter.map(String.init) ?? "?"))")
        }
        return DecodedMessage(timestamp: timestamp, values: decodedFrame.values, texts: decodedFrame.texts, device: device, uplink: metadata)
    }

    /// RSSI and SNR of the gateway that heard the uplink best.
    static func bestGateway(_ gateways: JSONValue?) -> (rssi: Double?, snr: Double?) {
        guard let list = gateways?.arrayValue else { return (nil, nil) }
        let best = list.max { ($0["rssi"]?.numberValue ?? -.infinity) < ($1["rssi"]?.numberValue ?? -.infinity) }
        return (best?["rssi"]?.numberValue, best?["snr"]?.numberValue)
    }
}
