import Foundation
@testable import Ingest
import LantaarnModel
import Testing

/// Uplinks a network server already decoded: The Things Stack's `decoded_payload` (webhook
/// and event-stream shapes) and ChirpStack v4 events (`object`, or `data` through a built-in
/// model), from ../shared/data/sensors/lorawan, and fields as JSON Pointers.
struct DecodedPayloadTests {
    static let lorawan = PayloadCodecTests.sensors + "/lorawan"

    let codecs = PayloadCodecTests()

    func decode(_ codec: any PayloadCodec, file: String) throws(CodecError) -> DecodedMessage {
        try codecs.decode(codec, [UInt8]((try? Data(contentsOf: URL(fileURLWithPath: "\(Self.lorawan)/\(file)"))) ?? Data()))
    }

    @Test(arguments: ["ttn-v3-decoded/thingsboard_ezurio_rs26x_uplink.json", "ttn-v3-decoded/thingsboard-ezurio-rs26x-guide_as.up.data.forward.json"])
    func theThingsStackDecodedPayload(file: String) throws {
        let m = try decode(try #require(PayloadCodecs.named("ttn-v3")), file: file)
        let forward = file.contains("forward")
        #expect(m.value("Temperature") == (forward ? 21.83 : 20.02))
        #expect(m.texts["Battery Status"] == "Good" && m.texts["/Device Status/Sensor Fault"] == "No")
        #expect(m.device == "rs261-erik-internal")
        #expect(m.uplink?.frameCounter == (forward ? 25 : 1113) && m.uplink?.port == 1)
        #expect(m.uplink?.rssi == (forward ? -69 : -64) && m.uplink?.snr != nil)
        // The network server's time of the uplink (uplink_message.received_at), not the gateway's.
        #expect(m.timestamp == ISO8601.parse(forward ? "2025-11-07T08:52:14.536109379Z" : "2025-11-08T02:28:21.194747149Z"))
    }

    @Test func theInvalidDocsExampleIsRefusedWithTheReason() {
        // The Things Stack's documentation example lacks a comma before its last received_at.
        #expect(throws: CodecError.self) { _ = try decode(TTNUplinkCodec(frames: nil), file: "ttn-v3-decoded/lorawan-stack-docs_uplink_message_example.verbatim.json") }
        do {
            _ = try decode(TTNUplinkCodec(frames: nil), file: "ttn-v3-decoded/lorawan-stack-docs_uplink_message_example.verbatim.json")
        } catch {
            #expect(error.reason.contains("payload is not valid JSON") && error.reason.contains("The Things Stack"), "\(error.reason)")
        }
    }

    @Test func withoutADecodedPayloadTheMessageSaysWhatToDo() {
        let uplink = #"{"end_device_ids":{"device_id":"d"},"uplink_message":{"f_port":1,"f_cnt":3,"frm_payload":"AQI="}}"#
        do {
            _ = try codecs.decode(TTNUplinkCodec(frames: nil), uplink)
            Issue.record("decoded without a decoded_payload")
        } catch {
            #expect(error.reason.contains("decoded_payload is missing") && error.reason.contains("codec: ttn-v3/MODEL"))
        }
    }

    @Test func chirpStackObject() throws {
        let m = try decode(try #require(PayloadCodecs.named("chirpstack-v4")), file: "chirpstack-v4/jmq_chirpstack_listener_mqtt_test_up.json")
        #expect(m.value("Temperatura") == 20.0 && m.value("Humedad") == 51.0 && m.value("Lluvia_Acumulada") == 72.136)
        #expect(m.device == "2cf7f1c0443000f2" && m.uplink?.frameCounter == 5586 && m.uplink?.port == 3 && m.uplink?.rssi == -42 && m.uplink?.snr == 8.5)
        #expect(m.timestamp == ISO8601.parse("2025-05-08T16:26:07.887Z"))
    }

    @Test func chirpStackDataThroughTheBuiltInModel() throws {
        // Decentlab DL-PM through the built-in layout: the same values as the TTN uplink of the same device model.
        let m = try decode(try #require(PayloadCodecs.named("chirpstack-v4/decentlab-dl-pm")), file: "chirpstack-v4/thingsboard_decentlab_dl-pm_up.json")
        #expect(!m.values.isEmpty && m.device == "70b3d57ba0003bb8" && m.uplink?.frameCounter == 20 && m.uplink?.port == 1)
        #expect(m.uplink?.rssi == -106)
        // No object and no model: a clear reason.
        #expect(throws: CodecError.self) { _ = try decode(ChirpStackUplinkCodec(frames: nil), file: "chirpstack-v4/thingsboard_decentlab_dl-pm_up.json") }
    }

    @Test func chirpStackOmitsZeroCounters() throws {
        // ChirpStack leaves zero values out of its JSON: no fCnt and no fPort mean 0.
        let m = try codecs.decode(ChirpStackUplinkCodec(frames: nil), #"{"deviceInfo":{"devEui":"0101010101010101"},"object":{"x":1}}"#)
        #expect(m.uplink?.frameCounter == 0 && m.uplink?.port == 0 && m.value("x") == 1)
        // ChirpStack's documentation event (no fCnt, one byte of data) is no Decentlab frame: the
        // reason says what was wrong and which frame it was.
        let decentlab = try #require(PayloadCodecs.named("chirpstack-v4/decentlab-dl-pm"))
        do {
            _ = try decode(decentlab, file: "chirpstack-v4/chirpstack-docs_events_up.json")
            Issue.record("a one-byte frame decoded as a Decentlab DL-PM")
        } catch {
            #expect(error.reason.contains("(fPort 1, fCnt 0)"), "\(error.reason)")
        }
    }

    @Test func preferDecidesWhenBothAreThere() throws {
        let frame = try #require(LoRaWANFrameDecoders.all["decentlab-dl-pm"])
        let event = #"{"deviceInfo":{"devEui":"70B3D57BA0003BB8"},"fPort":1,"fCnt":7,"data":"AhtQAA8MJQAlACcAJwAnAfUBBwEsAS0BLQEtZ71hjb0Q","object":{"pm":{"pm2_5":12.5}}}"#
        func run(_ codec: any PayloadCodec) throws(CodecError) -> DecodedMessage { try codecs.decode(codec, event) }
        let decoded = try run(ChirpStackUplinkCodec(frames: frame, preferDecoded: true))
        #expect(decoded.values == [DecodedValue("/pm/pm2_5", 12.5)] && decoded.device == "70b3d57ba0003bb8")
        let framed = try run(ChirpStackUplinkCodec(frames: frame, preferDecoded: false))
        #expect(framed.values.count > 1 && framed.value("/pm/pm2_5") == nil)
    }

    @Test func jsonPointers() {
        let doc = try! JSONParser.parse(#"{"a":{"b/c":[1,{"~d":2}]}}"#)
        #expect(JSONPointer("/a/b~1c/1/~0d")?.resolve(in: doc) == .number(2))
        #expect(JSONPointer("/a/b~1c/0")?.resolve(in: doc) == .number(1))
        #expect(JSONPointer("/a/x")?.resolve(in: doc) == nil && JSONPointer("/a/b~1c/5")?.resolve(in: doc) == nil)
        #expect(JSONPointer("a/b") == nil && JSONPointer("/a~2") == nil && JSONPointer("/a~") == nil)
        #expect(JSONPointer(tokens: ["b/c", "~d"]).description == "/b~1c/~0d")
    }
}
