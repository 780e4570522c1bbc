import Foundation
import TestSupport
import Testing

extension TimingSensitiveTests {
    /// The shipped dashboards (Dashboards/*.yaml) over a generated history (`lantaarn demo`), served
    /// by the real binary and opened in headless Chromium: axe-core WCAG 2.1 A and AA, no resource
    /// from another origin, every interactive element reachable by Tab with a visible focus, and no
    /// horizontal scrolling at 320 px (Tests/Fixtures/dashboards/browser_check.py).
    @Suite(.serialized) struct DashboardBrowserTests {
        static let dashboards = ["luchtkwaliteit", "geluid", "drukte", "meldingen"]

        @Test func shippedDashboardsAreFilledAccessibleAndSameOrigin() async throws {
            let python = try Tool.python()
            _ = (try Tool("chromedriver"), try Tool("chromium"))   // listed and installed, or an error that says how
            let script = TestEnvironment.repoRoot + "/Tests/Fixtures/dashboards/browser_check.py"
            // The checks can fail: a page with known faults is caught.
            let selftest = try await runCommand(python, [script, "selftest"])
            #expect(selftest.status == 0, "the browser checks did not catch a faulty page: \(selftest.output) \(selftest.error)")

            let dir = try TestEnvironment.scratch("dashboards")
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let bin = TestEnvironment.lantaarn
            let repo = TestEnvironment.repoRoot
            let common = ["--data-dir", dir + "/data", "--sensors", repo + "/Sensors", "--pipelines", repo + "/Pipelines",
                          "--dashboards", repo + "/Dashboards"]
            let check = try await runCommand(bin, ["dashboards", "check"] + common)
            #expect(check.status == 0 && check.output.split(separator: "\n").count == Self.dashboards.count, "\(check.output)")
            let demo = try await runCommand(bin, ["demo", "--days", "3", "--weeks", "70"] + common)
            try #require(demo.status == 0, "lantaarn demo failed: \(demo.error)")

            let port = freeLoopbackPort()
            let serve = try ChildProcess(bin, ["serve"] + common + ["--mqtt", "mqtt://127.0.0.1:\(freeLoopbackPort())", "--listen", "127.0.0.1:\(port)"],
                                         stderrFile: dir + "/serve.err")
            defer { serve.stop(signal: SIGKILL) }
            try #require(await waitUntil(timeout: 30) { isListening(port) }, "serve did not start: \(serve.stderrText)")
            let base = "http://127.0.0.1:\(port)"

            let index = try await httpGet(base + "/dashboards")
            #expect(index.status == 200)
            for name in Self.dashboards {
                #expect(index.body.contains("href=\"/dashboards/\(name)\""), "the index does not link \(name)")
                let page = try await httpGet(base + "/dashboards/\(name)")
                #expect(page.status == 200)
                // Every panel has data: none says it has nothing to show.
                #expect(!page.body.contains("class=\"empty\""), "\(name): a panel has no data")
                #expect(page.body.contains("<svg") && page.body.contains("role=\"img\""))
                #expect(page.body.contains("Afzender: Gemeente Haarlem"))
                for link in ["/proclaimer", "/privacy", "/algoritmes"] { #expect(page.body.contains("href=\"\(link)\"")) }
                #expect(page.body.components(separatedBy: "Bijgewerkt op").count - 1 == page.body.components(separatedBy: "<section class=\"panel").count - 1,
                        "\(name): every panel says when it was updated")
                #expect(page.body.contains("/releases/") && page.body.contains(".csv\""), "\(name): a panel lacks its release download")
                #expect(page.body.contains("href=\"/algoritmes#alg-"), "\(name): a panel does not name its pipeline")
            }
            // The meldingen page shows the forecast band and the tiles, and never an early-warning alert.
            let meldingen = try await httpGet(base + "/dashboards/meldingen")
            #expect(meldingen.body.contains("fill-opacity=\"0.18\"") && meldingen.body.contains("ondergrens"))
            #expect(meldingen.body.contains("class=\"tile tile-"))
            for word in ["waarschuwing", "alert", "/intern/", "/admin/"] { #expect(!meldingen.body.lowercased().contains(word)) }
            // Text thresholds, not only colour.
            let air = try await httpGet(base + "/dashboards/luchtkwaliteit")
            #expect(air.body.contains("het WHO-advies voor een daggemiddelde"))

            let result = try await runCommand(python, [script, "check", base, "/dashboards"] + Self.dashboards.map { "/dashboards/\($0)" })
            let records = result.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(records.count == (1 + Self.dashboards.count) * 3, "browser check output: \(result.output) \(result.error)")
            for r in records {
                let place = "\(r["path"] ?? "?") at \(r["width"] ?? "?") px"
                #expect((r["violations"] as? [Any] ?? []).isEmpty, "axe WCAG 2.1 AA violations on \(place): \(r["violations"] ?? "")")
                #expect((r["foreign"] as? [Any] ?? []).isEmpty, "resources from another origin on \(place): \(r["foreign"] ?? "")")
                #expect((r["unreached"] as? [Any] ?? []).isEmpty, "not reachable by Tab on \(place): \(r["unreached"] ?? "")")
                #expect((r["focus_invisible"] as? [Any] ?? []).isEmpty, "focus not visible on \(place): \(r["focus_invisible"] ?? "")")
                #expect((r["overflow_px"] as? Int ?? 0) == 0, "wider than the screen on \(place)")
                if r["width"] as? Int == 1280 { #expect((r["focusable"] as? Int ?? 0) > 5, "\(place): no interactive elements found") }
            }
            #expect(result.status == 0, "\(result.output)")
        }
    }
}
