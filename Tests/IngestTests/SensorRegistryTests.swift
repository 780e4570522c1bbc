import Foundation
import Geo
import Ingest
import LantaarnModel
import Store
import Testing

struct SensorRegistryTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path

    @Test func demoRegistryCoversTheBrief() throws {
        let registry = try SensorRegistry.load(directory: Self.repo + "/Sensors", boundaries: BoundaryCatalog([try DefaultBoundaries.haarlemWijken()]))
        #expect(registry.sensors.count >= 12)
        #expect(registry.placeBySensor.values.allSatisfy { $0.latest != nil }, "every demo sensor lies inside a wijk")
        #expect(Set(registry.placeBySensor.values.compactMap(\.latest)).count >= 4)
        #expect(registry.areasBySensor.values.allSatisfy { $0.gemeente?.code == "GM0392" })
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
            _ = try SensorRegistry.load(directory: dir, boundaries: BoundaryCatalog([try DefaultBoundaries.haarlemWijken()]))
            Issue.record("a sensor without max was accepted")
        } catch let error as RegistryError {
            #expect(error.file.hasSuffix("bad.yaml"))
            #expect(error.path == "sensors[0].quantities.pm25.max")
        }
    }

    @Test func publicFlagAndPersonalKinds() throws {
        let dir = try scratchDirectory("registry-public")
        func entry(_ id: String, kind: String, public flag: String?) -> String {
            "  - {id: \(id), lamppost: L1, kind: \(kind), lat: 52.38, lon: 4.63, quantities: {n: {unit: x, min: 0, max: 9}}\(flag.map { ", public: \($0)" } ?? "")}\n"
        }
        let boundaries = BoundaryCatalog([try DefaultBoundaries.haarlemWijken()])
        try ("sensors:\n" + entry("a", kind: "lucht", public: nil) + entry("b", kind: "lucht", public: "false") + entry("c", kind: "wifi", public: nil))
            .write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let registry = try SensorRegistry.load(directory: dir, boundaries: boundaries)
        #expect(registry.sensors["a"]?.isPublic == true && registry.sensors["b"]?.isPublic == false && registry.sensors["c"]?.isPublic == false)
        // A sensor that observes people individually can never be made public.
        try ("sensors:\n" + entry("d", kind: "anpr", public: "true")).write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        #expect(throws: RegistryError.self) { try SensorRegistry.load(directory: dir, boundaries: boundaries) }
    }

    @Test func codecAndFieldNamesAreReadAndChecked() throws {
        let dir = try scratchDirectory("registry-codec")
        let sensor = """
        sensors:
          - id: pm
            lamppost: L1
            kind: lucht
            lat: 52.38
            lon: 4.63
            codec: CODEC
            quantities:
              pm25: {unit: "µg/m³", min: 0, max: 1000, field: pm2_5_mass_concentration, spike: 100, stuck_after: 20, interval: 150s}
        """
        try sensor.replacingOccurrences(of: "CODEC", with: "ttn-v3/decentlab-dl-pm").write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        let registry = try SensorRegistry.load(directory: dir, boundaries: BoundaryCatalog([try DefaultBoundaries.haarlemWijken()]))
        #expect(registry.sensors["pm"]?.codec == "ttn-v3/decentlab-dl-pm" && registry.sensors["pm"]?.extraFields == .ignore)
        #expect(registry.sensors["pm"]?.quantity(forField: "pm2_5_mass_concentration") == "pm25")
        #expect(registry.sensors["pm"]?.quantity(forField: "pm25") == nil)
        let spec = try #require(registry.sensors["pm"]?.quantities["pm25"])
        #expect(spec.spikeStep == 100 && spec.stuckAfter == 20 && spec.interval == 150_000)
        try sensor.replacingOccurrences(of: "CODEC", with: "ttn-v3/acme").write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        #expect { try SensorRegistry.load(directory: dir, boundaries: BoundaryCatalog([try DefaultBoundaries.haarlemWijken()])) } throws: {
            let e = $0 as? RegistryError
            return e?.path == "sensors[0].codec" && e?.reason.contains("ttn-v3/milesight-ws302") == true
        }
    }

    @Test func decodedPayloadsPreferAndPointers() throws {
        let dir = try scratchDirectory("registry-decoded")
        let boundaries = BoundaryCatalog([try DefaultBoundaries.haarlemWijken()])
        func load(_ extra: String, field: String) throws -> SensorRegistry {
            try """
            sensors:
              - id: pm
                lamppost: L1
                kind: lucht
                lat: 52.38
                lon: 4.63
            \(extra)
                quantities:
                  pm25: {unit: "µg/m³", min: 0, max: 1000, field: "\(field)"}
            """.write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
            return try SensorRegistry.load(directory: dir, boundaries: boundaries)
        }
        // A pointer to a top-level key is that key; a nested one stays a pointer.
        let top = try load("    codec: ttn-v3", field: "/pm2_5")
        #expect(top.sensors["pm"]?.quantity(forField: "pm2_5") == "pm25" && top.sensors["pm"]?.preferDecoded == false)
        let nested = try load("    codec: chirpstack-v4/decentlab-dl-pm\n    prefer: decoded", field: "/pm/2~15")
        #expect(nested.sensors["pm"]?.quantity(forField: "/pm/2~15") == "pm25" && nested.sensors["pm"]?.preferDecoded == true)
        for (extra, field, path, words) in [("    codec: ttn-v3", "/pm~2", "sensors[0].quantities.pm25.field", "JSON Pointer"),
                                            ("    codec: ttn-v3\n    prefer: decoded", "pm", "sensors[0].prefer", "device model"),
                                            ("    codec: ttn-v3/decentlab-dl-pm\n    prefer: object", "pm", "sensors[0].prefer", "'decoded'")] {
            #expect(throws: RegistryError.self) { try load(extra, field: field) }
            do { _ = try load(extra, field: field) } catch let e as RegistryError {
                #expect(e.path == path && e.reason.contains(words), "\(e.path): \(e.reason)")
            }
        }
    }

    @Test func vendorCodecFiles() throws {
        let dir = try scratchDirectory("registry-javascript")
        try FileManager.default.createDirectory(atPath: dir + "/codecs", withIntermediateDirectories: true)
        try "function decodeUplink(input) { return {data: {t: 1}}; }".write(toFile: dir + "/codecs/t.js", atomically: true, encoding: .utf8)
        let boundaries = BoundaryCatalog([try DefaultBoundaries.haarlemWijken()])
        func load(_ codec: String) throws -> SensorRegistry {
            try """
            sensors:
              - id: t
                lamppost: L1
                kind: klimaat
                lat: 52.38
                lon: 4.63
                codec: \(codec)
                quantities:
                  temp: {unit: "°C", min: -40, max: 80, field: t}
            """.write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
            return try SensorRegistry.load(directory: dir, boundaries: boundaries)
        }
        // Relative to the sensor file's folder; the network server format defaults to The Things Stack.
        let ttn = try load("{javascript: codecs/t.js}")
        #expect(ttn.sensors["t"]?.javascript == Sensor.CodecFile(path: dir + "/codecs/t.js", label: "codecs/t.js"))
        #expect(ttn.sensors["t"]?.codec == "ttn-v3" && ttn.codecBySensor["t"] is TTNUplinkCodec)
        let chirp = try load("{javascript: codecs/t.js, network: chirpstack-v4}")
        #expect(chirp.codecBySensor["t"] is ChirpStackUplinkCodec && chirp.codecBySensor["t"]?.batchKey != nil)
        for (codec, path, words) in [("{javascript: codecs/missing.js}", "sensors[0].codec.javascript", "codec file 'codecs/missing.js' is not there"),
                                     ("{javascript: codecs/t.js, network: lorawan}", "sensors[0].codec.network", "use ttn-v3 or chirpstack-v4"),
                                     ("{javascript: codecs/t.js, netwerk: ttn-v3}", "sensors[0].codec.netwerk", "unknown key 'netwerk'"),
                                     ("ttn-v4", "sensors[0].codec", "{javascript: FILE} for a vendor codec, or {json: {…}} for any JSON")] {
            do {
                _ = try load(codec)
                Issue.record("\(codec) was accepted")
            } catch let e as RegistryError {
                #expect(e.path == path && e.reason.contains(words), "\(e.path): \(e.reason)")
            }
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

    /// A LoRaWAN noise sensor: its codec from the registry, payload fields mapped to quantities,
    /// vendor housekeeping ignored, and a unit that does not match quarantined with the reason.
    @Test func codecFieldsAndUnitsComeFromTheRegistry() throws {
        let noise = Sensor(id: "noise", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "v3/hlm@ttn/devices/ws302/up",
                           kind: "geluid", quantities: ["laeq": QuantitySpec(unit: "dB(A)", minimum: 20, maximum: 140, resolution: 0.1, field: "LAeq"),
                                                        "lafmax": QuantitySpec(unit: "dB", minimum: 20, maximum: 140, resolution: 0.1, field: "LAFmax")],
                           codec: "ttn-v3/milesight-ws302")
        let registry = SensorRegistry(sensors: [noise], boundaries: try DefaultBoundaries.haarlemWijken())
        let payload = #"{"end_device_ids":{"device_id":"ws302"},"uplink_message":{"f_port":85,"f_cnt":3,"frm_payload":"AXVkBVsFPwLaAWoC","received_at":"2026-11-22T10:00:00.25Z"}}"#
        let out = ReadingValidator(registry: registry).validate(record("v3/hlm@ttn/devices/ws302/up", payload), source: "mqtt")
        #expect(out.readings.map(\.series.quantity) == ["laeq"])
        #expect(out.readings.first?.value == 47.4 && out.readings.first?.timestamp == 1_795_341_600_250)
        #expect(out.quarantined.count == 1)
        #expect(out.quarantined.first?.reason.contains("lafmax arrives in dB(A) but sensor noise is registered with dB") == true)
        let broken = ReadingValidator(registry: registry).validate(record("v3/hlm@ttn/devices/ws302/up", "{}"), source: "mqtt")
        #expect(broken.quarantined.first?.reason.hasPrefix("ttn-v3/milesight-ws302: field 'uplink_message' is missing") == true)
        #expect(broken.quarantined.first?.payload == Array("{}".utf8))
    }

    @Test func senmlValuesKeepTheirOwnTimes() throws {
        let temp = Sensor(id: "t", lamppost: "L", latitude: 52.38119, longitude: 4.63746, topic: "senml/t", kind: "klimaat",
                          quantities: ["temperature": QuantitySpec(unit: "°C", minimum: -40, maximum: 60, resolution: 0.1, field: "urn:dev:t:temp")],
                          codec: "senml")
        let registry = SensorRegistry(sensors: [temp], boundaries: try DefaultBoundaries.haarlemWijken())
        let pack = #"[{"bn":"urn:dev:t:","bt":1795341000,"n":"temp","u":"Cel","v":21.5},{"n":"temp","t":-60,"v":21.25},{"n":"hum","v":50}]"#
        let out = ReadingValidator(registry: registry).validate(record("senml/t", pack), source: "mqtt")
        #expect(out.readings.map(\.timestamp) == [1_795_341_000_000, 1_795_340_940_000])
        #expect(out.readings.map(\.value) == [21.5, 21.25])
        #expect(out.quarantined.isEmpty)   // 'hum' is not registered; senml sensors ignore extra fields by default
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
            try IngestConsumer(source: "mqtt", logDirectory: dir + "/log", writer: writer, store: store.readings, validator: validator,
                               logger: .init(label: "test"))
        }
        var offset = try store.readings.committedOffset(source: "mqtt")
        #expect(try consumer().step(from: &offset) == IngestConsumer.batchSize)   // then "crash"
        var resumed = try store.readings.committedOffset(source: "mqtt")
        #expect(resumed == offset)
        let second = try consumer()
        while try second.step(from: &resumed) > 0 {}
        #expect(try store.readings.readingCount() == 12_000)
        #expect(resumed == writer.end)
        #expect(second.stats.snapshot.readings == 12_000 - IngestConsumer.batchSize)
    }
}

struct MQTTTopicTests {
    @Test func subscribesToEveryRegisteredTopicOnceAndSharesWhenAsked() throws {
        let registry = try LossAccountingTests.registry()   // one Lantaarn topic, one The Things Stack topic
        #expect(MQTTIngestService.topics(for: registry) == ["lantaarn/sensors/+/readings", LossAccountingTests.ttnTopic])
        #expect(MQTTIngestService.topics(for: registry, sharedGroup: "lantaarn")
                == ["$share/lantaarn/lantaarn/sensors/+/readings", "$share/lantaarn/" + LossAccountingTests.ttnTopic])
    }

    /// Without shared subscriptions, N nodes split the registered sensors' topics by a stable hash
    /// of the sensor id: every topic on exactly one node, the same split in every process.
    @Test func partitionsSplitTheSensorTopicsStably() throws {
        let registry = try LossAccountingTests.registry()
        let all = Set(registry.sensors.values.map(\.topic))
        for n in 1...4 {
            let shares = (0..<n).map { MQTTIngestService.topics(for: registry, partition: IngestPartition("\($0)/\(n)")!) }
            #expect(Set(shares.flatMap { $0 }) == all && shares.map(\.count).reduce(0, +) == all.count, "\(n) nodes: \(shares)")
        }
        // FNV-1a, not Swift's per-process seeded hash: fixed values.
        #expect(FNV1a.hash("") == 0xcbf2_9ce4_8422_2325 && FNV1a.hash("a") == 0xaf63_dc4c_8601_ec8c)
        let ids = (0..<1000).map { "sensor-\($0)" }
        let counts = (0..<4).map { k in ids.filter { IngestPartition("\(k)/4")!.owns($0) }.count }
        #expect(counts.allSatisfy { $0 > 200 && $0 < 300 }, "an even split: \(counts)")
        for bad in ["3/3", "-1/2", "1", "a/b", "0/0", "1/2/3"] { #expect(IngestPartition(bad) == nil, "\(bad)") }
    }
}

/// Readings take the wijk of their own date when several boundary vintages are imported.
struct VintageAssignmentTests {
    static let shared = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../shared/data/boundaries").standardizedFileURL.path

    @Test func eachReadingUsesTheBoundariesOfItsDate() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.shared + "/cbs_wijk_2014_haarlem_GM0392.geojson")))
        let cbs2014 = try BoundaryImporter(level: .wijk, vintage: 2014).read(bytes, source: "cbs 2014").set
        let catalog = BoundaryCatalog([cbs2014, try DefaultBoundaries.haarlemWijken()])
        // Paviljoen Welgelegen: CBS 2014 WK039204, municipal 2020 WK039202.
        let air = Sensor(id: "air", lamppost: "L", latitude: 52.37389, longitude: 4.63389, topic: "lantaarn/sensors/air/readings",
                         kind: "lucht", quantities: ["pm25": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.1)])
        let registry = SensorRegistry(sensors: [air], boundaries: catalog)
        #expect(registry.areasBySensor["air"]?.wijk?.code == "WK039202")
        let validator = ReadingValidator(registry: registry)
        let target = try #require(validator.target(forField: "pm25", of: air))
        let now = ISO8601.parse("2026-11-23T10:00:00Z")!
        for (date, wijk) in [("2019-12-31T23:59:00Z", "WK039204"), ("2020-01-01T00:00:00Z", "WK039202"), ("2026-11-23T09:00:00Z", "WK039202")] {
            guard case .reading(let r) = validator.judge(12, at: ISO8601.parse(date)!, receivedAt: now, target: target) else {
                Issue.record("not stored: \(date)")
                continue
            }
            #expect(r.wijk == WijkCode(wijk), "\(date)")
        }
        // A sensor outside every wijk: no wijk, counted as unknown.
        let far = Sensor(id: "far", lamppost: "L", latitude: 52.0, longitude: 5.0, topic: "t", kind: "lucht",
                         quantities: ["pm25": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.1)])
        #expect(SensorRegistry(sensors: [far], boundaries: catalog).placeBySensor["far"]?.latest == nil)
    }

    /// A sensor that moved: `since:` and `earlier:` in its YAML; each reading takes the wijk of
    /// where the sensor hung at the reading's time. Bad positions are refused with their path.
    @Test func movedSensorsPlaceEachReadingWhereTheSensorHungThen() throws {
        let dir = try scratchDirectory("registry-moved")
        let boundaries = BoundaryCatalog([try DefaultBoundaries.haarlemWijken()])
        // Now at Paviljoen Welgelegen (WK039202); until 2026-06-01 at the Grote Markt (WK039201).
        func write(_ extra: String) throws {
            try """
            sensors:
              - id: moved
                lamppost: L1
                kind: lucht
                lat: 52.37389
                lon: 4.63389
            \(extra)
                quantities:
                  pm25: {unit: "µg/m³", min: 0, max: 500}
            """.write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        }
        try write("    since: 2026-06-01\n    earlier:\n      - {lat: 52.3812, lon: 4.6360, since: 2024-01-01}")
        let registry = try SensorRegistry.load(directory: dir, boundaries: boundaries)
        let sensor = try #require(registry.sensors["moved"])
        #expect(sensor.positions.map(\.since) == [ISO8601.parse("2024-01-01T00:00:00Z")!, ISO8601.parse("2026-06-01T00:00:00Z")!])
        let validator = ReadingValidator(registry: registry)
        let target = try #require(validator.target(forField: "pm25", of: sensor))
        let now = ISO8601.parse("2026-11-23T10:00:00Z")!
        for (date, wijk) in [("2023-06-01T00:00:00Z", "WK039201"), ("2026-05-31T23:59:00Z", "WK039201"), ("2026-06-01T00:00:00Z", "WK039202")] {
            guard case .reading(let r) = validator.judge(12, at: ISO8601.parse(date)!, receivedAt: now, target: target) else {
                Issue.record("not stored: \(date)")
                continue
            }
            #expect(r.wijk == WijkCode(wijk), "\(date)")
        }
        #expect(registry.placeBySensor["moved"]?.latest == WijkCode("WK039202"))

        for (extra, path, reason) in [
            ("    earlier:\n      - {lat: 52.3812, lon: 4.6360, since: 2024-01-01}", "sensors[0].since", "since when"),
            ("    since: 2023-01-01\n    earlier:\n      - {lat: 52.3812, lon: 4.6360, since: 2024-01-01}", "sensors[0].since", "after the last earlier"),
            ("    since: 2026-06-01\n    earlier:\n      - {lat: 52.38, lon: 4.63, since: 2025-01-01}\n      - {lat: 52.38, lon: 4.63, since: 2024-01-01}",
             "sensors[0].earlier[1].since", "oldest first"),
            ("    since: gisteren", "sensors[0].since", "not a date"),
            ("    since: 2026-06-01\n    earlier:\n      - {lat: 152.38, lon: 4.63, since: 2024-01-01}", "sensors[0].earlier[0]", "WGS84"),
        ] {
            try write(extra)
            do {
                _ = try SensorRegistry.load(directory: dir, boundaries: boundaries)
                Issue.record("accepted: \(extra)")
            } catch let e as RegistryError {
                #expect(e.path == path && e.reason.contains(reason), "\(e.path): \(e.reason)")
            }
        }
    }
}

