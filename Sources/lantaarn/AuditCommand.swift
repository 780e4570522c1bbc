import ArgumentParser
import Foundation
import LantaarnModel
import Store

/// `lantaarn audit list|verify|checkpoint`: the hash-chained log of staff actions.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The audit log of staff actions: list it, verify its hash chain, keep a checkpoint.",
        subcommands: [List.self, Verify.self, Checkpoint.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List entries, newest first.")
        @OptionGroup var common: CommonOptions
        @Option(name: .long, help: "Only this actor (an account name, or cli:USER).") var actor: String?
        @Option(name: .long, help: "Only this action, or every action of a prefix ending in '.' (e.g. token.).") var action: String?
        @Option(name: .long, help: "Only this outcome: ok, denied or failed.") var outcome: String?
        @Option(name: .long, help: "From this time, ISO 8601.") var since: String?
        @Option(name: .long, help: "Before this time, ISO 8601.") var until: String?
        @Option(name: .long, help: "At most this many entries (default 100).") var limit: Int = 100

        func validate() throws {
            for (flag, value) in [("--since", since), ("--until", until)] where value != nil && ISO8601.parse(value!) == nil {
                throw ValidationError("\(flag) must be an ISO 8601 time, like 2026-12-01T00:00:00Z")
            }
            guard (1...100_000).contains(limit) else { throw ValidationError("--limit must be 1 to 100000") }
        }

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            let filter = AuditFilter(actor: actor, action: action, outcome: outcome, since: since.flatMap(ISO8601.parse),
                                     until: until.flatMap(ISO8601.parse), limit: limit)
            let entries = try store.staff.auditEntries(filter)
            if entries.isEmpty { Console.line("no audit entries match") }
            for e in entries {
                let d = e.draft
                Console.line("\(e.seq)\t\(ISO8601.format(milliseconds: d.at))\t\(d.actor)\t\(d.action)\t\(d.target)\t\(d.outcome)\t\(d.detail)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain: finds changed, removed and reordered entries; with --checkpoint also a cut-off or rewritten tail.",
            discussion: "Exits with status 1 when the log was tampered with.")
        @OptionGroup var common: CommonOptions
        @Option(name: .long, help: "A checkpoint file written earlier by 'lantaarn audit checkpoint'.") var checkpoint: String?

        func run() async throws {
            var mark: AuditChain.Checkpoint?
            if let checkpoint {
                guard let text = try? String(contentsOfFile: checkpoint, encoding: .utf8), let parsed = AuditChain.Checkpoint(text: text) else {
                    throw CLIError("--checkpoint: '\(checkpoint)' is not a checkpoint file ('SEQ HASH', as 'lantaarn audit checkpoint' writes it)")
                }
                mark = parsed
            }
            let store = try StoreBackend.open(try common.settings())
            let report = try AuditChain.verify(store.staff, checkpoint: mark)
            for p in report.problems { Console.line("audit verify: \(p)") }
            if report.problems.isEmpty {
                let last = report.last.map { " up to entry \($0.seq) (\($0.hash.prefix(16))…)" } ?? ""
                Console.line("audit verify: \(report.entries) entries, chain intact\(last)\(mark.map { "; checkpoint \($0.seq) matches" } ?? "")")
            } else {
                throw ExitCode(1)
            }
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the newest entry's number and hash to a file, to keep where the database's administrators cannot write.",
            discussion: "With it, 'lantaarn audit verify --checkpoint FILE' also finds a cut-off tail or a chain recomputed after an edit.")
        @OptionGroup var common: CommonOptions
        @Option(name: .long, help: "The file to write.") var to: String

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            let report = try AuditChain.verify(store.staff)
            guard report.problems.isEmpty else {
                for p in report.problems { Console.line("audit checkpoint: \(p)") }
                throw CLIError("the audit log is not intact; a checkpoint would vouch for it. Run 'lantaarn audit verify' and investigate first")
            }
            guard let last = report.last else { throw CLIError("the audit log is empty; there is nothing to checkpoint yet") }
            try last.text.write(toFile: to, atomically: true, encoding: .utf8)
            Console.line("checkpoint: entry \(last.seq), \(last.hash) written to \(to)")
        }
    }
}
