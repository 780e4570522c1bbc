import Foundation
@testable import Ingest
import LantaarnModel

/// The MQTT payload codecs a sensor can name, and the LoRaWAN frame decoders behind
/// `ttn-v3/…`.
enum CodecTargets {
    static let all: [FuzzTarget] = [
        codec("lantaarn-json", seeds: { _ in inline(
            ("plain", #"{"ts":1720000000000,"values":{"pm10":12.5,"pm25":7.25}}"#),
            ("iso", #"{"ts":"2024-07-01T10:00:00+02:00","values":{"laeq":54.1},"texts":{"status":"ok"}}"#),
            ("nested", #"{"ts":1.72e12,"values":{"a":-0.0,"b":1E308,"c":null},"seq":3}"#)) }),
        codec("senml", seeds: { $0.shared("sensors/senml", ".json") }),
        codec("sensor-community", seeds: { $0.shared("sensors/sensor_community_push", ".json") }),
        FuzzTarget(name: "ttn-uplink", covers: "The Things Stack v3 uplink JSON, through every frame decoder",
                   run: { bytes in
                       for frames in LoRaWANFrameDecoders.all.values {
                           _ = try? TTNUplinkCodec(frames: frames).decode(bytes, receivedAt: receivedAt)
                       }
                   },
                   seeds: { $0.shared("sensors/ttn_v3", "payload.json", "payload_1.json", "payload_2.json", "payload_01.json", "payload_02.json") }),
        FuzzTarget(name: "lorawan-frames", covers: "LoRaWAN frame decoders (Decentlab, Milesight, Nwave): byte 0 is the port",
                   maxLength: 512,
                   run: { bytes in
                       guard let port = bytes.first else { return }
                       let frame = Array(bytes.dropFirst())
                       for decoder in LoRaWANFrameDecoders.all.values { _ = try? decoder.decode(frame, port: Int(port)) }
                   },
                   seeds: { paths in
                       // The frames inside the shared uplinks, each behind its port.
                       paths.shared("sensors/ttn_v3", ".json").compactMap { name, bytes in
                           guard let uplink = (try? JSONParser.parse(bytes))?["uplink_message"],
                                 let payload = uplink["frm_payload"]?.stringValue, let frame = Data(base64Encoded: payload),
                                 let port = uplink["f_port"]?.numberValue, (0...255).contains(port) else { return nil }
                           return (name, [UInt8(port)] + [UInt8](frame))
                       }
                   }),
    ]

    /// A fixed receive time, so that runs repeat.
    static let receivedAt: Int64 = 1_720_000_000_000

    private static func codec(_ name: String, seeds: @escaping @Sendable (FuzzPaths) -> [(String, [UInt8])]) -> FuzzTarget {
        let codec = PayloadCodecs.named(name)!
        return FuzzTarget(name: name, covers: "payload codec '\(name)'", maxLength: 8_192,
                          run: { bytes in _ = try? codec.decode(bytes, receivedAt: receivedAt) }, seeds: seeds)
    }
}
