import ArgumentParser
import Foundation
import LantaarnModel
import Store

/// `lantaarn export --all DIR`: everything the municipality owns, in open formats (cloud exit).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write everything the municipality owns to a directory, in open formats, with a manifest (cloud exit).",
        discussion: """
            Readings per series (CSV and Parquet), every dataset's current rows and every release kept (CSV and Parquet), \
            pipeline definitions with their history, the configuration, boundaries (GeoJSON) and every table of the store \
            (NDJSON, with its schema), which holds meldingen as stored, lineage, destruction lists and logs, the audit trail and \
            staff. lantaarn-export.json lists every file with its size, rows and SHA-256. 'lantaarn import DIR' rebuilds the \
            store from it. The export holds everything the store does: keep it as safe as the store itself. See docs/exit.md.
            """)
    @OptionGroup var common: CommonOptions
    @Flag(name: .long, help: "Everything (required: the export is always complete).") var all = false
    @Argument(help: "The directory to write (new or empty).") var directory: String

    func run() async throws {
        guard all else { throw CLIError("say --all: 'lantaarn export --all DIR' writes everything; for one dataset use its download, for the e-depot 'lantaarn archive export'") }
        let settings = try common.settings()
        let runtime = try Runtime(settings: settings, label: "lantaarn.export")
        let started = ContinuousClock.now
        let export = FullExport(runtime: runtime, directory: directory, configFile: common.config ?? "lantaarn.yaml")
        let result = try await runtime.store.audited("export.all", target: String(directory.prefix(300)), summary: { (r: FullExport.Result) in
            "\(r.files.count) files, \(r.bytes) bytes, \(r.readings) readings, \(r.releases) releases"
        }) {
            try await export.run { Console.progress("export: \($0)") }
        }
        Console.line("")
        let seconds = ExportCommand.seconds(since: started)
        Console.line("export: \(directory): \(result.files.count) files, \(String(format: "%.1f", Double(result.bytes) / 1_048_576)) MiB (\(result.bytes) bytes), "
                     + "\(result.readings) readings in \(result.series) series, \(result.releases) releases, \(String(format: "%.1f", seconds)) s")
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let took = ContinuousClock.now - start
        return Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
    }
}

/// `lantaarn import DIR`: a full export as the store of an empty data directory.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Rebuild the store of an empty data directory (--data-dir) from 'lantaarn export --all'.",
        discussion: "Every file is checked against the manifest's SHA-256 first; then every table is loaded. 'lantaarn datasets verify' afterwards checks every release.")
    @OptionGroup var common: CommonOptions
    @Argument(help: "The export directory.") var directory: String

    func run() async throws {
        let settings = try common.settings()
        guard settings.storeURL == nil else { throw CLIError("the store is PostgreSQL: import into a SQLite data directory, which 'export --all' and 'import' cover; for PostgreSQL use pg_dump and pg_restore (docs/scale-out.md)") }
        let started = ContinuousClock.now
        let result = try FullImport(directory: directory, dataDirectory: settings.dataDirectory).run { Console.progress("import: \($0)") }
        let store = try StoreBackend.open(settings)
        try store.staff.appendAudit(AuditDraft(at: Clock.nowMilliseconds(), actor: CLIAudit.actor, action: "export.import",
                                               target: String(directory.prefix(300)), outcome: "ok", detail: "\(result.summary.readings) readings"))
        Console.line("")
        Console.line("import: \(settings.dataDirectory): \(result.files) files checked (\(result.bytes) bytes), \(result.summary.readings) readings, "
                     + "\(result.summary.releases) releases, integrity ok, \(String(format: "%.1f", ExportCommand.seconds(since: started))) s")
    }
}
