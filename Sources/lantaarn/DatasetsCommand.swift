import ArgumentParser
import LantaarnModel
import Store

/// `lantaarn datasets list` and `lantaarn datasets verify [NAME]`.
struct DatasetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets", abstract: "Published datasets.", subcommands: [List.self, Verify.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List datasets with their rows and releases.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let store = try SQLiteStore(dataDirectory: settings.dataDirectory)
            let list = try store.datasets()
            if list.isEmpty { Console.line("no datasets yet; run a pipeline first ('lantaarn pipeline run NAME')") }
            for d in list {
                let updated = d.updatedAt.map(ISO8601.format) ?? "-"
                Console.line("\(d.metadata.name)\t\(d.rowCount) rows\t\(d.releaseCount) releases\tupdated \(updated)\t\(d.metadata.title)")
            }
        }
    }

    /// Recomputes every release's SHA-256 from its stored rows and lineage: the check that
    /// published releases were not changed afterwards (archival integrity).
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that every release still matches its recorded SHA-256; exits 1 on any mismatch.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Dataset to check (default: all).") var name: String?

        func run() async throws {
            let store = try SQLiteStore(dataDirectory: try common.settings().dataDirectory)
            let names = try name.map { [$0] } ?? store.datasetNames()
            var failed = 0
            for dataset in names {
                guard try store.dataset(named: dataset) != nil else {
                    throw ValidationError("dataset '\(dataset)' does not exist; 'lantaarn datasets list' shows them")
                }
                // Releases superseded before superseded rows were kept cannot be checked.
                let all = try store.releases(dataset: dataset)
                let releases = try all.filter { try store.rowsKept($0) }
                let bad = try releases.filter { try !store.verify($0) }
                failed += bad.count
                for r in bad {
                    Console.line("\(dataset): release \(r.id) (window \(ISO8601.format(milliseconds: r.window.start)), version \(r.version)) does NOT match its SHA-256 \(r.sha256)")
                }
                let unchecked = all.count - releases.count
                Console.line("\(dataset): \(releases.count - bad.count) of \(releases.count) releases match their SHA-256"
                             + (unchecked > 0 ? "; \(unchecked) superseded before their rows were kept, not checked" : ""))
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
