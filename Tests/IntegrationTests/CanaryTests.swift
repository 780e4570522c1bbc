import Foundation
import TestSupport
import Testing

extension TimingSensitiveTests {
    /// The CI-sized part of `make verify`'s canary suite (Benchmarks/verify_canaries.py --quick)
    /// on the debug binary: personal data with known values through meldingen (Signalen, Open311,
    /// MOR-ODS), ANPR and sensor input (MQTT and a file), every pipeline, and a crawl of 600 public
    /// URLs; no canary in a response, a log or the data directory (raw input after its
    /// retention), no pseudonym key in a log or response, and pycanon's k on every release.
    @Suite(.serialized) struct CanaryTests {
        @Test func noCanaryReachesAResponseALogOrTheStore() async throws {
            let python = try Tool.python()
            let work = try TestEnvironment.scratch("canaries")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let script = TestEnvironment.repoRoot + "/Benchmarks/verify_canaries.py"
            let run = try await runCommand(python, [script, TestEnvironment.lantaarn.path, work + "/run", python.path, "--quick"])
            let checks = run.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(checks.count == 10, "\(run.output) \(run.error)")
            for c in checks { #expect(c["ok"] as? Bool == true, "\(c)") }
            #expect(run.output.contains("VERIFY canary_hits_public 0 hits"))
            #expect(run.status == 0, "\(run.error)")
        }
    }
}
