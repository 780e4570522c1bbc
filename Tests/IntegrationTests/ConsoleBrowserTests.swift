import Foundation
import TestSupport
import Testing

extension TimingSensitiveTests {
    /// The staff console served by the real binary, signed in with the keyboard in headless
    /// Chromium: every page passes axe-core 4.x (WCAG 2.1 A and AA) at 1280 and 375 px with every
    /// `<details>` closed and open, loads nothing from another origin, every control is reachable
    /// by Tab with a visible focus; then a change proposed on the command line is approved with the
    /// keyboard only (Tests/Fixtures/dashboards/browser_check.py, mode `console`).
    @Suite(.serialized) struct ConsoleBrowserTests {
        @Test func consolePagesAreAccessibleAndAChangeIsApprovedByKeyboard() async throws {
            let python = try Tool.python()
            _ = (try Tool("chromedriver"), try Tool("chromium"))
            let script = TestEnvironment.repoRoot + "/Tests/Fixtures/dashboards/browser_check.py"
            let dir = try TestEnvironment.scratch("console-browser")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let bin = TestEnvironment.lantaarn
            let repo = TestEnvironment.repoRoot
            // A copy of Pipelines/, so a file can change under four-eyes.
            try FileManager.default.copyItem(atPath: repo + "/Pipelines", toPath: dir + "/Pipelines")
            let common = ["--data-dir", dir + "/data", "--sensors", repo + "/Sensors", "--pipelines", dir + "/Pipelines",
                          "--dashboards", repo + "/Dashboards"]
            // Something on every page: a pipeline run, quarantine, a hold, a pending change with a diff and a preview.
            let readings = dir + "/metingen.ndjson"
            try ([#"{"sensor":"hlm-lp0101-lucht","ts":"2026-11-20T10:00:00Z","values":{"pm25":7.5}}"#,
                  #"{"sensor":"onbekend-1","ts":"2026-11-20T10:00:00Z","values":{"pm25":7.5}}"#].joined(separator: "\n"))
                .write(toFile: readings, atomically: true, encoding: .utf8)
            #expect(try await runCommand(bin, ["ingest", readings] + common).status == 0)
            #expect(try await runCommand(bin, ["pipeline", "run", "luchtkwaliteit-per-wijk-uur", "--from", "2026-11-20T10:00:00Z",
                                         "--to", "2026-11-20T11:00:00Z"] + common).status == 0)
            func account(_ name: String, _ roles: String) async throws -> String {
                let added = try await runCommand(bin, ["staff", "add", name, "--roles", roles] + common)
                let token = try #require(added.output.split(separator: "\n").first { $0.hasPrefix("lnt_") }.map(String.init))
                let file = dir + "/\(name).token"
                try token.write(toFile: file, atomically: true, encoding: .utf8)
                return file
            }
            let ann = try await account("ann", "datateam"), bob = try await account("bob", "approver,archivist,privacy,admin,datateam")
            #expect(try await runCommand(bin, ["hold", "add", "--sensor", "hlm-lp0101-lucht", "--from", "2026-01-01T00:00:00Z",
                                         "--to", "2026-02-01T00:00:00Z", "--reason", "schadeclaim 4"] + common).status == 0)
            // The pipelines ran before the first account, so they stay in force; a changed file is proposed.
            let geluid = dir + "/Pipelines/geluid-per-wijk-uur.yaml"
            let text = try String(contentsOfFile: geluid, encoding: .utf8)
            try #require(text.contains("version: \"1.0.0\""))
            try text.replacingOccurrences(of: "version: \"1.0.0\"", with: "version: \"1.1.0\"").write(toFile: geluid, atomically: true, encoding: .utf8)
            let proposed = try await runCommand(bin, ["pipeline", "propose", "geluid-per-wijk-uur", "--note", "nieuwe versie onder vier ogen",
                                                "--token-file", ann] + common)
            try #require(proposed.status == 0 && proposed.output.contains("change #1 proposed"), "\(proposed.output) \(proposed.error)")

            let port = freeLoopbackPort()
            let serve = try ChildProcess(bin, ["serve"] + common + ["--mqtt", "mqtt://127.0.0.1:\(freeLoopbackPort())", "--listen", "127.0.0.1:\(port)"],
                                         stderrFile: dir + "/serve.err")
            defer { serve.stop(signal: SIGKILL) }
            try #require(await waitUntil(timeout: 30) { isListening(port) }, "serve did not start: \(serve.stderrText)")
            let pages = ["/beheer", "/beheer/wijzigingen", "/beheer/wijzigingen/1", "/beheer/pijplijnen", "/beheer/quarantaine",
                         "/beheer/sensoren", "/beheer/bewaarplicht", "/beheer/audit", "/beheer/audit?actie=approval."]
            let result = try await runCommand(python, [script, "console", "http://127.0.0.1:\(port)", bob, "1"] + pages)
            #expect(result.status == 0, "\(result.output) \(result.error.suffix(2000))")
            #expect(result.output.contains(#"{"keyboard_approval": "Goedgekeurd"}"#), "\(result.output)")
            let audit = try await runCommand(bin, ["audit", "list", "--action", "approval.approve"] + common)
            #expect(audit.output.contains("\tbob\tapproval.approve\tchange 1 pipeline geluid-per-wijk-uur\tok"), "\(audit.output)")
        }
    }
}
