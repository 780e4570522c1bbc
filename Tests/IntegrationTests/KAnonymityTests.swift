import Foundation
import TestSupport
import Ingest
import LantaarnModel
import Testing

/// Every count column of every public release of the example pipelines is k-anonymous (k = 5)
/// over its row's keys and time, as pycanon (installed in .venv by `make test`) computes it;
/// counts of sensor readings are skipped, as their metadata marks them.
@Suite(.serialized)
struct KAnonymityTests {
    @Test func publishedReleasesAreFiveAnonymous() async throws {
        let python = try Tool.python()
        let dir = try TestEnvironment.scratch("kanon")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--data-dir", dir + "/data", "--pipelines", TestEnvironment.repoRoot + "/Pipelines",
                      "--sensors", TestEnvironment.repoRoot + "/Sensors"]
        let bin = TestEnvironment.lantaarn

        // Meldingen: 400 over two weeks in Haarlem, skewed so that many groups are small.
        var rng = SplitMix64(seed: 9)
        let slugs = ["grofvuil", "grofvuil", "grofvuil", "straatverlichting-openbare-klok", "boom", "ratten", "hondenpoep"]
        let signals = (0..<400).map { i -> String in
            let slug = slugs[Int(rng.next() % UInt64(slugs.count))]
            let lat = 52.36 + Double(rng.next() % 60) * 0.001, lon = 4.61 + Double(rng.next() % 60) * 0.001
            return #"{"id":\#(i + 1),"category":{"sub_category":"/x/\#(slug)"},"location":{"geometrie":{"type":"Point","coordinates":[\#(lon),\#(lat)]}},"created_at":"2026-11-\#(String(format: "%02d", 9 + Int(rng.next() % 14)))T10:00:00+01:00"}"#
        }
        try ("[" + signals.joined(separator: ",") + "]").write(toFile: dir + "/m.json", atomically: true, encoding: .utf8)
        #expect(try await runCommand(bin, ["ingest", dir + "/m.json", "--format", "signalen"] + common).status == 0)
        // Readings: the demo sensors, an hour of one a minute.
        do {
            let writer = try IngestLogWriter(directory: dir + "/data/ingest-log/mqtt")
            let start = ISO8601.parse("2026-11-20T10:00:00Z")! / 1000
            for sensor in ["hlm-lp0001-lucht", "hlm-lp0112-lucht"] {
                for m in 0..<60 {
                    try writer.append(origin: "lantaarn/sensors/\(sensor)/readings",
                                      payload: Array(#"{"ts":\#(start + Int64(m) * 60),"values":{"pm25":\#(5 + m % 7),"pm10":\#(10 + m % 5)}}"#.utf8),
                                      receivedAt: Clock.nowMilliseconds())
                    try writer.append(origin: "lantaarn/sensors/hlm-lp0102-geluid/readings",
                                      payload: Array(#"{"ts":\#(start + Int64(m) * 60),"values":{"laeq":\#(50 + m % 9)}}"#.utf8),
                                      receivedAt: Clock.nowMilliseconds())
                }
            }
        }
        #expect(try await runCommand(bin, ["ingest", "drain"] + common).status == 0)
        // ANPR: 200 trips from the ferry in one hour, 3 in the next (suppressed), loaded through the intake.
        var anpr = "camera,tijd,kenteken\n"
        let ferry = ISO8601.parse("2026-11-20T08:00:00Z")!
        for i in 0..<203 {
            let departure = ferry + (i < 200 ? Int64(i) * 17_000 : 3_600_000 + Int64(i - 200) * 60_000)
            anpr += "veerhaven,\(departure),KX-\(100 + i)-B\nn250-rotonde,\(departure + Int64(12 + i % 9) * 60_000),KX-\(100 + i)-B\n"
        }
        try anpr.write(toFile: dir + "/anpr.csv", atomically: true, encoding: .utf8)
        let intake = try await runCommand(bin, ["ingest", dir + "/anpr.csv", "--format", "anpr"] + common)
        #expect(intake.status == 0 && intake.output.contains("406 sightings stored"), "\(intake.output) \(intake.error)")
        for (name, from, to) in [("meldingen-per-wijk-week", "2026-11-09T00:00:00Z", "2026-11-23T00:00:00Z"),
                                 ("meldingen-tegels-week", "2026-11-09T00:00:00Z", "2026-11-23T00:00:00Z"),
                                 ("luchtkwaliteit-per-wijk-uur", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z"),
                                 ("geluid-per-wijk-uur", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z"),
                                 ("reistijden-veerhaven-uur", "2026-11-20T08:00:00Z", "2026-11-20T11:00:00Z")] {
            let r = try await runCommand(bin, ["pipeline", "run", name, "--from", from, "--to", to] + common)
            #expect(r.status == 0, "\(name): \(r.error)")
        }

        let port = freeLoopbackPort()
        let serve = try ChildProcess(bin, ["serve", "--mqtt", "mqtt://127.0.0.1:\(freeLoopbackPort())", "--listen", "127.0.0.1:\(port)"] + common,
                                     stderrFile: dir + "/serve.err")
        defer { serve.stop(signal: SIGKILL) }
        #expect(await waitUntil(timeout: 30) { isListening(port) }, "serve did not start: \(serve.stderrText)")
        // Every count column of every public dataset, as its metadata declares them (disclosure):
        // counts of people or their reports must be 5-anonymous over the row's keys and time;
        // counts of sensor readings are marked so, and skipped with that reason.
        let catalogue = try JSONSerialization.jsonObject(with: Data(try await httpGet("http://127.0.0.1:\(port)/datasets.json").body.utf8)) as? [String: Any]
        let datasets = catalogue?["datasets"] as? [[String: Any]] ?? []
        var checked: [String] = [], skipped: [String] = []
        for dataset in datasets where dataset["public"] as? Bool == true {
            let name = dataset["name"] as? String ?? ""
            guard let disclosure = dataset["disclosure"] as? [String: Any], let counts = disclosure["counts"] as? [[String: String]],
                  let keys = disclosure["keys"] as? [String: String] else {
                #expect(!((dataset["columns"] as? [[String: Any]]) ?? []).contains { $0["type"] as? String == "integer" },
                        "\(name) publishes integers but declares no counts")
                continue
            }
            let csv = try await httpGet("http://127.0.0.1:\(port)/datasets/\(name).csv").body
            let file = dir + "/\(name).csv"
            try csv.write(toFile: file, atomically: true, encoding: .utf8)
            for count in counts {
                let column = count["column"] ?? ""
                guard count["of"] != "metingen" else {
                    print("pycanon \(name).\(column): skipped, it counts sensor readings, not people or reports")
                    skipped.append("\(name).\(column)")
                    continue
                }
                let qi = (keys.keys.sorted() + [count["time"] ?? "periode_start"]).joined(separator: ",")
                let r = try await runCommand(python, [TestEnvironment.repoRoot + "/Tests/Fixtures/k_anonymity.py", file, column, qi, "5"])
                print("pycanon \(name).\(column): \(r.output.trimmingCharacters(in: .whitespacesAndNewlines))")
                // A column whose every cell is held back publishes nobody (k=0 records=0).
                #expect(r.status == 0 || r.output.hasPrefix("k=0 records=0"), "\(name).\(column) is not 5-anonymous: \(r.output) \(r.error)")
                checked.append("\(name).\(column)")
            }
        }
        #expect(Set(checked).isSuperset(of: ["meldingen-per-wijk-week.aantal_meldingen", "meldingen-per-wijk-week.open_einde_week",
                                              "meldingen-per-wijk-week.afgehandeld", "meldingen-tegels-week.open_groen",
                                              "meldingen-tegels-week.open_oranje", "meldingen-tegels-week.open_rood",
                                              "reistijden-veerhaven-uur.ritten"]), "\(checked)")
        #expect(skipped.contains("luchtkwaliteit-per-wijk-uur.aantal") && skipped.contains("geluid-per-wijk-uur.aantal"), "\(skipped)")
        // The small groups were there, and were suppressed rather than published.
        let weekly = try await httpGet("http://127.0.0.1:\(port)/datasets/meldingen-per-wijk-week.csv").body
        #expect(weekly.contains(",ja\r\n") || weekly.contains(",ja\n"), "some counts were suppressed")
        let trips = try await httpGet("http://127.0.0.1:\(port)/datasets/reistijden-veerhaven-uur.csv").body
        #expect(trips.contains("200") && (trips.contains(",ja\r\n") || trips.contains(",ja\n")), "the hour of 3 trips is suppressed: \(trips)")
    }
}
