import Foundation
import Geo
import Ingest
import LantaarnModel
import Store
import Testing

struct SensorRegistryTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path

    @Test func demoRegistryCoversTheBrief() throws {
        let registry = try SensorRegistry.load(directory: Self.repo + "/Sensors", boundaries: try DefaultBoundaries.haarlemWijken())
        #expect(registry.sensors.count >= 12)
        #expect(registry.wijkBySensor.count == registry.sensors.count, "every demo sensor lies inside a wijk")
        #expect(Set(registry.wijkBySensor.values).count >= 4)
        let quantities = Set(registry.sensors.values.flatMap(\.quantities.keys))
        #expect(quantities.isSuperset(of: ["pm25", "pm10", "no2", "laeq", "lux", "people"]))
        for s in registry.sensors.values {
            #expect(s.topic == "lantaarn/sensors/\(s.id)/readings")
            #expect(!s.lamppost.isEmpty)
        }
    }

    @Test func errorsNameFileAndPath() throws {
        let dir = try scratchDirectory("registry")
        try """
        sensors:
          - id: a
            lamppost: L1
            kind: lucht
            lat: 52.38
            lon: 4.63
            quantities:
              pm25: {unit: "µg/m³", min: 0}
        """.write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        do {
            _ = try SensorRegistry.load(directory: dir, boundaries: try DefaultBoundaries.haarlemWijken())
            Issue.record("a sensor without max was accepted")
        } catch let error as RegistryError {
            #expect(error.file.hasSuffix("bad.yaml"))
            #expect(error.path == "sensors[0].quantities.pm25.max")
        }
    }
}

struct ReadingValidatorTests {
    static let registry: SensorRegistry = {
        let air = Sensor(id: "air", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "lantaarn/sensors/air/readings",
                         kind: "lucht", quantities: ["pm25": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.1),
                                                     "pm10": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 600, resolution: 0.1)])
        let far = Sensor(id: "far", lamppost: "L", latitude: 52.0, longitude: 5.0, topic: "lantaarn/sensors/far/readings",
                         kind: "lucht", quantities: ["pm25": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.1)])
        return SensorRegistry(sensors: [air, far], boundaries: try! DefaultBoundaries.haarlemWijken())
    }()

    func record(_ topic: String, _ payload: String, at received: Int64 = 1_795_341_600_000) -> LogRecord {
        LogRecord(receivedAt: received, origin: topic, payload: Array(payload.utf8))
    }

    @Test func keepsGoodValuesAndQuarantinesBadOnes() {
        let v = ReadingValidator(registry: Self.registry)
        let out = v.validate(record("lantaarn/sensors/air/readings", #"{"ts":"2026-11-22T10:00:00Z","values":{"pm25":12,"pm10":9999,"o3":1}}"#), source: "mqtt")
        #expect(out.readings.count == 1)
        #expect(out.readings.first?.wijk?.rawValue == "WK039201")
        #expect(out.quarantined.count == 2)
        #expect(out.quarantined[0].reason.contains("outside the valid range"))
        #expect(out.quarantined[1].reason.contains("'o3' is not registered"))
    }

    @Test func unknownSensorFutureAndAncientTimestamps() {
        let v = ReadingValidator(registry: Self.registry)
        let unknown = v.validate(record("lantaarn/sensors/nope/readings", #"{"ts":1,"values":{"pm25":1}}"#), source: "mqtt")
        #expect(unknown.readings.isEmpty && unknown.quarantined.first?.sensorID == "nope")
        #expect(unknown.quarantined.first?.reason.contains("unknown sensor 'nope'") == true)
        let future = v.validate(record("lantaarn/sensors/air/readings", #"{"ts":"2026-11-22T12:00:00Z","values":{"pm25":1}}"#), source: "mqtt")
        #expect(future.quarantined.first?.reason.contains("after receipt") == true)
        let ancient = v.validate(record("lantaarn/sensors/air/readings", #"{"ts":5,"values":{"pm25":1}}"#), source: "mqtt")
        #expect(ancient.quarantined.first?.reason.contains("before 2000") == true)
    }

    @Test func sensorOutsideEveryWijkIsCountedNotGuessed() {
        let out = ReadingValidator(registry: Self.registry)
            .validate(record("lantaarn/sensors/far/readings", #"{"ts":"2026-11-22T10:00:00Z","values":{"pm25":3}}"#), source: "mqtt")
        #expect(out.readings.count == 1 && out.readings[0].wijk == nil)
    }
}

struct IngestConsumerTests {
    /// A consumer that stops after any batch and a new one that resumes from the
    /// committed offset together store every message exactly once.
    @Test func resumesFromTheCommittedOffsetWithoutDuplicates() throws {
        let dir = try scratchDirectory("consumer")
        let store = try SQLiteStore(dataDirectory: dir + "/db")
        let writer = try IngestLogWriter(directory: dir + "/log")
        for i in 0..<12_000 {
            try writer.append(origin: "lantaarn/sensors/air/readings",
                              payload: Array(#"{"ts":\#(1_795_341_600 + i),"values":{"pm25":\#(i % 50)}}"#.utf8),
                              receivedAt: 1_795_360_000_000)
        }
        let validator = ReadingValidator(registry: ReadingValidatorTests.registry)
        func consumer() throws -> IngestConsumer {
            try IngestConsumer(source: "mqtt", logDirectory: dir + "/log", writer: writer, store: store, validator: validator,
                               logger: .init(label: "test"))
        }
        var offset = try store.committedOffset(source: "mqtt")
        #expect(try consumer().step(from: &offset) == IngestConsumer.batchSize)   // then "crash"
        var resumed = try store.committedOffset(source: "mqtt")
        #expect(resumed == offset)
        let second = try consumer()
        while try second.step(from: &resumed) > 0 {}
        #expect(try store.readingCount() == 12_000)
        #expect(resumed == writer.end)
        #expect(second.stats.snapshot.readings == 12_000 - IngestConsumer.batchSize)
    }
}
