import ArgumentParser
import Foundation
import LantaarnModel
import Pipelines
import Store

/// `lantaarn datasets list`, `lantaarn datasets verify [NAME]` and `lantaarn datasets audit [NAME]`.
struct DatasetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets", abstract: "Published datasets.", subcommands: [List.self, Verify.self, Audit.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List datasets with their rows and releases.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let store = try StoreBackend.open(settings)
            let list = try store.releases.datasets()
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
            let store = try StoreBackend.open(try common.settings())
            let names = try name.map { [$0] } ?? store.releases.datasetNames()
            var failed = 0
            for dataset in names {
                guard try store.releases.dataset(named: dataset) != nil else {
                    throw ValidationError("dataset '\(dataset)' does not exist; 'lantaarn datasets list' shows them")
                }
                // Releases superseded before superseded rows were kept cannot be checked.
                let all = try store.releases.releases(dataset: dataset)
                let releases = try all.filter { try store.releases.rowsKept($0) }
                let bad = try releases.filter { try !store.releases.verify($0) }
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

    /// The disclosure audit: for every held-back count of every public release, the interval an
    /// attacker gets from everything public; exits 1 when one is narrower than its protection width.
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute what an attacker holding every published number learns about each held-back count; exits 1 if one is pinned down more narrowly than the protection width.",
            discussion: "Every public dataset whose metadata declares its counts and their relations (disclosure) is audited together with the others of its input. The report per dataset is kept and shown on the dataset's page.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Dataset to report on (default: all; the audit always uses every public dataset).") var name: String?
        @Option(name: .long, help: "Also write every held-back cell's interval as JSON (label: [low, high]; high null when unbounded).")
        var cells: String?

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            if let name, try store.releases.dataset(named: name) == nil {
                throw ValidationError("dataset '\(name)' does not exist; 'lantaarn datasets list' shows them")
            }
            let started = Date()
            let outcome = try DisclosureAudit.run(store.releases) { Console.progress($0) }
            try DisclosureAudit.record(outcome.reports, in: store.releases)
            for r in outcome.reports where name == nil || r.dataset == name {
                if !r.unprotectedCounts.isEmpty && r.cells == 0 {
                    Console.line("\(r.dataset): counts of readings (\(r.unprotectedCounts.joined(separator: ", "))), not of people: not protected")
                    continue
                }
                Console.line("\(r.dataset): \(r.cells) cells, \(r.suppressed) held back, smallest interval \(r.smallestInterval.map(String.init) ?? "unbounded"), k \(r.k), protection \(r.protection), \(r.exposed) exposed")
            }
            for e in outcome.exposed where name == nil || e.label.hasPrefix(name! + "|") {
                Console.line("EXPOSED \(e.label): interval \(e.interval.low)–\(e.interval.high.map(String.init) ?? "∞"), protection \(e.protection), through \(e.relations.first ?? "the published numbers")")
            }
            for b in outcome.broken { Console.line("BROKEN \(b)") }
            Console.line("audit: \(outcome.intervals.count) held-back cells, \(outcome.programmes) linear programmes in \(outcome.components) groups, \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            if let cells {
                let object = JSONValue.object(outcome.intervals.sorted { $0.key < $1.key }.map {
                    ($0.key, .array([.number(Double($0.value.low)), $0.value.high.map { .number(Double($0)) } ?? .null]))
                })
                try JSONWriter.string(object).write(toFile: cells, atomically: true, encoding: .utf8)
            }
            if !outcome.exposed.isEmpty || !outcome.broken.isEmpty { throw ExitCode(1) }
        }
    }
}
