import Foundation
import Testing

extension TimingSensitiveTests {
    /// The CI-sized part of `make verify`'s soak (Benchmarks/verify_soak.py): 30 s of 8 HTTP
    /// clients across every public endpoint while 300 msg/s arrive over MQTT; no HTTP error, no
    /// message lost or duplicated, the server alive and the store intact. Whether the heap is
    /// flat is left to the 10-minute soak: in 30 s of a debug build, warm-up and a leak look alike.
    @Suite(.serialized) struct SoakTests {
        @Test func halfAMinuteOfLoadHasNoErrorsAndLosesNothing() throws {
            let work = try TestEnvironment.scratch("soak")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let bin = (TestEnvironment.lantaarnBinary as NSString).deletingLastPathComponent
            try #require(FileManager.default.isExecutableFile(atPath: bin + "/lantaarn-verify"), "build every target first: swift build --build-tests")
            let script = TestEnvironment.repoRoot + "/Benchmarks/verify_soak.py"
            let run = try runCommand("/usr/bin/env", ["python3", script, bin, work + "/run", "30", "300", "8", "10"])
            let lines = run.output.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let verdict = try #require(lines.compactMap { $0["soak"] as? [String: Bool] }.first, "\(run.output) \(run.error)")
            for (promise, kept) in verdict where promise != "rss_flat" { #expect(kept, "\(promise): \(run.error)") }
            #expect(verdict.count == 6)
            #expect(run.output.contains("VERIFY soak_http_errors 0 responses"))
        }
    }
}
