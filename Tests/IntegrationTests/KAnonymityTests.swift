import Foundation
import TestSupport
import Ingest
import LantaarnModel
import Testing

/// Every public release of the example pipelines is k-anonymous (k = 5) over its declared
/// quasi-identifiers, as pycanon (installed in .venv by `make test`) computes it.
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
        #expect(try runCommand(bin, ["ingest", dir + "/m.json", "--format", "signalen"] + common).status == 0)
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
        #expect(try runCommand(bin, ["ingest", "drain"] + common).status == 0)
        // ANPR: 200 trips from the ferry in one hour, 3 in the next (suppressed), loaded through the intake.
        var anpr = "camera,tijd,kenteken\n"
        let ferry = ISO8601.parse("2026-11-20T08:00:00Z")!
        for i in 0..<203 {
            let departure = ferry + (i < 200 ? Int64(i) * 17_000 : 3_600_000 + Int64(i - 200) * 60_000)
            anpr += "veerhaven,\(departure),KX-\(100 + i)-B\nn250-rotonde,\(departure + Int64(12 + i % 9) * 60_000),KX-\(100 + i)-B\n"
        }
        try anpr.write(toFile: dir + "/anpr.csv", atomically: true, encoding: .utf8)
        let intake = try runCommand(bin, ["ingest", dir + "/anpr.csv", "--format", "anpr"] + common)
        #expect(intake.status == 0 && intake.output.contains("406 sightings stored"), "\(intake.output) \(intake.error)")
        for (name, from, to) in [("meldingen-per-wijk-week", "2026-11-09T00:00:00Z", "2026-11-23T00:00:00Z"),
                                 ("luchtkwaliteit-per-wijk-uur", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z"),
                                 ("geluid-per-wijk-uur", "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z"),
                                 ("reistijden-veerhaven-uur", "2026-11-20T08:00:00Z", "2026-11-20T11:00:00Z")] {
            let r = try runCommand(bin, ["pipeline", "run", name, "--from", from, "--to", to] + common)
            #expect(r.status == 0, "\(name): \(r.error)")
        }

        let port = freeLoopbackPort()
        let serve = try ChildProcess(bin, ["serve", "--mqtt", "mqtt://127.0.0.1:\(freeLoopbackPort())", "--listen", "127.0.0.1:\(port)"] + common,
                                     stderrFile: dir + "/serve.err")
        defer { serve.stop(signal: SIGKILL) }
        #expect(waitUntil(timeout: 30) { isListening(port) }, "serve did not start: \(serve.stderrText)")
        let checks = [("meldingen-per-wijk-week", "aantal_meldingen", "wijk_code,hoofdcategorie,periode_start"),
                      ("luchtkwaliteit-per-wijk-uur", "aantal", "wijk_code,periode_start,grootheid"),
                      ("geluid-per-wijk-uur", "aantal", "wijk_code,periode_start,grootheid"),
                      ("reistijden-veerhaven-uur", "ritten", "van,naar,periode_start")]
        for (dataset, count, qi) in checks {
            let csv = try await httpGet("http://127.0.0.1:\(port)/datasets/\(dataset).csv").body
            let file = dir + "/\(dataset).csv"
            try csv.write(toFile: file, atomically: true, encoding: .utf8)
            let r = try runCommand(python, [TestEnvironment.repoRoot + "/Tests/Fixtures/k_anonymity.py", file, count, qi, "5"])
            print("pycanon \(dataset): \(r.output.trimmingCharacters(in: .whitespacesAndNewlines))")
            #expect(r.status == 0, "\(dataset) is not 5-anonymous: \(r.output) \(r.error)")
        }
        // The small groups were there, and were suppressed rather than published.
        let weekly = try await httpGet("http://127.0.0.1:\(port)/datasets/meldingen-per-wijk-week.csv").body
        #expect(weekly.contains(",ja\r\n") || weekly.contains(",ja\n"), "some counts were suppressed")
        let trips = try await httpGet("http://127.0.0.1:\(port)/datasets/reistijden-veerhaven-uur.csv").body
        #expect(trips.contains("200") && (trips.contains(",ja\r\n") || trips.contains(",ja\n")), "the hour of 3 trips is suppressed: \(trips)")
    }
}
