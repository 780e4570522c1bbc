import Foundation
import TestSupport
import LantaarnModel
@testable import Server
import Store
import Testing

/// SensorThings v1.1 (read-only subset) through the real frost-sta-client (PyPI, in .venv) and by hand.
struct SensorThingsTests {
    let http = HTTPServerTests()

    static let sensors: [Sensor] = [
        Sensor(id: "hlm-lp0101-lucht", lamppost: "HLM-LP-0101", latitude: 52.38119, longitude: 4.63746, topic: "t1", kind: "luchtkwaliteit",
               quantities: ["pm25": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 500, resolution: 0.1),
                            "pm10": QuantitySpec(unit: "µg/m³", minimum: 0, maximum: 600, resolution: 0.1)]),
        Sensor(id: "hlm-lp0102-geluid", lamppost: "HLM-LP-0102", latitude: 52.3808, longitude: 4.64008, topic: "t2", kind: "geluid",
               quantities: ["laeq": QuantitySpec(unit: "dB(A)", minimum: 20, maximum: 140, resolution: 0.1)]),
        Sensor(id: "hlm-lp0103-mensen", lamppost: "HLM-LP-0103", latitude: 52.38226, longitude: 4.63916, topic: "t3", kind: "personentelling",
               quantities: ["people": QuantitySpec(unit: "personen", minimum: 0, maximum: 1000, resolution: 1)]),
        // Not public: never served, not even its lamppost.
        Sensor(id: "hlm-lp0199-wifi", lamppost: "HLM-LP-0199", latitude: 52.38, longitude: 4.64, topic: "t9", kind: "wifi",
               quantities: ["devices": QuantitySpec(unit: "apparaten", minimum: 0, maximum: 1000, resolution: 1)], isPublic: false),
    ]

    /// Readings every 5 minutes for two days, sealed, plus open ones; the non-public sensor too.
    static func fill(_ store: SQLiteStore) throws -> [String: Int] {
        let base: Int64 = 1_763_596_800_000
        var readings: [Reading] = []
        var counts: [String: Int] = [:]
        for s in sensors {
            for (q, _) in s.quantities {
                let n = s.id.hasSuffix("geluid") ? 30 : 2 * 288
                for i in 0..<n {
                    readings.append(Reading(series: SeriesKey(sensorID: s.id, quantity: q), timestamp: base + Int64(i) * 300_000,
                                            value: Double(i % 40) + 0.5, wijk: WijkCode("WK039201")))
                }
                if s.isPublic { counts["\(s.id):\(q)"] = n }
            }
        }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "test", offset: 1))
        try store.readings.sealExpired(now: base + 2 * 86_400_000 - 3 * 3_600_000)
        return counts
    }

    @Test func frostClientPagesThingsDatastreamsObservations() async throws {
        let python = try Tool.python()
        try await http.withServer({ $0.sensors = Self.sensors; $0.rateLimiter = nil }) { base, store in
            let counts = try Self.fill(store)
            let expected = "{" + counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
            let result = try await runOffPool(python, [CKANTests.repo + "/Tests/Fixtures/sta/frost_client.py", base + "/sta/v1.1", expected],
                                              mergingErrors: true)
            let output = String(decoding: result.output, as: UTF8.self)
            #expect(result.status == 0 && output.contains("frost-sta-client ok: 3 things, 4 datastreams"), "\(output.suffix(4000))")
        }
    }

    @Test func queryOptionsAndPrivacy() async throws {
        try await http.withServer({ $0.sensors = Self.sensors; $0.observations = nil }) { base, _ in
            let (code, _, _) = try await http.get(base + "/sta/v1.1/Things")
            #expect(code == 404)
        }
        try await http.withServer({ $0.sensors = Self.sensors }) { base, store in
            _ = try Self.fill(store)
            let sta = base + "/sta/v1.1"
            func get(_ path: String) async throws -> (Int, JSONValue) {
                let (code, body, _) = try await http.get(sta + path)
                return (code, try JSONParser.parse(body))
            }
            let root = try await get("")
            #expect(root.1["value"]?.arrayValue?.count == 6)
            // The non-public sensor appears nowhere.
            let things = try await get("/Things?$count=true&$expand=Datastreams,Locations")
            #expect(things.1["@iot.count"]?.numberValue == 3)
            let body = try await http.get(sta + "/Datastreams?$top=1000").1 + (try await http.get(sta + "/Locations").1) + (try await http.get(sta + "/Sensors").1)
            #expect(!body.contains("wifi") && !body.contains("HLM-LP-0199"))
            #expect(try await get("/Datastreams('hlm-lp0199-wifi:devices')/Observations").0 == 404)
            #expect(try await get("/Things('HLM-LP-0199')").0 == 404)
            let thing = things.1["value"]?.arrayValue?.first
            #expect(thing?["Datastreams"]?.arrayValue?.count == 2 && thing?["Locations"]?.arrayValue?.first?["location"]?["type"]?.stringValue == "Point")

            // Observations: filters on time and result, order, count, nextLink, one by id.
            let path = "/Datastreams('hlm-lp0101-lucht:pm25')/Observations"
            let filtered = try await get(path + "?$filter=phenomenonTime%20ge%202025-11-21T00:00:00Z%20and%20result%20lt%205&$count=true&$orderby=phenomenonTime%20desc&$top=10")
            let values = filtered.1["value"]?.arrayValue ?? []
            #expect(filtered.0 == 200 && values.count == 10 && filtered.1["@iot.count"]?.numberValue == Double((288..<576).filter { $0 % 40 < 5 }.count))
            #expect(values.allSatisfy { ($0["result"]?.numberValue ?? 99) < 5 && ($0["phenomenonTime"]?.stringValue ?? "") >= "2025-11-21" })
            let times = values.compactMap { $0["phenomenonTime"]?.stringValue }
            #expect(times == times.sorted(by: >))
            #expect(filtered.1["@iot.nextLink"]?.stringValue?.contains("$skiptoken=") == true)
            let id = try #require(values.first?["@iot.id"]?.stringValue)
            let one = try await get("/Observations('\(id)')")
            #expect(one.0 == 200 && one.1["@iot.id"]?.stringValue == id)
            #expect(try await get("/Observations('\(id)')/Datastream").1["@iot.id"]?.stringValue == "hlm-lp0101-lucht:pm25")
            let skipped = try await get(path + "?$skip=570&$top=100")
            #expect(skipped.1["value"]?.arrayValue?.count == 6 && skipped.1["@iot.nextLink"] == nil)
            let all = try await get("/Observations?$count=true&$top=1")
            #expect(all.1["@iot.count"]?.numberValue == Double(3 * 576 + 30))
            // Entity filters and ordering from the registry.
            let named = try await get("/Sensors?$filter=name%20eq%20'hlm-lp0102-geluid'")
            #expect(named.1["value"]?.arrayValue?.count == 1)
            let ordered = try await get("/ObservedProperties?$orderby=name%20desc&$select=name")
            #expect(ordered.1["value"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["pm25", "pm10", "people", "laeq"])

            // Mistakes: 4xx with the envelope, never 500.
            for bad in ["/Things?$top=5000", "/Things?$skip=9223372036854775807", "/Things?$skip=-1", "/Things?$filter=name%20eq", "/Things?$filter=(name%20eq%20'x'", "/Things?$orderby=name%20sideways",
                        "/Things?$expand=Nope", "/Things?$expand=Datastreams($top=1)", "/Things?$bogus=1", path + "?$filter=result%20ne%201",
                        path + "?$skiptoken=9.9", path + "?$skiptoken=0.9223372036854775807.0&$orderby=phenomenonTime%20desc", "/Observations?$orderby=phenomenonTime", "/Things(x)", "/Nope", "/Observations('nope')",
                        "/Things?$filter=" + String(repeating: "(", count: 40) + "name%20eq%20'x'" + String(repeating: ")", count: 40)] {
                let (code, text, _) = try await http.get(sta + bad)
                #expect((400...404).contains(code) && text.contains("\"ok\":false"), "\(bad): \(code) \(text)")
            }
        }
    }
}
