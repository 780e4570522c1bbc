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
public struct TTNUplinkCodec: NetworkUplinkCodec {
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

    public func uplink(_ payload: UnsafeRawBufferPointer) throws(CodecError) -> NetworkUplink {
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
        return NetworkUplink(decoded: uplink["decoded_payload"], decodedName: "uplink_message.decoded_payload",
                             frame: uplink["frm_payload"], frameName: "uplink_message.frm_payload", metadata: metadata, device: device,
                             missingDecoded: "uplink_message.decoded_payload is missing: give the device a payload formatter in The Things Stack, or name its model or codec in Sensors/ (codec: ttn-v3/MODEL, or codec: {javascript: FILE})",
                             counters: ("f_port", "f_cnt"))
    }
}
