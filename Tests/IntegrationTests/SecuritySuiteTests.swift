import Foundation
import Testing

extension TimingSensitiveTests {
    /// `make verify`'s security suite (Benchmarks/verify_security.py) on the debug binary: admin
    /// routes refuse every request without the right token, wrong tokens take the same time
    /// wherever they differ, an injection corpus through the query API finds nothing, traversal
    /// paths get 400/404, oversized and slowloris requests are bounded, the token never reaches
    /// the log, and the MQTT subscriber refuses TLS brokers with a certificate for another host
    /// or from an unknown CA (and never logs its password).
    @Suite(.serialized) struct SecuritySuiteTests {
        @Test func securitySuitePasses() throws {
            let work = try TestEnvironment.scratch("security")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let script = TestEnvironment.repoRoot + "/Benchmarks/verify_security.py"
            let run = try runCommand("/usr/bin/env", ["python3", script, TestEnvironment.lantaarnBinary, work + "/run"])
            let checks = run.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(checks.count == 15, "\(run.output) \(run.error)")
            for c in checks { #expect(c["ok"] as? Bool == true, "\(c)") }
            #expect(run.status == 0, "\(run.error)")
        }
    }
}
