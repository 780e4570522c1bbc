import Foundation
import TestSupport
import Testing

extension TimingSensitiveTests {
    /// `make verify`'s security suite (Benchmarks/verify_security.py) on the debug binary, all of
    /// it but sqlmap (Benchmarks/verify_sqlmap.py, which only `make verify` runs): admin routes
    /// refuse every request without the right token, wrong tokens take the same time wherever
    /// they differ, the whole injection corpus through the query API finds nothing, traversal
    /// paths get 400/404, oversized and slowloris requests are bounded, the token never reaches
    /// the log, named staff's tokens work by role and never reach the audit log, the console's cookie flags and anti-forgery tokens hold, and the MQTT subscriber refuses TLS brokers with a certificate for another host
    /// or from an unknown CA (and never logs its password).
    @Suite(.serialized) struct SecuritySuiteTests {
        @Test func securitySuiteWithoutSqlmapPasses() async throws {
            let work = try TestEnvironment.scratch("security")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let script = TestEnvironment.repoRoot + "/Benchmarks/verify_security.py"
            let run = try await runCommand(Tool.python(), [script, TestEnvironment.lantaarn.path, work + "/run"])
            let checks = run.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(checks.count == 26, "\(run.output) \(run.error)")
            // Named staff (issue 30): personal tokens by role, the shared token refused once staff
            // exist, no token in the audit log, the chain intact.
            // The console: cookie flags, anti-forgery tokens, no JWT or cookie in the audit log.
            for name in ["staff_token_accepted", "shared_token_refused_once_staff_exist", "tokens_not_in_audit_log", "audit_chain_intact",
                         "console_cookie_flags", "console_csrf_enforced", "console_sign_out_ends_session", "console_secrets_not_in_audit_log"] {
                #expect(checks.contains { $0["check"] as? String == name }, "\(name) missing")
            }
            for c in checks { #expect(c["ok"] as? Bool == true, "\(c)") }
            // The same corpus as `make verify`: every value in every position, nothing skipped.
            let injection = try #require(checks.first { $0["check"] as? String == "sql_injection" }, "\(run.output)")
            let corpus = injection["corpus"] as? Int ?? 0, positions = injection["queries_per_value"] as? Int ?? 0
            let requests = injection["requests"] as? Int ?? -1
            #expect(corpus >= 25 && positions >= 13 && requests == corpus * positions, "\(injection)")
            #expect(!checks.contains { $0["check"] as? String == "sqlmap" })
            #expect(run.status == 0, "\(run.error)")
        }
    }
}
