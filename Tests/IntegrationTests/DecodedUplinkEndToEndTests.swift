import Foundation
import LantaarnModel
import Store
import TestSupport
import Testing

/// Issue 32, items 1 and 2 end to end: The Things Stack uplinks with `decoded_payload` (webhook
/// and event-stream shapes) and ChirpStack v4 events from ../shared/data/sensors/lorawan,
/// published with `mosquitto_pub` to a real broker, read by `serve` and stored; the invalid
/// documentation example is quarantined with its reason.
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

    @Test func decodedUplinksOverMQTTIntoTheStore() async throws {
        let dir = try TestEnvironment.scratch("decoded-uplinks")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sensors = dir + "/Sensors"
        try FileManager.default.createDirectory(atPath: sensors, withIntermediateDirectories: true)
        try Self.registry.write(toFile: sensors + "/lorawan.yaml", atomically: true, encoding: .utf8)
        let bin = TestEnvironment.lantaarn
        let checked = try await runCommand(bin, ["sensors", "check", "--sensors", sensors, "--data-dir", dir + "/data"])
        try #require(checked.status == 0, "\(checked.output) \(checked.error)")

        let broker = try TestBroker(directory: dir)
        defer { broker.stop() }
        let httpPort = freeLoopbackPort()
        let noPipelines = dir + "/no-pipelines"
        try FileManager.default.createDirectory(atPath: noPipelines, withIntermediateDirectories: true)
        let serve = try ChildProcess(bin, ["serve", "--data-dir", dir + "/data", "--sensors", sensors, "--pipelines", noPipelines,
                                           "--mqtt", broker.url, "--listen", "127.0.0.1:\(httpPort)"], stderrFile: dir + "/serve.err")
        defer { serve.stop(signal: SIGKILL) }
        try #require(await waitUntil(timeout: 30) { isListening(httpPort) }, "serve did not start: \(serve.stderrText)")
        try #require(await waitUntil(timeout: 15) { serve.stderrText.contains("MQTT connected and subscribed") })

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
}
