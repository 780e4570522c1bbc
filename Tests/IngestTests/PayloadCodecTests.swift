import Foundation
@testable import Ingest
import LantaarnModel
import Testing

/// Every sensor payload in ../shared/data/sensors through its codec, against the expected
/// values that come with it.
struct PayloadCodecTests {
    static let sensors = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/sensors").standardizedFileURL.path

    static func json(_ path: String) throws -> JSONValue {
        try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    func decode(_ codec: any PayloadCodec, _ bytes: [UInt8], receivedAt: Int64 = 1_795_341_600_000) throws(CodecError) -> DecodedMessage {
        let result = bytes.withUnsafeBytes { buf -> Result<DecodedMessage, CodecError> in
            do throws(CodecError) { return .success(try codec.decode(buf, receivedAt: receivedAt)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    func decode(_ codec: any PayloadCodec, _ text: String) throws(CodecError) -> DecodedMessage {
        try decode(codec, Array(text.utf8))
    }

    // MARK: SenML

    static let senmlExamples = (1...13).map { "ex\($0)" }

    @Test(arguments: senmlExamples)
    func senmlResolvesLikeTheSpec(example: String) throws {
        let input = try Self.json("\(Self.sensors)/senml/\(example).gen.json")
        let resolvedPath = "\(Self.sensors)/senml/\(example).gen.resolved.json"
        guard FileManager.default.fileExists(atPath: resolvedPath) else {
            // ex13 ships without a resolution: two sensors, then both again 0.1 s later.
            let records = try SenMLCodec.resolve(input, now: 0)
            #expect(records.map(\.name) == ["2001:db8::3", "2001:db8::4", "2001:db8::3", "2001:db8::4"])
            #expect(records.map(\.time) == [1.320078429e9, 1.320078429e9, 1.320078429e9 + 0.1, 1.320078429e9 + 0.1])
            #expect(records.allSatisfy { $0.unit == "/" })
            return
        }
        let expected = try #require(try Self.json(resolvedPath).arrayValue)
        // Records without an absolute time are relative to "now": recover the now the reference used.
        let first = try #require(input.arrayValue?.first)
        let relative = (first["bt"]?.numberValue ?? 0) + (first["t"]?.numberValue ?? 0)
        let now = relative < SenMLCodec.relativeLimit ? (expected[0]["t"]?.numberValue ?? 0) - relative : 0
        // The reference resolution leaves out opaque data (vd) records.
        let records = try SenMLCodec.resolve(input, now: now).filter { if case .data = $0.value { return false } else { return true } }
        #expect(records.count == expected.count)
        for (ours, theirs) in zip(records, expected) {
            #expect(ours.name == theirs["n"]?.stringValue)
            #expect(ours.unit == theirs["u"]?.stringValue)
            #expect(abs(ours.time - (theirs["t"]?.numberValue ?? .nan)) < 1e-6)
            switch ours.value {
            case .number(let v): #expect(v == theirs["v"]?.numberValue)
            case .string(let s): #expect(s == theirs["vs"]?.stringValue)
            case .bool(let b): #expect(theirs["vb"] == .bool(b))
            default: Issue.record("unexpected value in \(ours)")
            }
        }
    }

    @Test func senmlBecomesValuesWithTheirOwnTimes() throws {
        let message = try decode(SenMLCodec(), Array(try Data(contentsOf: URL(fileURLWithPath: "\(Self.sensors)/senml/ex7.gen.json"))),
                                 receivedAt: 1_499_109_309_000)
        #expect(message.values.map(\.name) == ["urn:dev:ow:10e2073a01080063:temp", "urn:dev:ow:10e2073a01080063:open"])
        #expect(message.values.map(\.value) == [23.1, 0])
        #expect(message.values[0].unit == "Cel" && message.values[0].timestamp == 1_499_109_309_000)
        #expect(message.texts["urn:dev:ow:10e2073a01080063:label"] == "Machine Room")
        #expect(message.device == "urn:dev:ow:10e2073a01080063")
    }

    @Test(arguments: [
        (#"{"n":"a","v":1}"#, "JSON array"),
        ("[]", "empty"),
        (#"[{"n":"a","v":1,"vs":"x"}]"#, "more than one value"),
        (#"[{"n":"a"}]"#, "no value"),
        (#"[{"n":"-a","v":1}]"#, "characters"),
        (#"[{"n":"a b","v":1}]"#, "characters"),
        (#"[{"bn":"x","bver":11,"v":1}]"#, "version 11"),
        (#"[{"n":"a","v":"1"}]"#, "'v' must be a finite number"),
        (#"[{"n":"a","v":1},{"n":"b","vb":1}]"#, "record 1: 'vb'"),
        (#"[{"n":"a","v":1"#, "not valid JSON"),
        // Found by fuzzing: these crashed the codec (a Double beyond Int64 or Int).
        (#"[{"n":"a","t":1e300,"v":1}]"#, "not a plausible time"),
        (#"[{"bn":"a","bt":-1e300,"v":1}]"#, "not a plausible time"),
        (#"[{"n":"a","bver":1e300,"v":1}]"#, "version 1e+300 is newer"),
    ])
    func senmlRejectsBrokenPacksWithTheReason(payload: String, reason: String) {
        #expect { try decode(SenMLCodec(), payload) } throws: { ($0 as? CodecError)?.reason.contains(reason) == true }
    }

    // MARK: The Things Stack v3

    /// Payload file → result file and the codec name a sensor would use.
    static let uplinks: [(payload: String, result: String, codec: String)] = [
        ("Decentlab_DL-PM__payload", "Decentlab_DL-PM__result", "decentlab-dl-pm"),
        ("Decentlab_DL-PM__payload_01", "Decentlab_DL-PM__result_01", "decentlab-dl-pm"),
        ("Decentlab_DL-PM__payload_02", "Decentlab_DL-PM__result_02", "decentlab-dl-pm"),
        ("Milesight_EM500-CO2__payload", "Milesight_EM500-CO2__result", "milesight-em500-co2"),
        ("Milesight_VS133__payload", "Milesight_VS133__result", "milesight-vs133"),
        ("Milesight_WS302__payload", "Milesight_WS302__result", "milesight-ws302"),
        ("Nwave_G4_NPS_SM__payload", "Nwave_G4_NPS_SM__result", "nwave-parking"),
        ("Nwave_G4_NPS_SM__payload_1", "Nwave_G4_NPS_SM__result_1", "nwave-parking"),
        ("Nwave_G4_NPS_SM__payload_2", "Nwave_G4_NPS_SM__result_2", "nwave-parking"),
    ]

    /// Radio fields the reference converters add to the telemetry; Lantaarn keeps them as metadata.
    static let radioFields: Set = ["lora_frame_counter", "lora_frame_port", "lora_frequency", "lora_spreading_factor", "lora_rssi",
                                   "lora_snr", "rssi", "snr", "fCnt", "channel", "consumed_airtime"]

    @Test(arguments: uplinks)
    func ttnUplinkMatchesTheVendorResult(payload: String, result: String, codec: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(Self.sensors)/ttn_v3/\(payload).json")))
        let codecInstance = try #require(PayloadCodecs.named("ttn-v3/\(codec)"))
        let message = try decode(codecInstance, bytes)
        let input = try JSONParser.parse(bytes)
        let expected = try #require(try Self.json("\(Self.sensors)/ttn_v3/\(result).json")["telemetry"]?.arrayValue?.first?["values"]?.objectMembers)
        // The measurement time is when the network server received the frame.
        #expect(message.timestamp == input["uplink_message"]?["received_at"]?.stringValue.flatMap(ISO8601.parse))
        #expect(message.device == input["end_device_ids"]?["device_id"]?.stringValue)
        #expect(message.uplink?.frameCounter == input["uplink_message"]?["f_cnt"]?.numberValue.map { Int64($0) })
        #expect(message.uplink?.port == input["uplink_message"]?["f_port"]?.numberValue.map { Int($0) })
        for (name, value) in expected {
            // Reference quirk: JavaScript's division names VS133 lines "line_1.0_…".
            let ours = name.replacingOccurrences(of: ".0_", with: "_")
            switch value {
            case _ where Self.radioFields.contains(name):
                if name == "lora_rssi" { #expect(message.uplink?.rssi == value.numberValue) }
                if name == "lora_snr" { #expect(message.uplink?.snr == value.numberValue) }
                if name == "lora_frame_counter" { #expect(message.uplink?.frameCounter == value.numberValue.map { Int64($0) }) }
            case .number(let n) where codec == "nwave-parking" && name == "battery_voltage":
                // Nwave's guide: Vbat = 2500 + 4·X mV with X unsigned. The reference converter reads the
                // byte as signed (0xD3 → -45 → 2.32 V); the unsigned reading is 3.344 V.
                #expect(n == 2.32)
                #expect(message.value(ours) == 3.344)
            case .string(let s) where codec == "nwave-parking" && name == "battery_health":
                #expect(s == "critical" && message.texts[ours] == "normal")   // follows from the battery voltage above
            case .number(let n):
                let v = try #require(message.value(ours), "\(payload): \(name) missing")
                #expect(abs(v - n) <= 1e-9 * max(1, abs(n)), "\(payload): \(name) = \(v), expected \(n)")
            case .bool(let b):
                #expect(message.value(ours) == (b ? 1 : 0), "\(payload): \(name)")
            case .string(let s):
                #expect(message.texts[ours] == s, "\(payload): \(name)")
            case .null:
                #expect(message.value(ours) == nil && message.texts[ours] == nil)
            default:
                Issue.record("\(payload): unexpected \(name) = \(value)")
            }
        }
        // Nothing decoded that the reference does not have (besides texts it leaves out).
        let expectedNames = Set(expected.map { $0.0.replacingOccurrences(of: ".0_", with: "_") })
        #expect(message.values.filter { !expectedNames.contains($0.name) }.isEmpty, "\(message.values.map(\.name))")
    }

    @Test func ttnRejectsWhatIsNotAnUplinkOrNotThisDevice() throws {
        let codec = try #require(PayloadCodecs.named("ttn-v3/milesight-em500-co2"))
        #expect { try decode(codec, #"{"end_device_ids":{"device_id":"x"},"join_accept":{}}"#) } throws: {
            ($0 as? CodecError)?.reason.contains("not a The Things Stack v3 uplink") == true
        }
        #expect { try decode(codec, #"{"uplink_message":{"f_port":85,"frm_payload":"%%%"}}"#) } throws: {
            ($0 as? CodecError)?.reason.contains("not base64") == true
        }
        // A cut-off frame: the CO₂ record misses its second byte.
        #expect { try decode(codec, #"{"uplink_message":{"f_port":85,"f_cnt":7,"frm_payload":"AXVkBX1n"}}"#) } throws: {
            ($0 as? CodecError)?.reason.contains("ends at byte 5") == true && ($0 as? CodecError)?.reason.contains("f_cnt 7") == true
        }
        #expect { try decode(codec, #"{"uplink_message":{"f_port":85,"frm_payload":"/wE="}}"#) } throws: {
            ($0 as? CodecError)?.reason.contains("unknown channel 0xFF type 0x01") == true
        }
        // Found by fuzzing: a port or frame counter beyond Int crashed the codec.
        #expect { try decode(codec, #"{"uplink_message":{"f_port":1e300,"frm_payload":"AXVkBX1n"}}"#) } throws: {
            ($0 as? CodecError)?.reason.contains("f_port must be a whole number from 0 to 255") == true
        }
        #expect { try decode(codec, #"{"uplink_message":{"f_port":85,"f_cnt":-1e30,"frm_payload":"AXVkBX1n"}}"#) } throws: {
            ($0 as? CodecError)?.reason.contains("f_cnt must be a whole number") == true
        }
        #expect(PayloadCodecs.named("ttn-v3/acme-unknown") == nil)
    }

    // MARK: Sensor.Community push

    @Test(arguments: ["airrohr_push_measurement", "airrohr_push_measurement_no_bme280"])
    func sensorCommunityPush(file: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(Self.sensors)/sensor_community_push/\(file).json")))
        let message = try decode(SensorCommunityPushCodec(), bytes, receivedAt: 1_795_341_600_000)
        #expect(message.timestamp == 1_795_341_600_000 && message.device == "esp8266-11545355")
        #expect(message.value("SDS_P1") == 6.35 && message.value("SDS_P2") == 3.83 && message.value("signal") == -50)
        #expect((message.value("BME280_pressure") == 99505.19) == (file == "airrohr_push_measurement"))
        #expect { try decode(SensorCommunityPushCodec(), #"{"esp8266id":"1","sensordatavalues":{}}"#) } throws: {
            ($0 as? CodecError)?.reason.contains("not an array") == true
        }
    }
}
