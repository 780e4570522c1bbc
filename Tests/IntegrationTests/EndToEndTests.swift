import Foundation
import TestSupport
import Testing

/// The walking skeleton end to end: real mosquitto, real `mosquitto_pub`, the real
/// `lantaarn` binary (serve + pipeline run as two processes on one data dir), HTTP download.
@Suite(.serialized)
struct EndToEndTests {
    static let base = "2026-11-20T10:00:00Z"
    static let baseSeconds: Int64 = 1_795_168_800   // 2026-11-20T10:00:00Z

    /// Three sensors in two Haarlem wijken (positions inside WK039201 Oude Stad and WK039203 Zijlwegkwartier).
    static let registry = """
    sensors:
      - id: t-air-a
        lamppost: T-LP-1
        kind: luchtkwaliteit
        lat: 52.38119
        lon: 4.63746
        quantities:
          pm25: {unit: "µg/m³", min: 0, max: 500, resolution: 0.1}
          pm10: {unit: "µg/m³", min: 0, max: 600, resolution: 0.1}
      - id: t-air-b
        lamppost: T-LP-2
        kind: luchtkwaliteit
        lat: 52.38425
        lon: 4.62434
        quantities:
          pm25: {unit: "µg/m³", min: 0, max: 500, resolution: 0.1}
          pm10: {unit: "µg/m³", min: 0, max: 600, resolution: 0.1}
      - id: t-noise-a
        lamppost: T-LP-3
        kind: geluid
        lat: 52.3808
        lon: 4.64008
        quantities:
          laeq: {unit: "dB(A)", min: 20, max: 140, resolution: 0.1}
    """

    // Known values. A: 400 messages every 18 s (ISO ts); B and C: 300 every 24 s (epoch s / ms).
    static func airA(_ i: Int) -> (pm25: Double, pm10: Double) { (5 + Double(i % 10) * 0.5, 12 + Double(i % 7)) }
    static func airB(_ i: Int) -> (pm25: Double, pm10: Double) { (20 + Double(i % 4), 30 + Double(i % 3) * 0.25) }
    static func noiseC(_ i: Int) -> Double { 50 + Double(i % 11) }

    static let malformed = [
        "this is not json",
        #"{"ts":"gisteren","values":{"pm25":1}}"#,
        #"{"values":{"pm25":1}}"#,
        #"{"ts":"2026-11-20T10:30:00Z","values":{"pm25":"hoog"}}"#,
        #"{"ts":"2026-11-20T10:30:00Z","values":{"pm25":1"#,
    ]
    static let outOfRange: [(topic: String, payload: String)] = [
        ("t-air-a", #"{"ts":"2026-11-20T10:31:00Z","values":{"pm25":-5}}"#),
        ("t-air-a", #"{"ts":"2026-11-20T10:32:00Z","values":{"pm25":9999}}"#),
        ("t-air-a", #"{"ts":"2026-11-20T10:33:00Z","values":{"pm10":601}}"#),
        ("t-noise-a", #"{"ts":"2026-11-20T10:34:00Z","values":{"laeq":10}}"#),
        ("t-noise-a", #"{"ts":"2026-11-20T10:35:00Z","values":{"laeq":200}}"#),
    ]

    static func topic(_ sensor: String) -> String { "lantaarn/sensors/\(sensor)/readings" }

    @Test func mqttToPublishedPerWijkDataset() async throws {
        let dir = try TestEnvironment.scratch("e2e")
        let sensors = dir + "/Sensors"
        try FileManager.default.createDirectory(atPath: sensors, withIntermediateDirectories: true)
        try Self.registry.write(toFile: sensors + "/test.yaml", atomically: true, encoding: .utf8)
        let broker = try TestBroker(directory: dir)
        defer { broker.stop() }
        let httpPort = freeLoopbackPort()
        let bin = TestEnvironment.lantaarn
        let common = ["--data-dir", dir + "/data", "--sensors", sensors, "--pipelines", TestEnvironment.repoRoot + "/Pipelines"]
        // serve without pipelines: its cron catch-up would publish empty recent hours (the test's
        // data lies days back) whenever the test runs across minute 5 of an hour, and the
        // dashboard shows the latest 24 published hours. The pipelines run by hand below.
        let noPipelines = dir + "/no-pipelines"
        try FileManager.default.createDirectory(atPath: noPipelines, withIntermediateDirectories: true)
        let serveArgs = ["--data-dir", dir + "/data", "--sensors", sensors, "--pipelines", noPipelines]
        let serve = try ChildProcess(bin, ["serve"] + serveArgs + ["--mqtt", broker.url, "--listen", "127.0.0.1:\(httpPort)"],
                                     stderrFile: dir + "/serve.err")
        defer { serve.stop(signal: SIGKILL) }
        #expect(await waitUntil(timeout: 30) { isListening(httpPort) }, "serve did not start: \(serve.stderrText)")
        // The subscriber must be connected before publishing (a new persistent session has nothing queued yet).
        #expect(await waitUntil(timeout: 15) { serve.stderrText.contains("MQTT connected and subscribed") })

        // 1,000 good messages with the real client, one mosquitto_pub per sensor (-l: one message per line).
        let a = (0..<400).map { i -> String in
            let t = Self.baseSeconds + Int64(i * 18)
            let v = Self.airA(i)
            return #"{"ts":"\#(iso(t))","values":{"pm25":\#(v.pm25),"pm10":\#(v.pm10)}}"#
        }
        let b = (0..<300).map { i -> String in
            let v = Self.airB(i)
            return #"{"ts":\#(Self.baseSeconds + Int64(i * 24)),"values":{"pm25":\#(v.pm25),"pm10":\#(v.pm10)}}"#
        }
        let c = (0..<300).map { i -> String in
            #"{"ts":\#((Self.baseSeconds + Int64(i * 24)) * 1000),"values":{"laeq":\#(Self.noiseC(i))}}"#
        }
        for (sensor, lines) in [("t-air-a", a), ("t-air-b", b), ("t-noise-a", c)] {
            let r = try await runCommand(Tool("mosquitto_pub"),
                                   ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1", "-t", Self.topic(sensor), "-l"],
                                   stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            #expect(r.status == 0, "mosquitto_pub failed: \(r.error)")
        }
        for payload in Self.malformed {
            try await runCommand(Tool("mosquitto_pub"), ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1",
                                                          "-t", Self.topic("t-air-a"), "-m", payload])
        }
        for (sensor, payload) in Self.outOfRange {
            try await runCommand(Tool("mosquitto_pub"), ["-h", "127.0.0.1", "-p", "\(broker.port)", "-q", "1",
                                                          "-t", Self.topic(sensor), "-m", payload])
        }

        // Every message is accounted for: 1,010 received, 1,700 readings stored, 10 quarantined.
        var health: [String: Any] = [:]
        let settled = try await waitAsync(timeout: 30) {
            health = try await ingestHealth(httpPort)
            return (health["messages"] as? Int) == 1010
        }
        #expect(settled, "ingest did not settle: \(health)")
        #expect(health["readings"] as? Int == 400 * 2 + 300 * 2 + 300)
        #expect(health["quarantined"] as? Int == 10)

        // Pipelines run as a second process on the same data dir while serve runs.
        for name in ["luchtkwaliteit-per-wijk-uur", "geluid-per-wijk-uur"] {
            let r = try await runCommand(bin, ["pipeline", "run", name, "--from", Self.base, "--to", "2026-11-20T12:00:00Z"] + common)
            #expect(r.status == 0, "pipeline run \(name) failed: \(r.error)")
            #expect(r.output.contains("2 window(s)"), "\(r.output)")
        }

        // The CSV over HTTP holds the exact per-wijk figures.
        let csv = try await httpGet("http://127.0.0.1:\(httpPort)/datasets/luchtkwaliteit-per-wijk-uur.csv")
        #expect(csv.status == 200)
        let air = parseCSV(csv.body)
        #expect(air.header == ["wijk_code", "wijk_naam", "periode_start", "periode_eind", "grootheid", "aantal", "gemiddelde", "minimum", "maximum"])
        #expect(air.rows.count == 8)   // 2 wijken × 2 hours × 2 quantities
        for hour in 0..<2 {
            let start = iso(Self.baseSeconds + Int64(hour * 3600))
            let aIdx = Array((hour * 200)..<(hour * 200 + 200)), bIdx = Array((hour * 150)..<(hour * 150 + 150))
            expectRow(air, wijk: "WK039201", name: "Oude Stad", start: start, quantity: "pm25", values: aIdx.map { Self.airA($0).pm25 })
            expectRow(air, wijk: "WK039201", name: "Oude Stad", start: start, quantity: "pm10", values: aIdx.map { Self.airA($0).pm10 })
            expectRow(air, wijk: "WK039203", name: "Zijlwegkwartier", start: start, quantity: "pm25", values: bIdx.map { Self.airB($0).pm25 })
            expectRow(air, wijk: "WK039203", name: "Zijlwegkwartier", start: start, quantity: "pm10", values: bIdx.map { Self.airB($0).pm10 })
        }

        // Noise: the energetic mean, not the arithmetic one.
        let noise = parseCSV(try await httpGet("http://127.0.0.1:\(httpPort)/datasets/geluid-per-wijk-uur.csv").body)
        #expect(noise.rows.count == 2)
        for hour in 0..<2 {
            let levels = (hour * 150..<(hour * 150 + 150)).map(Self.noiseC)
            let expected = 10 * log10(levels.map { pow(10, $0 / 10) }.reduce(0, +) / Double(levels.count))
            let row = try #require(noise.rows.first { $0[0] == "WK039201" && $0[2] == iso(Self.baseSeconds + Int64(hour * 3600)) })
            let got = try #require(Double(row[noise.header.firstIndex(of: "energetisch_gemiddelde")!]))
            #expect(abs(got - expected) < 1e-9, "energetic mean \(got) != \(expected)")
            let arithmetic = levels.reduce(0, +) / Double(levels.count)
            #expect(abs(got - arithmetic) > 0.1, "the energetic mean must differ from the arithmetic mean")
            #expect(row[noise.header.firstIndex(of: "aantal")!] == "150")
        }

        // The JSON download is complete and says so.
        let json = try await httpGet("http://127.0.0.1:\(httpPort)/datasets/luchtkwaliteit-per-wijk-uur.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.body.utf8)) as? [String: Any])
        #expect((object["rows"] as? [Any])?.count == 8)
        #expect(object["row_count"] as? Int == 8)
        #expect(object["publisher"] as? String == "Gemeente Haarlem")

        // The dashboard renders with inline SVG and no external asset.
        let page = try await httpGet("http://127.0.0.1:\(httpPort)/dashboards/luchtkwaliteit")
        #expect(page.status == 200)
        #expect(page.body.contains("<svg") && page.body.contains("Oude Stad"))
        for external in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "url(http"] {
            #expect(!page.body.contains(external), "external asset reference '\(external)' on the dashboard")
        }

        // The ten bad messages sit in quarantine, each with a reason.
        let q = try await runCommand(bin, ["quarantine", "list", "--limit", "100"] + common)
        let lines = q.output.split(separator: "\n")
        #expect(lines.count == 10, "\(q.output)")
        #expect(lines.filter { $0.contains("not valid JSON") }.count == 2)
        #expect(lines.filter { $0.contains("field 'ts'") }.count == 2)
        #expect(lines.filter { $0.contains("is not a number") }.count == 1)
        #expect(lines.filter { $0.contains("outside the valid range") }.count == 5)

        // Graceful stop: SIGTERM, exit 0, everything committed.
        kill(serve.pid, SIGTERM)
        serve.process.waitUntilExit()
        #expect(serve.process.terminationStatus == 0)
        #expect(serve.stderrText.contains("log drained"))
    }

    func expectRow(_ csv: CSV, wijk: String, name: String, start: String, quantity: String, values: [Double],
                   sourceLocation: SourceLocation = #_sourceLocation) {
        guard let row = csv.rows.first(where: { $0[0] == wijk && $0[2] == start && $0[4] == quantity }) else {
            Issue.record("no row for \(wijk) \(start) \(quantity)", sourceLocation: sourceLocation)
            return
        }
        let col = { (name: String) in Double(row[csv.header.firstIndex(of: name)!])! }
        #expect(row[1] == name, sourceLocation: sourceLocation)
        #expect(Int(row[csv.header.firstIndex(of: "aantal")!]) == values.count, sourceLocation: sourceLocation)
        #expect(abs(col("gemiddelde") - values.reduce(0, +) / Double(values.count)) < 1e-9, sourceLocation: sourceLocation)
        #expect(col("minimum") == values.min()!, sourceLocation: sourceLocation)
        #expect(col("maximum") == values.max()!, sourceLocation: sourceLocation)
    }
}

struct CSV {
    var header: [String]
    var rows: [[String]]
}

/// Splits the simple CSV our exports produce (no quoted fields in these datasets).
func parseCSV(_ text: String) -> CSV {
    let lines = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        .filter { !$0.isEmpty }
    let rows = lines.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    return CSV(header: rows.first ?? [], rows: Array(rows.dropFirst()))
}

func iso(_ epochSeconds: Int64) -> String {
    let f = ISO8601DateFormatter()
    f.timeZone = TimeZone(identifier: "UTC")
    return f.string(from: Date(timeIntervalSince1970: TimeInterval(epochSeconds)))
}

func ingestHealth(_ port: Int) async throws -> [String: Any] {
    let r = try await httpGet("http://127.0.0.1:\(port)/-/health")
    let object = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
    return object?["ingest"] as? [String: Any] ?? [:]
}

func waitAsync(timeout: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(100))
    }
    return try await condition()
}
