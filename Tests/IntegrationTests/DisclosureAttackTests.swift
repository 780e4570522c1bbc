import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import Testing

/// An attacker who holds every published number (issue 27): after `lantaarn demo` (26 weekly
/// meldingen releases and their tiles over 12 weeks of meldingen, 2 days of readings, to keep
/// `make test` short; `make bench-pipelines` runs the same attack after the full demo), an
/// independent Python attack
/// (Tests/Fixtures/disclosure/attack.py, scipy's HiGHS, not Lantaarn's GLPK) downloads every
/// public dataset, adds every relation the datasets declare plus the meldingen identity
/// open(t) = open(t−1) + new(t) − closed(t), and computes each held-back count's feasible
/// interval. None may be narrower than the protection width (5), and `lantaarn datasets audit`
/// must agree with it on every cell.
@Suite(.serialized)
struct DisclosureAttackTests {
    @Test func anAttackerWithEveryPublishedNumberPinsNoHeldBackCountDown() async throws {
        let python = try Tool.python()
        let bin = TestEnvironment.lantaarn
        let dir = try TestEnvironment.scratch("sdc")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let repo = TestEnvironment.repoRoot
        let common = ["--data-dir", dir + "/data", "--sensors", repo + "/Sensors", "--pipelines", repo + "/Pipelines"]
        let demo = try await runOffPool(bin, ["demo", "--until", "2026-12-01T00:00:00Z", "--weeks", "12", "--days", "2"] + common, mergingErrors: true)
        try #require(demo.status == 0, "lantaarn demo failed: \(String(decoding: demo.output, as: UTF8.self).suffix(2000))")

        let audit = try await runOffPool(bin, ["datasets", "audit", "--cells", dir + "/audit.json"] + common)
        let report = String(decoding: audit.output, as: UTF8.self)
        #expect(audit.status == 0, "\(report)")
        #expect(report.contains("meldingen-per-wijk-week: ") && report.contains(", 0 exposed") && !report.contains("EXPOSED"), "\(report)")
        #expect(report.contains("drukte-per-wijk-uur: counts of readings (aantal), not of people: not protected"), "\(report)")

        // The public surface only: a server that runs no pipelines.
        try FileManager.default.createDirectory(atPath: dir + "/none", withIntermediateDirectories: true)
        let port = freeLoopbackPort()
        let serve = try ChildProcess(bin, ["serve", "--data-dir", dir + "/data", "--sensors", repo + "/Sensors", "--pipelines", dir + "/none",
                                           "--mqtt", "mqtt://127.0.0.1:\(freeLoopbackPort())", "--listen", "127.0.0.1:\(port)"],
                                     stderrFile: dir + "/serve.err")
        defer { serve.stop(signal: SIGKILL) }
        try #require(await waitUntil(timeout: 60) { isListening(port) }, "serve did not start: \(serve.stderrText)")
        // The audit's report, in Dutch, on the public catalogue page.
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/datasets")!)
        request.setValue("text/html", forHTTPHeaderField: "Accept")
        let page = String(decoding: try await URLSession.loopback.data(for: request).0, as: UTF8.self)
        #expect(page.contains("<dt>Privacy</dt><dd>Van de ") && page.contains("aantallen laten we er")
                && page.contains("niet preciezer bepalen dan tussen twee getallen die 5 of meer uit elkaar liggen") && page.contains("Gecontroleerd op"),
                "\(page.prefix(3000))")
        #expect(page.contains("De aantallen tellen metingen van sensoren, geen mensen."))
        let attack = try await runOffPool(python, [repo + "/Tests/Fixtures/disclosure/attack.py", "http://127.0.0.1:\(port)",
                                                   "--cells", dir + "/attack.json"], mergingErrors: true)
        let text = String(decoding: attack.output, as: UTF8.self)
        print(text.split(separator: "\n").filter { $0.hasPrefix("BENCH") || $0.hasPrefix("dataset") || $0.hasPrefix("relations") }.joined(separator: "\n"))
        #expect(attack.status == 0 && text.contains("BENCH sdc_cells_exposed 0 cells"), "\(text.suffix(3000))")
        // The attack used the declared relations of both meldingen datasets.
        #expect(text.contains("dataset meldingen-per-wijk-week: ") && text.contains("declared: total, total, stock_flow, stock_flow"), "\(text)")
        #expect(text.contains("dataset meldingen-tegels-week: ") && text.contains("declared: parts"), "\(text)")
        let figures = Dictionary(text.split(separator: "\n").filter { $0.hasPrefix("BENCH ") }.map { line -> (String, Int) in
            let parts = line.split(separator: " ")
            return (String(parts[1]), Int(parts[2]) ?? -1)
        }, uniquingKeysWith: { a, _ in a })
        #expect((figures["sdc_min_interval"] ?? 0) >= 5 && (figures["sdc_cells_suppressed"] ?? 0) > 1000, "\(figures)")

        // Lantaarn's audit and the attack agree on every held-back cell's interval.
        let ours = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/audit.json"))) as? [String: [Any]] ?? [:]
        let theirs = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/attack.json"))) as? [String: [Any]] ?? [:]
        #expect(ours.count == theirs.count && ours.count == figures["sdc_cells_suppressed"], "\(ours.count) vs \(theirs.count)")
        let disagree = theirs.keys.filter { key in
            guard let a = ours[key], let b = theirs[key] else { return true }
            return "\(a)" != "\(b)"
        }
        #expect(disagree.isEmpty, "\(disagree.count) cells: \(disagree.prefix(5).map { "\($0): audit \(ours[$0] ?? []), attack \(theirs[$0] ?? [])" })")
    }
}
