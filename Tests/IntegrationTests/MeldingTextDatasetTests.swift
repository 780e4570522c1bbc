import Foundation
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The internal text extract, end to end through the binary: meldingen loaded with text
/// retention on, the `meldingen-teksten-week` pipeline (scrub, then meldingen_text), and
/// `serve`: the public catalogue lists the dataset with its reason and refuses downloads; the
/// admin API gives staff the scrubbed text; no e-mail, phone number or plate is anywhere.
@Suite(.serialized)
struct MeldingTextDatasetTests {
    @Test func scrubbedTextOnlyThroughTheAdminAPI() async throws {
        let dir = try TestEnvironment.scratch("meldingtext")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let token = String(repeating: "s", count: 40)
        try token.write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        try """
        meldingen: {keep_text: {keep: 1y, basis: "Intern werkbestand"}}
        admin: {token_file: \(dir)/token}
        """.write(toFile: dir + "/lantaarn.yaml", atomically: true, encoding: .utf8)
        var signals: [String] = []
        for i in 0..<30 {
            signals.append(#"""
            {"id":\#(i + 1),"text":"Lamp \#(i) kapot. Mail geheim\#(i)@example.org of bel 06-5\#(String(format: "%07d", i)), auto ZZ-\#(100 + i)-Q",
             "category":{"sub_category":"/signals/v1/public/terms/categories/afval/sub_categories/grofvuil"},
             "location":{"geometrie":{"type":"Point","coordinates":[4.636,52.381]}},
             "created_at":"2026-11-1\#(i % 5)T10:00:00+01:00","source":"online"}
            """#)
        }
        let file = dir + "/signals.json"
        try ("[" + signals.joined(separator: ",\n") + "]").write(toFile: file, atomically: true, encoding: .utf8)
        let common = ["--data-dir", dir + "/data", "--pipelines", TestEnvironment.repoRoot + "/Pipelines",
                      "--sensors", TestEnvironment.repoRoot + "/Sensors", "--config", dir + "/lantaarn.yaml"]
        let bin = TestEnvironment.lantaarn
        let loaded = try await runCommand(bin, ["ingest", file, "--format", "signalen"] + common)
        #expect(loaded.status == 0, "\(loaded.error)")
        try FileManager.default.removeItem(atPath: file)
        let run = try await runCommand(bin, ["pipeline", "run", "meldingen-teksten-week", "--from", "2026-11-09T00:00:00Z", "--to", "2026-11-15T23:00:00Z"] + common)
        #expect(run.status == 0, "\(run.error)")
        // A re-run supersedes the week's release; both still hash to what was recorded.
        #expect(try await runCommand(bin, ["pipeline", "run", "meldingen-teksten-week", "--from", "2026-11-09T00:00:00Z", "--to", "2026-11-15T23:00:00Z"] + common).status == 0)
        let verified = try await runCommand(bin, ["datasets", "verify", "meldingen-teksten-week"] + common)
        #expect(verified.status == 0 && verified.output.contains("2 of 2 releases match their SHA-256"), "\(verified.output) \(verified.error)")

        // Changing a published (superseded) release afterwards is detected.
        let copy = dir + "/tampered"
        try FileManager.default.copyItem(atPath: dir + "/data", toPath: copy)
        let sqlite = try await runCommand(Tool("sqlite3"), [copy + "/lantaarn.sqlite", "UPDATE release_row SET cells = replace(cells, 'Lamp', 'Lantaarn') WHERE seq = 0"])
        #expect(sqlite.status == 0, "\(sqlite.error)")
        let tampered = try await runCommand(bin, ["datasets", "verify", "--data-dir", copy] + common.dropFirst(2))
        #expect(tampered.status == 1 && tampered.output.contains("does NOT match") && tampered.output.contains("1 of 2 releases"), "\(tampered.output)")

        let port = freeLoopbackPort()
        let serve = try ChildProcess(bin, ["serve", "--mqtt", "mqtt://127.0.0.1:\(freeLoopbackPort())", "--listen", "127.0.0.1:\(port)"] + common,
                                     stderrFile: dir + "/serve.err")
        defer { kill(serve.pid, SIGTERM); serve.process.waitUntilExit() }
        #expect(await waitUntil(timeout: 30) { isListening(port) }, "serve did not start: \(serve.stderrText)")
        let base = "http://127.0.0.1:\(port)"
        let catalogue = try await httpGet(base + "/datasets")
        #expect(catalogue.body.contains("\"meldingen-teksten-week\"") && catalogue.body.contains("Woo art. 5.1"), "\(catalogue.body)")
        let refused = try await httpGet(base + "/datasets/meldingen-teksten-week.csv")
        #expect(refused.status == 403 && refused.body.contains("is not public"), "\(refused.body)")

        var request = URLRequest(url: URL(string: base + "/admin/datasets/meldingen-teksten-week.csv")!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.loopback.data(for: request)
        let csv = String(decoding: data, as: UTF8.self)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        let lines = csv.split(separator: "\r\n")
        #expect(lines.first == "wijk_code,wijk_naam,hoofdcategorie,periode_start,periode_eind,omschrijving")
        #expect(lines.count == 31, "one row per melding of the week: \(csv)")
        #expect(csv.contains("Lamp 7 kapot. Mail [e-mail] of bel [telefoon], auto [kenteken]"), "\(csv)")
        for needle in ["example.org", "06-5", "ZZ-", "52.381", "4.636"] {
            #expect(!csv.contains(needle), "'\(needle)' in the extract")
            #expect(!serve.stderrText.contains(needle) && !run.output.contains(needle) && !run.error.contains(needle))
        }
    }
}
