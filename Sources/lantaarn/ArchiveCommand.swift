import ArgumentParser
import Foundation
import LantaarnModel

/// `lantaarn archive export --to DIR`: the e-depot transfer package (MDTO 1.0.1).
struct ArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive", abstract: "Transfer what is to be kept permanently to the e-depot (MDTO).",
        subcommands: [Export.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write (or add to) an MDTO 1.0.1 transfer package: pipeline versions, releases of datasets kept permanently, destruction lists and the destruction log.",
            discussion: "Every object is ID.mdto.xml, every file has FILE.bestand.mdto.xml with its size and SHA-256. Exporting into the same directory again adds only what is new (lantaarn-archief.json lists what the package holds).")
        @OptionGroup var common: CommonOptions
        @Option(name: .long, help: "The package directory (made if missing).") var to: String

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.archive")
            let export = ArchiveExport(runtime: runtime, catalog: try runtime.pipelines(), directory: to)
            let started = ContinuousClock.now
            var count = 0
            let result = try await runtime.store.audited("archive.export", target: to, summary: { (r: ArchiveExport.Result) in
                "\(r.added.count) objects added, \(r.alreadyThere) already there, \(r.files) files, \(r.bytes) bytes"
            }) {
                try await export.run { _ in
                    count += 1
                    Console.progress("archive export: \(count) object(s) added")
                }
            }
            Console.line("")
            let seconds = Double((ContinuousClock.now - started).components.seconds) + Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            Console.line(result.added.isEmpty
                ? "nothing new: the package in \(to) already holds all \(result.alreadyThere) object(s)"
                : "added \(result.added.count) new object(s) (\(result.files) files, \(result.bytes) bytes) to \(to); \(result.alreadyThere) were already there; \(String(format: "%.1f", seconds)) s")
            for kind in ["pipeline-", "release-", "vernietigingslijst-", "vernietigingslog-"] {
                let n = result.added.filter { $0.hasPrefix(kind) }.count
                if n > 0 { Console.line("  \(n) \(["pipeline-": "pipeline series and versions", "release-": "releases", "vernietigingslijst-": "destruction lists", "vernietigingslog-": "destruction log slices"][kind]!)") }
            }
        }
    }
}
