import Foundation
import Geo
@testable import Ingest
import LantaarnModel
import Testing

/// Issue 32, item 5: `lantaarn sensors check` points at the sensor file's line, with a hint, for a
/// misspelt field, a value that does not hold, and a quantity whose field or JSON Pointer the
/// sensor's example payload does not give.
struct SensorCheckTests {
    /// A folder holding `files` (name → text), removed by the caller.
    func folder(_ files: [String: String]) throws -> String {
        let dir = NSTemporaryDirectory() + "lantaarn-check-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
        return dir
    }

    func load(_ dir: String) throws -> SensorRegistry {
        try SensorRegistry.load(directory: dir, boundaries: BoundaryCatalog([try DefaultBoundaries.haarlemWijken()]))
    }

    func refusal(_ yaml: String) throws -> RegistryError? {
        let dir = try folder(["s.yaml": yaml])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do { _ = try load(dir) } catch let e as RegistryError { return e }
        return nil
    }

    static let header = """
    # Sensors on one street.
    sensors:
      - id: a
        lamppost: L1
        kind: lucht
        lat: 52.38
        lon: 4.63
    """

    @Test func errorsNameTheLine() throws {
        // A value that does not hold: the line of the quantity's own key.
        let range = try #require(try refusal(Self.header + "\n    quantities:\n      pm25: {unit: x, min: 5, max: 1}\n"))
        #expect(range.line == 9 && range.path == "sensors[0].quantities.pm25", "\(range)")
        #expect(range.description.hasSuffix("s.yaml:9: sensors[0].quantities.pm25: min must be below max"), "\(range)")
        // A misspelt field anywhere in the file: refused with its line and the likely name.
        let misspelt = try #require(try refusal(Self.header + "\n    quantities:\n      pm25: {unit: x, min: 0, max: 9, feild: pm2_5}\n"))
        #expect(misspelt.line == 9 && misspelt.reason == "unknown field 'feild'; did you mean 'field'?", "\(misspelt)")
        let top = try #require(try refusal(Self.header + "\n    lamppst: L2\n    quantities:\n      pm25: {unit: x, min: 0, max: 9}\n"))
        #expect(top.line == 8 && top.path == "sensors[0].lamppst" && top.reason.contains("did you mean 'lamppost'?"), "\(top)")
        // A missing field (the decoder's own error) is placed at the deepest node that is there.
        let missing = try #require(try refusal(Self.header + "\n    quantities:\n      pm25: {unit: x, min: 0}\n"))
        #expect(missing.path == "sensors[0].quantities.pm25.max" && missing.line == 9, "\(missing)")
        // A duplicate id across files: the second file's line.
        let dir = try folder(["a.yaml": Self.header + "\n    quantities: {n: {unit: x, min: 0, max: 9}}\n",
                              "b.yaml": "sensors:\n  - {id: b, lamppost: L, kind: k, lat: 52.38, lon: 4.63, quantities: {n: {unit: x, min: 0, max: 9}}}\n"
                                  + "  - {id: a, lamppost: L, kind: k, lat: 52.38, lon: 4.63, quantities: {n: {unit: x, min: 0, max: 9}}}\n"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try load(dir)
            Issue.record("a duplicate id was accepted")
        } catch let e as RegistryError {
            #expect(e.file.hasSuffix("b.yaml") && e.line == 3 && e.reason.contains("a.yaml (sensors[0])"), "\(e)")
        }
    }

    /// A Telraam-style report mapped by a JSON mapping: the example payload is decoded with the
    /// sensor's codec; a pointer that is not in it is named with its line and the near name.
    @Test func anExamplePayloadCatchesWrongPointers() throws {
        let report = """
        {"report": [{"segment_id": 348917, "date": "2026-11-23T08:00:00.000Z", "car": 412.5, "bike": 93.25, "heavy": {"count": 60.5}}]}
        """
        func sensors(records: String, car: String, heavy: String) -> String {
            """
            sensors:
              - id: telraam-348917
                lamppost: T-1
                kind: verkeerstelling
                lat: 52.3812
                lon: 4.6368
                device: "348917"
                codec: {json: {records: \(records), time: /date, device: /segment_id}}
                example: samples/report.json
                quantities:
                  car: {unit: "per uur", min: 0, max: 10000, field: \(car)}
                  bike: {unit: "per uur", min: 0, max: 10000}
                  heavy: {unit: "per uur", min: 0, max: 10000, field: \(heavy)}
            """
        }
        func check(_ yaml: String) throws -> SensorExampleCheck {
            let dir = try folder(["s.yaml": yaml])
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try FileManager.default.createDirectory(atPath: dir + "/samples", withIntermediateDirectories: true)
            try report.write(toFile: dir + "/samples/report.json", atomically: true, encoding: .utf8)
            let registry = try load(dir)
            let sensor = try #require(registry.sensors["telraam-348917"])
            return SensorExampleCheck(sensor: sensor, codec: try #require(registry.codecBySensor[sensor.id]))
        }
        let right = try check(sensors(records: "/report", car: "car", heavy: "/heavy/count"))
        #expect(right.problems.isEmpty && right.values == 3, "\(right.problems)")
        let wrong = try check(sensors(records: "/report", car: "cars", heavy: "/zwaar"))
        #expect(wrong.values == 1 && wrong.problems.count == 2, "\(wrong.problems)")
        #expect(wrong.problems.contains { $0.hasSuffix("s.yaml:11: sensors[0].quantities.car.field: quantity car reads field 'cars', which example samples/report.json does not give; did you mean 'car'?") },
                "\(wrong.problems)")
        #expect(wrong.problems.contains { $0.contains("s.yaml:13: sensors[0].quantities.heavy.field: quantity heavy reads field 'zwaar'") && $0.contains("it gives /heavy/count, bike, car, segment_id") },
                "\(wrong.problems)")
        let near = try check(sensors(records: "/report", car: "car", heavy: "/heavy/cnt"))
        #expect(near.problems.count == 1 && near.problems[0].hasSuffix("does not give; did you mean '/heavy/count'?"), "\(near.problems)")
        let records = try check(sensors(records: "/reports", car: "car", heavy: "/heavy/count"))
        #expect(records.problems.count == 1 && records.problems[0].contains("s.yaml:9: sensors[0].example: example samples/report.json does not decode")
                    && records.problems[0].contains("records: /reports is not in the payload"), "\(records.problems)")
        // A missing example file is refused when the registry loads.
        let dir = try folder(["s.yaml": sensors(records: "/report", car: "car", heavy: "/heavy/count")])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect { _ = try load(dir) } throws: { ($0 as? RegistryError)?.description.contains("s.yaml:9: sensors[0].example: example payload 'samples/report.json' is not there") == true }
    }

    /// The Things Stack uplink with a decoded payload (real, from ../shared): nested members by
    /// JSON Pointer, checked against that very uplink.
    @Test func aDecodedPayloadExampleFromTheThingsStack() throws {
        let uplink = DecodedPayloadTests.lorawan + "/ttn-v3-decoded/thingsboard_ezurio_rs26x_uplink.json"
        let dir = try folder(["s.yaml": """
            sensors:
              - id: rs26x
                lamppost: L1
                kind: klimaat
                lat: 52.38
                lon: 4.63
                codec: ttn-v3
                example: \(uplink)
                quantities:
                  temperature: {unit: "°C", min: -40, max: 85, field: /Temperature}
                  humidity: {unit: "%", min: 0, max: 100, field: /Humidity}
            """])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let registry = try load(dir)
        let sensor = try #require(registry.sensors["rs26x"])
        let check = SensorExampleCheck(sensor: sensor, codec: try #require(registry.codecBySensor["rs26x"]))
        #expect(check.values >= 1 && check.problems.count == 1, "\(check.problems)")
        #expect(check.problems.first?.contains("s.yaml:11: sensors[0].quantities.humidity.field: quantity humidity reads field 'Humidity'") == true,
                "\(check.problems)")
    }
}
