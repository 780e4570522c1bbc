import Foundation
import LantaarnModel
import Store
import TestSupport
import Testing

/// Issue 32, items 1 and 2 end to end: The Things Stack uplinks with `decoded_payload` (webhook
/// and event-stream shapes) and ChirpStack v4 events from ../shared/data/sensors/lorawan,
/// published with `mosquitto_pub` to a real broker, read by `serve` and stored; the invalid
/// documentation example is quarantined with its reason. Item 3 end to end: a vendor codec of
/// the Device Repository, and a hostile one whose runaways are stopped while other sensors publish.
@Suite(.serialized)
struct DecodedUplinkEndToEndTests {
    static let lorawan = TestEnvironment.repoRoot + "/../shared/data/sensors/lorawan"

    static let registry = """
    sensors:
      - id: ttn-rs261
        lamppost: T-LP-1
        kind: klimaat
        lat: 52.38119
        lon: 4.63746
        codec: ttn-v3
        topic: v3/thingsboard-ttn-demo@ttn/devices/rs261-erik-internal/up
        quantities:
          temperatuur: {unit: "°C", min: -40, max: 80, field: /Temperature}
      - id: ttn-rs261-events
        lamppost: T-LP-1
        kind: klimaat
        lat: 52.38119
        lon: 4.63746
        codec: ttn-v3
        topic: ttn/events/rs261-erik-internal
        quantities:
          temperatuur: {unit: "°C", min: -40, max: 80, field: Temperature}
      - id: cs-weer
        lamppost: T-LP-2
        kind: weer
        lat: 52.38425
        lon: 4.62434
        codec: chirpstack-v4
        device: 2cf7f1c0443000f2
        topic: application/b2fe8cb4-c95a-4a4c-a354-c2bf470d61eb/device/2cf7f1c0443000f2/event/up
        quantities:
          temperatuur: {unit: "°C", min: -40, max: 80, field: Temperatura}
          luchtvochtigheid: {unit: "%", min: 0, max: 100, field: Humedad}
          neerslag: {unit: "mm", min: 0, max: 10000, field: Lluvia_Acumulada}
      - id: cs-fijnstof
        lamppost: T-LP-3
        kind: luchtkwaliteit
        lat: 52.3808
        lon: 4.64008
        codec: chirpstack-v4/decentlab-dl-pm
        device: 70b3d57ba0003bb8
        topic: application/32dafeb5-0865-4edd-bf1c-3f8d9b07af52/device/70b3d57ba0003bb8/event/up
        quantities:
          pm25: {unit: "µg/m³", min: 0, max: 1000, field: pm2_5_mass_concentration}
          pm10: {unit: "µg/m³", min: 0, max: 1000, field: pm10_mass_concentration}
    """

    /// `serve` with `sensors`, no pipelines, and a private broker, once it is subscribed.
    static func serve(dir: String, sensors: String) async throws -> (TestBroker, ChildProcess, Int) {
        let broker = try TestBroker(directory: dir)
        let httpPort = freeLoopbackPort()
        let noPipelines = dir + "/no-pipelines"
        try FileManager.default.createDirectory(atPath: noPipelines, withIntermediateDirectories: true)
        let serve = try ChildProcess(TestEnvironment.lantaarn, ["serve", "--data-dir", dir + "/data", "--sensors", sensors, "--pipelines", noPipelines,
                                                               "--mqtt", broker.url, "--listen", "127.0.0.1:\(httpPort)"], stderrFile: dir + "/serve.err")
        guard await waitUntil(timeout: 30, { isListening(httpPort) }),
              await waitUntil(timeout: 15, { serve.stderrText.contains("MQTT connected and subscribed") }) else {
            serve.stop(signal: SIGKILL)
            broker.stop()
            throw ToolError("serve did not start: \(serve.stderrText)")
        }
        return (broker, serve, httpPort)
    }

    @Test func decodedUplinksOverMQTTIntoTheStore() async throws {
        let dir = try TestEnvironment.scratch("decoded-uplinks")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sensors = dir + "/Sensors"
        try FileManager.default.createDirectory(atPath: sensors, withIntermediateDirectories: true)
        try Self.registry.write(toFile: sensors + "/lorawan.yaml", atomically: true, encoding: .utf8)
        let bin = TestEnvironment.lantaarn
        let checked = try await runCommand(bin, ["sensors", "check", "--sensors", sensors, "--data-dir", dir + "/data"])
        try #require(checked.status == 0, "\(checked.output) \(checked.error)")

        let (broker, serve, httpPort) = try await Self.serve(dir: dir, sensors: sensors)
        defer { broker.stop(); serve.stop(signal: SIGKILL) }

        let messages: [(topic: String, file: String)] = [
            ("v3/thingsboard-ttn-demo@ttn/devices/rs261-erik-internal/up", "ttn-v3-decoded/thingsboard_ezurio_rs26x_uplink.json"),
            ("ttn/events/rs261-erik-internal", "ttn-v3-decoded/thingsboard-ezurio-rs26x-guide_as.up.data.forward.json"),
            ("application/b2fe8cb4-c95a-4a4c-a354-c2bf470d61eb/device/2cf7f1c0443000f2/event/up", "chirpstack-v4/jmq_chirpstack_listener_mqtt_test_up.json"),
            ("application/32dafeb5-0865-4edd-bf1c-3f8d9b07af52/device/70b3d57ba0003bb8/event/up", "chirpstack-v4/thingsboard_decentlab_dl-pm_up.json"),
            // The Things Stack's documentation example is not valid JSON (a comma is missing).
            ("v3/thingsboard-ttn-demo@ttn/devices/rs261-erik-internal/up", "ttn-v3-decoded/lorawan-stack-docs_uplink_message_example.verbatim.json"),
            // The same ChirpStack frame again (same fCnt): a duplicate, not stored twice.
            ("application/b2fe8cb4-c95a-4a4c-a354-c2bf470d61eb/device/2cf7f1c0443000f2/event/up", "chirpstack-v4/jmq_chirpstack_listener_mqtt_test_up.json"),
        ]
        for m in messages {
            let r = try await runCommand(Tool("mosquitto_pub"), ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", m.topic,
                                                                  "-f", Self.lorawan + "/" + m.file])
            #expect(r.status == 0, "mosquitto_pub failed: \(r.error)")
        }
        var health: [String: Any] = [:]
        let settled = try await waitAsync(timeout: 30) {
            health = try await ingestHealth(httpPort)
            return (health["messages"] as? Int) == messages.count
        }
        #expect(settled, "ingest did not settle: \(health)")
        // 1 + 1 temperatures, 3 weather values, 2 PM values; the invalid example quarantined.
        #expect(health["readings"] as? Int == 7, "\(health)")
        #expect(health["quarantined"] as? Int == 1, "\(health)")

        let store = try SQLiteStore(dataDirectory: dir + "/data")
        var stored: [String: [(Int64, Double)]] = [:]
        try store.readings.scan(quantities: ["temperatuur", "luchtvochtigheid", "neerslag", "pm25", "pm10"],
                                window: TimeWindow(start: 0, end: Int64.max / 2)) { r in
            stored["\(r.series.sensorID)/\(r.series.quantity)", default: []].append((r.timestamp, r.value))
        }
        #expect(stored["ttn-rs261/temperatuur"]?.map(\.1) == [20.02])
        #expect(stored["ttn-rs261/temperatuur"]?.first?.0 == ISO8601.parse("2025-11-08T02:28:21.194Z"))
        #expect(stored["ttn-rs261-events/temperatuur"]?.map(\.1) == [21.83])
        #expect(stored["cs-weer/temperatuur"]?.map(\.1) == [20.0] && stored["cs-weer/luchtvochtigheid"]?.map(\.1) == [51.0])
        #expect(stored["cs-weer/neerslag"]?.map(\.1) == [72.136])
        #expect(stored["cs-fijnstof/pm25"]?.count == 1 && stored["cs-fijnstof/pm10"]?.count == 1)
        let quarantine = try store.readings.quarantine(limit: 10)
        #expect(quarantine.count == 1 && quarantine[0].reason.contains("ttn-v3: payload is not valid JSON"), "\(quarantine.map(\.reason))")
    }

    static let vendorRegistry = """
    sensors:
      - id: ers-1
        lamppost: T-LP-4
        kind: klimaat
        lat: 52.38119
        lon: 4.63746
        codec: {javascript: codecs/elsys.js}
        topic: v3/haarlem@ttn/devices/ers-1/up
        quantities:
          temperatuur: {unit: "°C", min: -40, max: 80, field: temperature}
          luchtvochtigheid: {unit: "%", min: 0, max: 100, field: humidity}
      - id: vijandig-1
        lamppost: T-LP-5
        kind: klimaat
        lat: 52.38119
        lon: 4.63746
        codec: {javascript: codecs/hostile.js, network: ttn-v3}
        topic: v3/haarlem@ttn/devices/bad-1/up
        quantities:
          temperatuur: {unit: "°C", min: -40, max: 80, field: t}
    """ + (1...3).map { k in """

      - id: lucht-\(k)
        lamppost: T-LP-\(10 + k)
        kind: luchtkwaliteit
        lat: 52.3812
        lon: 4.6368
        quantities:
          pm25: {unit: "µg/m³", min: 0, max: 1000}
    """ }.joined()

    @Test func vendorCodecsOverMQTTWhileRunawaysAreStopped() async throws {
        let dir = try TestEnvironment.scratch("vendor-codecs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sensors = dir + "/Sensors"
        try FileManager.default.createDirectory(atPath: sensors + "/codecs", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.lorawan + "/device-repository/vendor/elsys/elsys.js", toPath: sensors + "/codecs/elsys.js")
        try FileManager.default.copyItem(atPath: TestEnvironment.repoRoot + "/Tests/Fixtures/codecs/hostile.js", toPath: sensors + "/codecs/hostile.js")
        try Self.vendorRegistry.write(toFile: sensors + "/lorawan.yaml", atomically: true, encoding: .utf8)
        let bin = TestEnvironment.lantaarn
        let checked = try await runCommand(bin, ["sensors", "check", "--sensors", sensors, "--data-dir", dir + "/data"])
        try #require(checked.status == 0, "\(checked.output) \(checked.error)")
        #expect(checked.output.contains("codec codecs/elsys.js (sensor ers-1)"), "\(checked.output)")

        let (broker, serve, httpPort) = try await Self.serve(dir: dir, sensors: sensors)
        defer { broker.stop(); serve.stop(signal: SIGKILL) }

        let now = Clock.nowMilliseconds()
        func uplink(_ frame: [UInt8], count: Int) -> String {
            #"{"end_device_ids":{"device_id":"d"},"uplink_message":{"f_port":1,"f_cnt":\#(count),"frm_payload":"\#(Data(frame).base64EncodedString())","received_at":"\#(ISO8601.format(milliseconds: now - 60_000 + Int64(count)))"}}"#
        }
        // Elsys ERS: temperature 22.6 °C, humidity 41 % (the codec's own example), and 21.0 °C, 40 %.
        let elsys = [uplink([0x01, 0x00, 0xE2, 0x02, 0x29, 0x04, 0x00, 0x27, 0x05, 0x06], count: 1),
                     uplink([0x01, 0x00, 0xD2, 0x02, 0x28], count: 2)]
        let hostile = [uplink([1], count: 1), uplink([2], count: 2), uplink([3], count: 3), uplink([4, 9], count: 4), uplink([215], count: 5)]
        let perSensor = 40
        func publish(_ topic: String, _ lines: [String]) async throws {
            let r = try await runCommand(Tool("mosquitto_pub"), ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", topic, "-l"],
                                         stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            #expect(r.status == 0, "mosquitto_pub failed: \(r.error)")
        }
        // The other sensors publish while the hostile codec's runaways are being stopped.
        async let first: Void = publish("lantaarn/sensors/lucht-1/readings", (0..<perSensor).map { #"{"ts":"\#(ISO8601.format(milliseconds: now - Int64($0) * 1000))","values":{"pm25":\#(5 + $0)}}"# })
        async let second: Void = publish("lantaarn/sensors/lucht-2/readings", (0..<perSensor).map { #"{"ts":"\#(ISO8601.format(milliseconds: now - Int64($0) * 1000))","values":{"pm25":\#(6 + $0)}}"# })
        async let third: Void = publish("lantaarn/sensors/lucht-3/readings", (0..<perSensor).map { #"{"ts":"\#(ISO8601.format(milliseconds: now - Int64($0) * 1000))","values":{"pm25":\#(7 + $0)}}"# })
        try await publish("v3/haarlem@ttn/devices/bad-1/up", hostile)
        try await publish("v3/haarlem@ttn/devices/ers-1/up", elsys)
        _ = try await (first, second, third)

        var health: [String: Any] = [:]
        let total = 3 * perSensor + hostile.count + elsys.count
        let settled = try await waitAsync(timeout: 60) {
            health = try await ingestHealth(httpPort)
            return (health["messages"] as? Int) == total
        }
        #expect(settled, "ingest did not settle: \(health)")
        // 120 PM2.5 values, 2 × 2 Elsys values, the hostile codec's one good frame; its four runaways quarantined.
        #expect(health["readings"] as? Int == 3 * perSensor + 4 + 1, "\(health)")
        #expect(health["quarantined"] as? Int == 4, "\(health)")

        let store = try SQLiteStore(dataDirectory: dir + "/data")
        var stored: [String: [Double]] = [:]
        try store.readings.scan(quantities: ["temperatuur", "luchtvochtigheid", "pm25"], window: TimeWindow(start: 0, end: Int64.max / 2)) { r in
            stored["\(r.series.sensorID)/\(r.series.quantity)", default: []].append(r.value)
        }
        #expect(stored["ers-1/temperatuur"]?.sorted() == [21.0, 22.6] && stored["ers-1/luchtvochtigheid"]?.sorted() == [40, 41], "\(stored)")
        #expect(stored["vijandig-1/temperatuur"] == [21.5])
        for k in 1...3 { #expect(stored["lucht-\(k)/pm25"]?.count == perSensor) }
        let reasons = try store.readings.quarantine(limit: 10).map(\.reason)
        for expected in ["ran longer than 100 ms and was stopped",
                         "threw at line 5: ReferenceError: Can't find variable: require", "threw at line 6: Error: frame type 9 unknown"] {
            #expect(reasons.contains { $0.contains("codec codecs/hostile.js") && $0.contains(expected) }, "\(reasons)")
        }
        // The endless loop by the time limit; the 1 GB fill by the memory limit (or, on a loaded
        // machine that slows the fill, by the time limit first).
        #expect(reasons.filter { $0.contains("and was stopped") }.count == 2, "\(reasons)")
    }
}
