import Foundation
import TestSupport
import Testing

extension TimingSensitiveTests {
    /// The CI-sized part of `make verify`'s chaos suite (Benchmarks/verify_chaos.py): a QoS 1
    /// publisher with known messages, `lantaarn serve` killed with SIGKILL and restarted, the broker
    /// restarted, sensor clocks jumped by ±1 h; then every acknowledged message is accounted for in
    /// the store (`lantaarn-verify account`): none lost, none duplicated, none in quarantine, and
    /// `PRAGMA integrity_check` is clean. Every kill lands while the killed process is committing
    /// (it committed messages since it started, and the publisher is still sending).
    @Suite(.serialized) struct ChaosTests {
        static let kills = 8

        @Test func killsAndBrokerRestartsLoseAndDuplicateNothing() async throws {
            let work = try TestEnvironment.scratch("chaos")
            defer { try? FileManager.default.removeItem(atPath: work) }
            let bin = TestEnvironment.binDirectory
            try #require(FileManager.default.isExecutableFile(atPath: bin + "/lantaarn-verify"), "build every target first: swift build --build-tests")
            let script = TestEnvironment.repoRoot + "/Benchmarks/verify_chaos.py"
            let run = try await runCommand(Tool.python(), [script, bin, work + "/run", "2000", "\(Self.kills)", "2"])
            let lines = run.output.split(separator: "\n")
            let phases = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(phases.count == 2, "\(run.output) \(run.error)")
            for p in phases {
                let phase = p["phase"] as? String ?? "?"
                #expect(p["lost"] as? Int == 0, "\(phase): lost \(p["lost"] ?? "?")")
                #expect(p["duplicated"] as? Int == 0, "\(phase): duplicated \(p["duplicated"] ?? "?")")
                #expect(p["quarantined"] as? Int == 0, "\(phase): acknowledged messages in quarantine: \(p["quarantined"] ?? "?")")
                #expect(p["unexpected"] as? Int == 0, "\(phase)")
                #expect(p["integrity"] as? String == "ok", "\(phase): integrity \(p["integrity"] ?? "?")")
                #expect((p["expected"] as? Int ?? 0) >= 5_000, "\(phase): too few messages")
            }
            let kills = phases.first { $0["phase"] as? String == "sigkill" }
            #expect(kills?["killed_mid_commit"] as? Int == Self.kills, "\(kills ?? [:])")
            let between = kills?["committed_between_kills"] as? [Int] ?? []
            #expect(between.count == Self.kills && between.allSatisfy { $0 > 0 },
                    "every killed process had committed messages: \(between)")
            #expect(run.status == 0, "\(run.error)")
        }
    }
}
