import ArgumentParser
import Foundation
import LantaarnModel
import Store

/// `lantaarn backup --to FILE`: an online copy of the store while `serve` runs.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Copy the store (SQLite) to a new file while serve goes on; restore it with 'lantaarn restore'.",
        discussion: """
            The copy is a consistent snapshot, made with SQLite's VACUUM INTO, and checked with integrity_check. It holds every \
            MQTT message acknowledged before the command started: it first waits until the store has taken in the ingest log. \
            The pseudonym keys (keys/) are not copied: they are destroyed on purpose after a week. On PostgreSQL use pg_dump.
            """)
    @OptionGroup var common: CommonOptions
    @Option(name: .long, help: "The new file to write (never overwritten).") var to: String
    @Option(name: .long, help: "How long to wait for the store to take in the ingest log (default 60s).") var wait: String = "60s"
    @Flag(name: .long, help: "Copy even when the ingest log is not yet in the store (serve not running).") var skipUndrained = false

    func run() async throws {
        let settings = try common.settings()
        let store = try StoreBackend.open(settings)
        let wait = try ConfigFile.duration(self.wait, "--wait", example: "60s")
        let started = ContinuousClock.now
        Console.progress("backup: waiting for the ingest log, then copying \(store.location)...")
        let summary = try await store.audited("backup.make", target: String(to.prefix(300)),
                                              summary: { (s: StoreBackup.Summary) in "\(s.bytes) bytes, \(s.readings) readings" }) {
            try await StoreCopy(settings: settings, store: store).make(to: to, wait: .milliseconds(wait), skipUndrained: skipUndrained)
        }
        Console.line("")
        let took = ContinuousClock.now - started
        let seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        Console.line("backup: \(to): \(summary.bytes) bytes, \(summary.readings) readings, \(summary.releases) releases, "
                     + "integrity ok, \(String(format: "%.1f", seconds)) s")
    }
}

/// `lantaarn restore FILE`: a copy made by `lantaarn backup` as the store of an empty data directory.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Put a copy made by 'lantaarn backup' in place as the store of an empty data directory (--data-dir).")
    @OptionGroup var common: CommonOptions
    @Argument(help: "The backup file.") var file: String

    func run() async throws {
        let settings = try common.settings()
        guard settings.storeURL == nil else { throw CLIError("the store is PostgreSQL: restore it with pg_restore (docs/scale-out.md)") }
        let summary = try StoreBackup.restore(file, into: settings.dataDirectory)
        let store = try StoreBackend.open(settings)
        try store.staff.appendAudit(AuditDraft(at: Clock.nowMilliseconds(), actor: CLIAudit.actor, action: "backup.restore",
                                               target: String(file.prefix(300)), outcome: "ok", detail: "\(summary.readings) readings"))
        Console.line("restore: \(settings.dataDirectory): \(summary.readings) readings, \(summary.releases) releases, integrity ok")
    }
}
