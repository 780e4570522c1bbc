import Foundation
import LantaarnModel
import Store
import TestSupport
import Testing

/// `lantaarn staff` and `lantaarn audit` through the real binary: accounts with roles and a token
/// shown once, staff actions on the command line in the audit log, and `audit verify` finding an
/// edited entry and (with a checkpoint) a cut-off tail made with the database's own client.
@Suite(.serialized)
struct StaffCLITests {
    @Test func accountsTokensAndAVerifiableAuditLog() async throws {
        let dir = try TestEnvironment.scratch("staff-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--data-dir", dir + "/data", "--sensors", TestEnvironment.repoRoot + "/Sensors",
                      "--pipelines", TestEnvironment.repoRoot + "/Pipelines"]
        let bin = TestEnvironment.lantaarn
        func run(_ args: [String]) async throws -> CommandResult { try await runCommand(bin, args + common, environment: ["USER": "beheerder"]) }

        let added = try await run(["staff", "add", "j.devries", "--roles", "datateam,approver"])
        #expect(added.status == 0, "\(added.error)")
        let token = try #require(added.output.split(separator: "\n").first { $0.hasPrefix(StaffTokenText.prefix) }.map(String.init))
        #expect(StaffTokenText.looksLikeToken(token))
        let wrongRole = try await run(["staff", "add", "p.jansen", "--roles", "datateam,baas"])
        #expect(wrongRole.status != 0 && wrongRole.error.contains("'baas' is not a role"), "\(wrongRole.error)")
        let wrongName = try await run(["staff", "add", "Piet Jansen", "--roles", "privacy"])
        #expect(wrongName.status != 0 && wrongName.error.contains("is not an account name"), "\(wrongName.error)")
        await #expect(try run(["staff", "add", "j.devries", "--roles", "privacy"]).error.contains("already a member of staff"))
        await #expect(try run(["staff", "add", "p.jansen", "--roles", "privacy", "--expires", "400d"]).error.contains("at most 366 days"))
        await #expect(try run(["staff", "add", "p.jansen", "--roles", "privacy", "--expires", "30d"]).status == 0)
        await #expect(try run(["staff", "roles", "p.jansen", "--roles", "privacy,archivist"]).status == 0)
        let list = try await run(["staff", "list", "--tokens"])
        #expect(list.output.contains("j.devries\tdatateam,approver\tactive") && list.output.contains("p.jansen\tarchivist,privacy\tactive"),
                "\(list.output)")
        #expect(!list.output.contains(StaffTokenText.prefix), "tokens are never listed")
        await #expect(try run(["staff", "revoke", "1"]).output.contains("token 1 revoked"))
        await #expect(try run(["staff", "revoke", "77"]).error.contains("there is no token 77"))
        await #expect(try run(["hold", "add", "--sensor", "hlm-lp0001-lucht", "--from", "2026-01-01T00:00:00Z", "--to", "2026-02-01T00:00:00Z",
                         "--reason", "schadeclaim 4"]).status == 0)

        // Readings loaded by hand and a purge are staff actions too, recorded with what they did.
        let readings = dir + "/lp0101.ndjson"
        try #"{"sensor":"hlm-lp0101-lucht","ts":"2026-11-20T10:00:00Z","values":{"pm25":7.5}}"#.write(toFile: readings, atomically: true, encoding: .utf8)
        await #expect(try run(["ingest", readings]).status == 0)
        await #expect(try run(["purge"]).status == 0)
        let actions = try await run(["audit", "list", "--limit", "2"]).output
        #expect(actions.contains("\tpurge.run\tretention\tok\t0 readings and rows") && actions.contains("\tingest.file\t\(readings)\tok\t1 readings stored"),
                "\(actions)")
        await #expect(try run(["hold", "add", "--sensor", "hlm-lp0001-lucht", "--from", "2026-01-01T00:00:00Z", "--to", "2026-02-01T00:00:00Z",
                         "--reason", "schadeclaim 5"]).status == 0)
        let audit = try await run(["audit", "list"])
        let lines = audit.output.split(separator: "\n")
        #expect(lines.first?.contains("\thold.add\tsensor hlm-lp0001-lucht\tok") == true, "\(audit.output)")
        #expect(lines.contains { $0.contains("cli:beheerder\tstaff.add\tj.devries\tok\troles datateam,approver") })
        #expect(lines.contains { $0.contains("staff.add\tj.devries\tfailed") }, "a refused action is recorded too")
        #expect(!audit.output.contains(token) && !audit.output.contains(String(token.dropFirst(4).prefix(16))))
        await #expect(try run(["audit", "list", "--action", "token.", "--limit", "2"]).output.split(separator: "\n").count == 2)

        let verified = try await run(["audit", "verify"])
        #expect(verified.status == 0 && verified.output.contains("chain intact"), "\(verified.output)")
        let checkpoint = dir + "/audit.checkpoint"
        await #expect(try run(["audit", "checkpoint", "--to", checkpoint]).status == 0)
        let entries = try SQLiteStore(dataDirectory: dir + "/data").staff.auditEntries(after: 0, limit: 100)

        // Tampered with from outside, with sqlite3 (the triggers refuse it until dropped).
        let file = dir + "/data/lantaarn.sqlite"
        #expect(try await runCommand(try Tool("sqlite3"), [file, "UPDATE audit_entry SET outcome = 'ok' WHERE seq = 3"]).status != 0)
        #expect(try await runCommand(try Tool("sqlite3"), [file, "DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete; "
                                                       + "UPDATE audit_entry SET detail = 'roles admin' WHERE seq = 1"]).status == 0)
        let edited = try await run(["audit", "verify"])
        #expect(edited.status == 1 && edited.output.contains("entry 1 was changed"), "\(edited.output)")
        #expect(try await runCommand(try Tool("sqlite3"), [file, "UPDATE audit_entry SET detail = '\(entries[0].draft.detail)' WHERE seq = 1; "
                                                       + "DELETE FROM audit_entry WHERE seq = \(entries.count)"]).status == 0)
        await #expect(try run(["audit", "verify"]).status == 0, "a cut-off tail alone leaves a valid chain")
        let cut = try await run(["audit", "verify", "--checkpoint", checkpoint])
        #expect(cut.status == 1 && cut.output.contains("its tail was cut off"), "\(cut.output)")
        await #expect(try run(["audit", "verify", "--checkpoint", dir + "/nope"]).error.contains("is not a checkpoint file"))
    }

    /// Four-eyes on the command line: a pipeline never approved does not publish; its author
    /// proposes it with a personal token and cannot approve it; another approver can, after which
    /// it publishes. Lifting a hold is proposed and approved the same way.
    @Test func fourEyesOnTheCommandLine() async throws {
        let dir = try TestEnvironment.scratch("four-eyes-cli")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let common = ["--data-dir", dir + "/data", "--sensors", TestEnvironment.repoRoot + "/Sensors",
                      "--pipelines", TestEnvironment.repoRoot + "/Pipelines"]
        func run(_ args: [String], token: String? = nil) async throws -> CommandResult {
            try await runCommand(TestEnvironment.lantaarn, args + common + (token.map { ["--token-file", $0] } ?? []), environment: ["USER": "beheerder"])
        }
        func account(_ name: String, _ roles: String) async throws -> String {
            let added = try await run(["staff", "add", name, "--roles", roles])
            let token = try #require(added.output.split(separator: "\n").first { $0.hasPrefix(StaffTokenText.prefix) }.map(String.init))
            let file = dir + "/\(name).token"
            try token.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        let ann = try await account("ann", "datateam,approver"), bob = try await account("bob", "approver"), eva = try await account("eva", "archivist")
        let name = "luchtkwaliteit-per-wijk-uur"
        let window = ["--from", "2026-11-20T10:00:00Z", "--to", "2026-11-20T11:00:00Z"]
        let blocked = try await run(["pipeline", "run", name] + window)
        #expect(blocked.status != 0 && blocked.error.contains("has no approved version"), "\(blocked.output) \(blocked.error)")
        let anonymous = try await run(["pipeline", "propose", name, "--note", "eerste versie"])
        #expect(anonymous.status != 0 && anonymous.error.contains("--token-file"), "\(anonymous.error)")
        let proposed = try await run(["pipeline", "propose", name, "--note", "eerste versie"], token: ann)
        #expect(proposed.status == 0 && proposed.output.contains("change #1 proposed"), "\(proposed.output) \(proposed.error)")
        let own = try await run(["approvals", "approve", "1", "--reason", "ziet er goed uit"], token: ann)
        #expect(own.status != 0 && own.error.contains("may not decide it (four-eyes)"), "\(own.error)")
        let wrongRole = try await run(["approvals", "approve", "1", "--reason", "ziet er goed uit"], token: eva)
        #expect(wrongRole.status != 0 && wrongRole.error.contains("needs approver"), "\(wrongRole.error)")
        let shown = try await run(["approvals", "show", "1"])
        #expect(shown.output.contains("Nieuwe pijplijn \(name)") && shown.output.contains("Voorbeeld voor het laatste venster"), "\(shown.output)")
        let approved = try await run(["approvals", "approve", "1", "--reason", "voorbeeld bekeken"], token: bob)
        #expect(approved.status == 0 && approved.output.contains("approved by bob"), "\(approved.error)")
        await #expect(try run(["approvals", "list"]).output.contains("no pending changes"))
        await #expect(try run(["approvals", "list", "--all"]).output.contains("#1\tapproved\tpipeline\t\(name)\tby ann"))
        let published = try await run(["pipeline", "run", name] + window)
        #expect(published.status == 0, "\(published.error)")

        await #expect(try run(["hold", "add", "--sensor", "hlm-lp0001-lucht", "--from", "2026-01-01T00:00:00Z", "--to", "2026-02-01T00:00:00Z",
                         "--reason", "schadeclaim 4"]).status == 0)
        let lift = try await run(["hold", "remove", "1", "--note", "zaak gesloten"], token: eva)
        #expect(lift.output.contains("change #2 proposed"), "\(lift.output) \(lift.error)")
        await #expect(try run(["hold", "list"]).output.contains("schadeclaim 4"), "not lifted before approval")
        await #expect(try run(["approvals", "approve", "2", "--reason", "zaak gesloten"], token: ann).error.contains("needs archivist or privacy"))
        let privacy = try await account("piet", "privacy")
        await #expect(try run(["approvals", "approve", "2", "--reason", "zaak gesloten, gecontroleerd"], token: privacy).output.contains("legal hold #1 is lifted"))
        await #expect(try run(["hold", "list"]).output.contains("no legal holds"))
        // A destruction list is approved by an archivist with their own token, never by --by.
        do {
            let store = try SQLiteStore(dataDirectory: dir + "/data")
            let metadata = DatasetMetadata(name: "drukte-per-wijk-uur", title: "T", description: "D", pipeline: "drukte-per-wijk-uur",
                                           license: "CC0-1.0", retention: "1y", columns: [ColumnSpec(name: "n", type: .integer, description: "")])
            try store.releases.register(metadata)
            let week = ISO8601.parse("2010-01-04T00:00:00Z")!
            _ = try store.releases.publish(ReleaseDraft(dataset: "drukte-per-wijk-uur", window: TimeWindow(start: week, end: week + 3_600_000),
                                                        rows: [[.integer(7)]], rowsIn: 7, lineage: .null))
        }
        let drawn = try await run(["purge"])
        #expect(drawn.output.contains("drew up destruction list #3") && drawn.output.contains("would destroy 1 rows of drukte-per-wijk-uur"), "\(drawn.output) \(drawn.error)")
        await #expect(try run(["purge", "approve", "3", "--by", "Iemand", "--reason", "termijn verstreken"]).error.contains("staff accounts exist"))
        await #expect(try run(["purge", "approve", "3", "--reason", "termijn verstreken"], token: ann).error.contains("needs archivist"))
        let destroyed = try await run(["purge", "approve", "3", "--reason", "termijn verstreken"], token: eva)
        #expect(destroyed.output.contains("approved by eva and carried out") && destroyed.output.contains("destroyed 1 rows of drukte-per-wijk-uur"),
                "\(destroyed.output) \(destroyed.error)")
        let audit = try await run(["audit", "list", "--action", "approval."]).output
        #expect(audit.contains("\tbob\tapproval.approve\tchange 1 pipeline \(name)\tok") && audit.contains("\tann\tapproval.approve\tchange 1\tdenied"),
                "\(audit)")
        for file in [ann, bob, eva, privacy] {
            #expect(!audit.contains(try String(contentsOfFile: file, encoding: .utf8)), "no token in the audit log")
        }
    }
}
