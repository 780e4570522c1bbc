import Foundation
import TestSupport
import Testing

/// PII canaries: 1,000 Signalen meldingen whose text, reporter fields and address carry
/// known fake e-mail addresses, phone numbers, number plates, IBANs, names and addresses.
/// After `lantaarn ingest` and a `serve` answering its public and status endpoints, no
/// canary appears in any file of the data directory, in the commands' output or logs, or in
/// any HTTP response.
@Suite(.serialized)
struct MeldingPrivacyTests {
    static func canaries(_ i: Int) -> [String] {
        ["kanarie\(i)@example.org", "06-9\(String(format: "%07d", i))", "QX-\(100 + i % 900)-Z",
         "NL\(10 + i % 89)CANA\(String(format: "%010d", i))", "Kanarie\(i) Vogelzang", "Kanariestraat \(i + 1)",
         "9\(String(format: "%03d", i % 1000)) QQ"]
    }

    @Test func noCanaryAnywhere() async throws {
        let dir = try TestEnvironment.scratch("canary")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var signals: [String] = []
        for i in 0..<1000 {
            let c = Self.canaries(i)
            let lat = 52.37 + Double(i % 20) * 0.001, lon = 4.63 + Double(i % 13) * 0.001
            signals.append(#"""
            {"id":\#(i + 1),"text":"Afval bij \#(c[5]), \#(c[6]). Auto \#(c[2]) staat er ook. Mail \#(c[0]) of bel \#(c[1]). Groet, \#(c[4])",
             "text_extra":"Terugbetalen op \#(c[3])","category":{"sub_category":"/signals/v1/public/terms/categories/afval/sub_categories/grofvuil"},
             "location":{"geometrie":{"type":"Point","coordinates":[\#(lon),\#(lat)]},"address":{"openbare_ruimte":"Kanariestraat","huisnummer":\#(i + 1),"postcode":"\#(c[6].replacingOccurrences(of: " ", with: ""))","woonplaats":"Haarlem"}},
             "reporter":{"email":"\#(c[0])","phone":"\#(c[1])","name":"\#(c[4])"},
             "status":{"state":"m","text":"Melder \#(c[4]) gebeld op \#(c[1])"},
             "created_at":"2026-11-\#(String(format: "%02d", 1 + i % 20))T10:00:00+01:00","source":"online"}
            """#)
        }
        let file = dir + "/canary-signals.json"
        try ("[" + signals.joined(separator: ",\n") + "]").write(toFile: file, atomically: true, encoding: .utf8)
        let common = ["--data-dir", dir + "/data", "--pipelines", TestEnvironment.repoRoot + "/Pipelines",
                      "--sensors", TestEnvironment.repoRoot + "/Sensors", "--log-level", "debug"]
        let bin = TestEnvironment.lantaarn
        let loaded = try await runCommand(bin, ["ingest", file, "--format", "signalen"] + common)
        #expect(loaded.status == 0, "\(loaded.error)")
        #expect(loaded.output.contains("1000 meldingen (1000 new, 0 updated)"), "\(loaded.output)")
        #expect(loaded.output.contains("left out (personal data): 1000 adres, 1000 e-mail, 1000 naam, 1000 telefoon"), "\(loaded.output)")
        #expect(loaded.output.contains("outside every wijk or without a position: 0"))
        try FileManager.default.removeItem(atPath: file)   // the only place the canaries may be
        // The meldingen pipelines publish what they make of them.
        for name in ["meldingen-per-wijk-week", "meldingen-tegels-week", "meldingen-prognose-week", "meldingen-teksten-week"] {
            let r = try await runCommand(bin, ["pipeline", "run", name, "--from", "2026-11-01T00:00:00Z", "--to", "2026-11-22T00:00:00Z"] + common)
            #expect(r.status == 0, "\(name): \(r.error)")
        }

        // Everything the server shows, from the public pages to the status endpoints.
        let port = freeLoopbackPort()
        let serve = try ChildProcess(bin, ["serve", "--mqtt", "mqtt://127.0.0.1:\(freeLoopbackPort())", "--listen", "127.0.0.1:\(port)"] + common,
                                     stderrFile: dir + "/serve.err")
        #expect(await waitUntil(timeout: 30) { isListening(port) }, "serve did not start: \(serve.stderrText)")
        var bodies: [String] = []
        for path in ["/", "/datasets", "/-/health", "/-/ingest", "/-/metrics", "/geo", "/geo/wijk/2020.geojson",
                     "/dashboards/luchtkwaliteit", "/dashboards/meldingen", "/datasets/luchtkwaliteit-per-wijk-uur.csv", "/datasets/meldingen-per-wijk-week.csv",
                     "/datasets/meldingen-per-wijk-week.json", "/datasets/meldingen-tegels-week.json", "/datasets/meldingen-prognose-week.csv",
                     "/datasets/meldingen-teksten-week.csv", "/datasets/meldingen-per-wijk-week/releases",
                     "/nope"] {
            bodies.append(try await httpGet("http://127.0.0.1:\(port)\(path)").body)
        }
        kill(serve.pid, SIGTERM)
        serve.process.waitUntilExit()

        // Every byte Lantaarn wrote or said.
        var haystacks: [(String, [UInt8])] = [("ingest stdout", Array(loaded.output.utf8)), ("ingest stderr", Array(loaded.error.utf8)),
                                              ("serve log", Array(serve.stderrText.utf8))]
        haystacks += bodies.enumerated().map { ("HTTP response \($0.offset)", Array($0.element.utf8)) }
        let files = FileManager.default.enumerator(atPath: dir)!.compactMap { $0 as? String }
        #expect(files.contains("data/lantaarn.sqlite"))
        for name in files {
            if let data = FileManager.default.contents(atPath: dir + "/" + name) { haystacks.append((name, [UInt8](data))) }
        }
        // Positive control: the search does see what was stored (the category, the wijk).
        let database = try #require(haystacks.first { $0.0 == "data/lantaarn.sqlite" }?.1)
        #expect(contains(database, Array("grofvuil".utf8)) && contains(database, Array("WK0392".utf8)))
        #expect(bodies.contains { $0.contains("WK0392") && $0.contains("Afval") }, "the weekly counts are published")
        var needles = Set(["Kanarie", "kanarie", "Vogelzang", "example.org", "CANA0", "QX-"])
        for i in stride(from: 0, to: 1000, by: 37) { needles.formUnion(Self.canaries(i)) }
        for (where_, bytes) in haystacks {
            for needle in needles where contains(bytes, Array(needle.utf8)) {
                Issue.record("canary '\(needle)' found in \(where_)")
            }
        }
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= haystack.count, let first = needle.first else { return false }
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
