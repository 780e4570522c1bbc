import Foundation
import LantaarnModel

/// The Things Stack v3 uplink message (`v3/{app}@ttn/devices/{device}/up`): the
/// base64 `uplink_message.frm_payload` is decoded with the device model's layout.
///
/// The measurement time is `uplink_message.received_at` (when the network server got the
/// frame), else the message's `received_at`. The frame counter, port, and the RSSI and SNR
/// of the gateway that heard the frame best are kept; the frame counter lets the consumer
/// drop a frame that the network delivered twice.
public struct TTNUplinkCodec: PayloadCodec {
    public let frames: any LoRaWANFrameDecoder

    public init(frames: any LoRaWANFrameDecoder) { self.frames = frames }

    public func decode(_ payload: UnsafeRawBufferPointer, receivedAt: Int64) throws(CodecError) -> DecodedMessage {
        let root = try PayloadCodecs.parseJSON(payload, format: "a The Things Stack v3 uplink message")
        guard let uplink = root["uplink_message"], case .object = uplink else {
            throw CodecError("field 'uplink_message' is missing: not a The Things Stack v3 uplink (join, ack and downlink messages carry no readings)")
        }
        guard let encoded = uplink["frm_payload"]?.stringValue else {
            throw CodecError("uplink_message.frm_payload is missing: the frame has no application payload")
        }
        guard let bytes = Data(base64Encoded: encoded) else {
            throw CodecError("uplink_message.frm_payload is not base64")
        }
        // LoRaWAN: FPort is one byte, FCnt at most 32 bits (found by fuzzing: a larger number crashed the conversion).
        let port: Int
        switch uplink["f_port"]?.numberValue {
        case nil: port = 0
        case let n?:
            guard let p = Int(exactly: n), (0...255).contains(p) else {
                throw CodecError("uplink_message.f_port must be a whole number from 0 to 255")
            }
            port = p
        }
        var metadata = UplinkMetadata(port: port)
        if let n = uplink["f_cnt"]?.numberValue {
            guard let count = Int64(exactly: n), (0...Int64(UInt32.max)).contains(count) else {
                throw CodecError("uplink_message.f_cnt must be a whole number from 0 to 4294967295")
            }
            metadata.frameCounter = count
        }
        let networkTime = uplink["received_at"]?.stringValue.flatMap(ISO8601.parse)
        metadata.receivedAt = networkTime ?? root["received_at"]?.stringValue.flatMap(ISO8601.parse)
        if let gateways = uplink["rx_metadata"]?.arrayValue {
            let best = gateways.max { ($0["rssi"]?.numberValue ?? -.infinity) < ($1["rssi"]?.numberValue ?? -.infinity) }
            metadata.rssi = best?["rssi"]?.numberValue
            metadata.snr = best?["snr"]?.numberValue
        }
        let frame: LoRaWANFrame
        do throws(CodecError) {
            frame = try frames.decode([UInt8](bytes), port: port)
        } catch {
            throw CodecError("\(error.reason) (f_port \(port), f_cnt \(metadata.frameCounter.map(String.init) ?? "?"))")
        }
        return DecodedMessage(timestamp: metadata.receivedAt ?? receivedAt, values: frame.values, texts: frame.texts,
                              device: root["end_device_ids"]?["device_id"]?.stringValue, uplink: metadata)
    }
}
