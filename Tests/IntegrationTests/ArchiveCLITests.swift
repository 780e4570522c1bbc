import Foundation
import TestSupport
import LantaarnModel
import Testing

/// Issue 31 through the real binary: `pipeline check` holds retention to the Selectielijst,
/// and `pipeline register` prints an entry the national algorithm register takes.
@Suite(.serialized)
struct ArchiveCLITests {
    @Test func retentionFromTheSelectielijstAndTheRegisterEntry() async throws {
        let dir = try TestEnvironment.scratch("archive-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fm = FileManager.default
        try fm.copyItem(atPath: TestEnvironment.repoRoot + "/Pipelines", toPath: dir + "/Pipelines")
        try "municipality: Gemeente Zandvoort\ncontact_email: data@zandvoort.nl\nserver:\n  public_url: https://data.zandvoort.nl\n"
            .write(toFile: dir + "/lantaarn.yaml", atomically: true, encoding: .utf8)
        let common = ["--data-dir", dir + "/data", "--sensors", TestEnvironment.repoRoot + "/Sensors", "--pipelines", dir + "/Pipelines",
                      "--config", dir + "/lantaarn.yaml"]
        let bin = TestEnvironment.lantaarn

        let ok = try await runCommand(bin, ["pipeline", "check"] + common)
        #expect(ok.status == 0, "\(ok.output) \(ok.error)")
        #expect(ok.output.contains("drukte-per-wijk-uur") && ok.output.contains("retention: Selectielijst 20.1.7, vernietigen na 1 jaar"), "\(ok.output)")
        #expect(ok.output.contains("retention: Selectielijst 20.1.6, blijvend bewaren"), "\(ok.output)")

        // Ten years where the resultaat says one: refused, with the resultaat named.
        let file = dir + "/Pipelines/drukte-per-wijk-uur.yaml"
        let original = try String(contentsOfFile: file, encoding: .utf8)
        try original.replacingOccurrences(of: "selectielijst: \"20.1.7\"", with: "selectielijst: \"20.1.7\"\n    keep: 10y")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try await runCommand(bin, ["pipeline", "check", "drukte-per-wijk-uur"] + common)
        #expect(refused.status != 0, "\(refused.output)")
        #expect((refused.output + refused.error).contains("output.retention.keep: resultaat 20.1.7 (Informeren, Uitgevoerd: proactief beschikbaargestelde (open) datasets) says: destroy after 1 jaar (1y); keep: 10y contradicts it"),
                "\(refused.output) \(refused.error)")
        try original.write(toFile: file, atomically: true, encoding: .utf8)

        // The register entry, from the definition and lantaarn.yaml, valid under the standard's schema.
        let printed = try await runCommand(bin, ["pipeline", "register", "luchtkwaliteit-per-wijk-uur"] + common)
        #expect(printed.status == 0, "\(printed.error)")
        let entry = try JSONParser.parse(printed.output)
        #expect(entry["organization"]?.stringValue == "Gemeente Zandvoort" && entry["contact"]?.stringValue == "data@zandvoort.nl")
        #expect(entry["link"]?.stringValue == "https://data.zandvoort.nl/algoritmes#alg-luchtkwaliteit-per-wijk-uur")
        #expect(entry["theme"] == .array([.string("Lucht")]) && entry["supplier"]?.stringValue == "Intern ontwikkeld")
        #expect(entry["risk_management"]?.stringValue?.contains("blijvend") == true)
        try printed.output.write(toFile: dir + "/entry.json", atomically: true, encoding: .utf8)
        let schema = TestEnvironment.repoRoot + "/../shared/data/standards/algoritmeregister/algoritmeregister-publicatiestandaard-v1.0.0.schema.json"
        let checked = try await runCommand(try Tool.python(), [TestEnvironment.repoRoot + "/Tests/Fixtures/register/validate_register.py", schema, dir + "/entry.json"])
        #expect(checked.status == 0, "\(checked.output) \(checked.error)")
        let unknown = try await runCommand(bin, ["pipeline", "register", "bestaat-niet"] + common)
        #expect(unknown.status != 0 && !unknown.error.isEmpty)
    }
}
