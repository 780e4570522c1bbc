import ArgumentParser
import LantaarnModel
import Store

/// `lantaarn purge [--dry-run]` and `lantaarn purge log`.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Destroy data past its retention, and show the destruction log.",
        subcommands: [Run.self, Log.self], defaultSubcommand: Run.self)

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Destroy readings, dataset rows and ingest-log segments past their retention (legal holds respected).")
        @OptionGroup var common: CommonOptions

        @Flag(name: .long, help: "Report what would be destroyed without destroying anything.")
        var dryRun = false

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.purge")
            Console.line(dryRun ? "purge (dry run): checking retention…" : "purge: destroying data past its retention…")
            let run = { try RetentionRun(runtime: runtime, catalog: try runtime.pipelines()).run(dryRun: dryRun) }
            let outcome = try dryRun ? run() : runtime.store.audited("purge.run", target: "retention", summary: { o in
                "\(o.report.total) readings and rows, \(o.segments.count) log segments, \(o.keysDestroyed) pseudonym keys, "
                    + "\(o.auditEntries) audit entries destroyed; \(o.report.held.count) holds kept data"
            }, run)
            for line in RetentionRun.lines(outcome) { Console.line(line) }
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the append-only destruction log.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            let log = try store.retention.destructionLog()
            if log.isEmpty { Console.line("nothing has been destroyed yet") }
            for r in log {
                Console.line("\(ISO8601.format(milliseconds: r.destroyedAt))\t\(r.kind)\t\(r.subject)\t"
                    + "\(ISO8601.format(milliseconds: r.window.start))…\(ISO8601.format(milliseconds: r.window.end))\t\(r.readings)\t\(r.policy)\t\(r.basis)")
            }
        }
    }
}
