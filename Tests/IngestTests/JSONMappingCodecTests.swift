import Foundation
import Geo
@testable import Ingest
import LantaarnModel
import Testing

/// Issue 32, item 4: any JSON payload mapped by its sensor file (`codec: {json: {…}}`).
struct JSONMappingCodecTests {
    let received = ISO8601.parse("2026-11-23T09:00:00Z")!

    func registry(_ yaml: String) throws -> SensorRegistry {
        let dir = NSTemporaryDirectory() + "lantaarn-json-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try yaml.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        return try SensorRegistry.load(directory: dir, boundaries: BoundaryCatalog([try DefaultBoundaries.haarlemWijken()]))
    }

    /// Two road segments counted by Telraam-style counters on one topic: a report of records,
    /// each with its ISO time and its segment id.
    static let telraam = """
    sensors:
    \((["348917", "348918"]).map { segment in """
      - id: telraam-\(segment)
        lamppost: T-\(segment)
        kind: verkeerstelling
        lat: 52.3812
        lon: 4.6368
        device: "\(segment)"
        topic: telraam/reports
        codec: {json: {records: /report, time: /date, device: /segment_id}}
        quantities:
          auto: {unit: "1/h", min: 0, max: 10000, field: car}
          fiets: {unit: "1/h", min: 0, max: 10000, field: bike}
          zwaar: {unit: "1/h", min: 0, max: 10000, field: /modes/heavy}
    """ }.joined(separator: "\n"))
    """

    @Test func arraysOfRecordsWithTimesAndDevicesOnOneTopic() throws {
        let validator = ReadingValidator(registry: try registry(Self.telraam))
        let payload = """
        {"status_code": 200, "message": "ok", "report": [
          {"segment_id": 348917, "date": "2026-11-23T07:00:00.000Z", "interval": "hourly", "uptime": 0.73, "car": 619.2, "bike": 263.0, "modes": {"heavy": 78.1}},
          {"segment_id": 348917, "date": "2026-11-23T08:00:00.000Z", "interval": "hourly", "uptime": 0.77, "car": 462.6, "bike": 95.6, "modes": {"heavy": 64.6}},
          {"segment_id": 348918, "date": "2026-11-23T08:00:00.000Z", "interval": "hourly", "uptime": 0.81, "car": 12, "bike": 40, "modes": {"heavy": 1}},
          {"segment_id": 999999, "date": "2026-11-23T08:00:00.000Z", "car": 5},
          {"segment_id": 348918, "date": "gisteren", "car": 7}
        ]}
        """
        let out = validator.validate(LogRecord(receivedAt: received, origin: "telraam/reports", payload: Array(payload.utf8)), source: "test")
        let readings = out.readings.map { "\($0.series.sensorID)/\($0.series.quantity)@\(ISO8601.format(milliseconds: $0.timestamp))=\($0.value)" }.sorted()
        #expect(readings == [
            "telraam-348917/auto@2026-11-23T07:00:00Z=619.2", "telraam-348917/auto@2026-11-23T08:00:00Z=462.6",
            "telraam-348917/fiets@2026-11-23T07:00:00Z=263.0", "telraam-348917/fiets@2026-11-23T08:00:00Z=95.6",
            "telraam-348917/zwaar@2026-11-23T07:00:00Z=78.1", "telraam-348917/zwaar@2026-11-23T08:00:00Z=64.6",
            "telraam-348918/auto@2026-11-23T08:00:00Z=12.0", "telraam-348918/fiets@2026-11-23T08:00:00Z=40.0",
            "telraam-348918/zwaar@2026-11-23T08:00:00Z=1.0",
        ], "\(readings)")
        // The unknown device and the record without a readable time are quarantined; the rest is kept.
        let reasons = out.quarantined.map(\.reason)
        #expect(reasons.contains { $0.contains("device '999999' on topic telraam/reports is not registered") }, "\(reasons)")
        #expect(reasons.contains { $0.contains("record 4, /date: 'gisteren' is not an ISO 8601 time") }, "\(reasons)")
        #expect(reasons.count == 2)
    }

    func decode(_ mapping: JSONMapping, _ json: String, fields: [String] = ["v"]) throws(CodecError) -> DecodedMessage {
        try PayloadCodecTests().decode(JSONMappingCodec(mapping: mapping, fields: fields), json)
    }

    @Test func timeFormats() throws {
        let at = JSONPointer("/t")
        #expect(try decode(JSONMapping(time: at, timeFormat: .epochSeconds), #"{"t": 1795420800, "v": 1}"#).values[0].timestamp == 1_795_420_800_000)
        #expect(try decode(JSONMapping(time: at, timeFormat: .epochMilliseconds), #"{"t": 1795420800123, "v": 1}"#).values[0].timestamp == 1_795_420_800_123)
        #expect(try decode(JSONMapping(time: at, timeFormat: .epochMicroseconds), #"{"t": 1795420800123456, "v": 1}"#).values[0].timestamp == 1_795_420_800_123)
        #expect(try decode(JSONMapping(time: at), #"{"t": "2026-11-24T08:00:00+01:00", "v": 1}"#).values[0].timestamp == ISO8601.parse("2026-11-24T07:00:00Z"))
        // A strftime pattern in Amsterdam's zone: CET in winter, CEST in summer.
        let dutch = JSONMapping(time: at, timeFormat: .pattern("%d-%m-%Y %H:%M:%S", zone: "Europe/Amsterdam"))
        #expect(try decode(dutch, #"{"t": "24-11-2026 08:00:00", "v": 1}"#).values[0].timestamp == ISO8601.parse("2026-11-24T07:00:00Z"))
        #expect(try decode(dutch, #"{"t": "01-07-2026 08:00:00", "v": 1}"#).values[0].timestamp == ISO8601.parse("2026-07-01T06:00:00Z"))
        let offset = JSONMapping(time: at, timeFormat: .pattern("%Y/%m/%d %H:%M %z", zone: "UTC"))
        #expect(try decode(offset, #"{"t": "2026/11/24 08:00 +0100", "v": 1}"#).values[0].timestamp == ISO8601.parse("2026-11-24T07:00:00Z"))
        let english = JSONMapping(time: at, timeFormat: .pattern("%d %b %Y %T.%f", zone: "Europe/Amsterdam"))
        #expect(try decode(english, #"{"t": "24 Nov 2026 08:00:00.250", "v": 1}"#).values[0].timestamp == ISO8601.parse("2026-11-24T07:00:00.250Z"))
        // Only the quantities' fields are values.
        #expect(try decode(JSONMapping(time: at, timeFormat: .epochSeconds), #"{"t": 1795420800, "v": 1, "w": 2, "x": {"y": true}}"#, fields: ["v", "/x/y"])
            .values.map { "\($0.name)=\($0.value)" } == ["v=1.0", "/x/y=1.0"])
        for (mapping, json, words) in [(dutch, #"{"t": "2026-11-24 08:00", "v": 1}"#, "does not match the time pattern %d-%m-%Y %H:%M:%S"),
                                       (JSONMapping(time: at), #"{"t": 1795420800, "v": 1}"#, "say time_format: epoch_s"),
                                       (JSONMapping(time: at), #"{"v": 1}"#, "has no time at /t"),
                                       (JSONMapping(records: JSONPointer("/rows")), #"{"rows": {"v": 1}}"#, "/rows is not a list of records")] {
            do {
                _ = try decode(mapping, json)
                Issue.record("\(json) decoded")
            } catch {
                #expect(error.reason.contains(words), "\(error.reason)")
            }
        }
    }

    @Test func scaleAndOffsetMakeTheUnit() throws {
        let validator = ReadingValidator(registry: try registry("""
        sensors:
          - id: koelcel
            lamppost: L1
            kind: klimaat
            lat: 52.38
            lon: 4.63
            codec: {json: {time: /ts, time_format: epoch_ms}}
            quantities:
              temperatuur: {unit: "°C", min: -40, max: 80, field: /sensor/t_mK, scale: 0.001, offset: -273.15}
        """))
        let good = #"{"ts": 1795420800000, "sensor": {"t_mK": 293150}}"#
        let out = validator.validate(LogRecord(receivedAt: received, origin: "lantaarn/sensors/koelcel/readings", payload: Array(good.utf8)), source: "test")
        #expect(out.readings.count == 1 && abs(out.readings[0].value - 20.0) < 1e-9, "\(out.quarantined.map(\.reason))")
        // The range applies to the reading: 400 K is 126.85 °C.
        let hot = #"{"ts": 1795420800000, "sensor": {"t_mK": 400000}}"#
        let rejected = validator.validate(LogRecord(receivedAt: received, origin: "lantaarn/sensors/koelcel/readings", payload: Array(hot.utf8)), source: "test")
        #expect(rejected.readings.isEmpty && rejected.quarantined.first?.reason.contains("temperatuur = 126.85") == true, "\(rejected.quarantined.map(\.reason))")
    }

    @Test func sensorFileMistakesAreNamed() throws {
        func refused(_ codec: String, quantity: String = "field: v", _ path: String, _ words: String) {
            let yaml = """
            sensors:
              - id: a
                lamppost: L1
                kind: k
                lat: 52.38
                lon: 4.63
                codec: \(codec)
                quantities:
                  q: {unit: "1", min: 0, max: 10, \(quantity)}
            """
            do {
                _ = try registry(yaml)
                Issue.record("accepted: \(codec)")
            } catch let e as RegistryError {
                #expect(e.path == path && e.reason.contains(words), "\(e.path): \(e.reason)")
            } catch {
                Issue.record("\(error)")
            }
        }
        refused("{json: {time: /t, time_format: dd-mm-yyyy}}", "sensors[0].codec.json.time_format", "strftime pattern")
        refused("{json: {time: /t, time_format: '%d-%m-%Y', zone: Amsterdam}}", "sensors[0].codec.json.zone", "IANA time zone")
        refused("{json: {time: /t, zone: Europe/Amsterdam}}", "sensors[0].codec.json.zone", "applies to a strftime pattern only")
        refused("{json: {time_format: epoch_s}}", "sensors[0].codec.json.time", "time_format needs time")
        refused("{json: {time: /t, time_format: '%A %d'}}", "sensors[0].codec.json.time_format", "%A is not a time pattern directive")
        refused("{json: {records: report}}", "sensors[0].codec.json.records", "is not a JSON Pointer")
        refused("{json: {tijd: /t}}", "sensors[0].codec.json.tijd", "unknown key 'tijd'")
        refused("{json: {}}", quantity: "field: v, scale: 0", "sensors[0].quantities.q.scale", "other than 0")
        // Two sensors on one topic need a device field to be told apart.
        let shared = """
        sensors:
        \((1...2).map { k in """
          - id: s\(k)
            lamppost: L\(k)
            kind: k
            lat: 52.38
            lon: 4.63
            topic: gedeeld
            codec: {json: {time: /t}}
            quantities:
              q: {unit: "1", min: 0, max: 10}
        """ }.joined(separator: "\n"))
        """
        #expect(throws: RegistryError.self) { _ = try registry(shared) }
        do { _ = try registry(shared) } catch let e as RegistryError {
            #expect(e.path == "sensors[0].topic" && e.line == 7 && e.reason.contains("topic gedeeld is also s2's"), "\(e)")
        }
    }
}
