import Foundation
import LantaarnModel

/// A ChirpStack v4 uplink event (`application/{id}/device/{devEui}/event/up`, JSON
/// marshaler). The readings come from `object` (what the device profile's codec made of the
/// frame) when present, else from the base64 `data` decoded with the device model's built-in
/// layout (`codec: chirpstack-v4/MODEL`; with `prefer: decoded` the object wins when both are
/// there). `fCnt` and `fPort` are kept like The Things Stack's, and count as 0 when absent
/// (ChirpStack leaves zero values out of its JSON); RSSI and SNR of the best gateway from
/// `rxInfo`; the time is the event's `time`. The device is its DevEUI.
public struct ChirpStackUplinkCodec: NetworkUplinkCodec {
    public let frames: (any LoRaWANFrameDecoder)?
    public let preferDecoded: Bool

    public init(frames: (any LoRaWANFrameDecoder)?, preferDecoded: Bool = false) {
        self.frames = frames
        self.preferDecoded = preferDecoded
    }

    /// What is read of an event; the rest (txInfo, gateway contexts, …) is skipped.
    static let needed = JSONParser.Selection(keys: ["deviceInfo", "devEui", "fCnt", "fPort", "time", "data", "rxInfo", "rssi", "snr"],
                                             whole: ["object"])

    public func uplink(_ payload: UnsafeRawBufferPointer) throws(CodecError) -> NetworkUplink {
        let root = try PayloadCodecs.parseJSON(payload, format: "a ChirpStack v4 uplink event", selecting: Self.needed)
        guard case .object = root, root["deviceInfo"] != nil || root["data"] != nil || root["object"] != nil else {
            throw CodecError("neither 'deviceInfo', 'data' nor 'object' is there: not a ChirpStack v4 uplink event (join, status and ack events carry no readings)")
        }
        let port = try UplinkFields.whole(root["fPort"], "fPort", in: 0...255) ?? 0
        var metadata = UplinkMetadata(port: Int(port))
        metadata.frameCounter = try UplinkFields.whole(root["fCnt"], "fCnt", in: 0...Int64(UInt32.max)) ?? 0
        metadata.receivedAt = root["time"]?.stringValue.flatMap(ISO8601.parse)
        (metadata.rssi, metadata.snr) = UplinkFields.bestGateway(root["rxInfo"])
        let device = root["deviceInfo"]?["devEui"]?.stringValue?.lowercased()
        return NetworkUplink(decoded: root["object"], decodedName: "object", frame: root["data"], frameName: "'data'",
                             metadata: metadata, device: device,
                             missingDecoded: "the event has no 'object': give the device profile a codec in ChirpStack, or name the device model or codec in Sensors/ (codec: chirpstack-v4/MODEL, or codec: {javascript: FILE, network: chirpstack-v4})",
                             counters: ("fPort", "fCnt"))
    }
}
