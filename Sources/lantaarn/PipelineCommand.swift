import ArgumentParser
import Foundation
import LantaarnModel
import Pipelines
import Store

/// `lantaarn pipeline list|run`.
struct PipelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "List and run the pipelines in Pipelines/.",
        subcommands: [List.self, Check.self, Run.self, Backfill.self, Stale.self, History.self, Propose.self, Register.self])

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every archived version of a pipeline definition, with what changed from one to the next.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Pipeline name.") var name: String

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.pipeline")
            _ = try? runtime.pipelines()   // archives the current version
            let versions = try runtime.store.releases.pipelineVersions(name)
            guard !versions.isEmpty else { throw CLIError("no archived versions of '\(name)'") }
            var previous: PipelineVersionRecord?
            for v in versions {
                Console.line("version \(v.version)  sha256 \(v.sha256.prefix(12))  first seen \(ISO8601.format(milliseconds: v.firstSeen))")
                if let previous {
                    for line in LineDiff.unified(previous.definition, v.definition) where !line.hasPrefix("  ") { Console.line("    " + line) }
                }
                previous = v
            }
        }
    }

    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pipeline over every window in a range (replacing their releases), with a progress bar.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Pipeline name (see 'lantaarn pipeline list').") var name: String
        @Option(name: .long, help: "Start, ISO 8601.") var from: String
        @Option(name: .long, help: "End (exclusive), ISO 8601.") var to: String

        func validate() throws {
            guard let s = ISO8601.parse(from), let e = ISO8601.parse(to), e > s else {
                throw ValidationError("--from and --to must be ISO 8601 times with --to after --from")
            }
        }

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.pipeline")
            let pipeline = try runtime.pipelineInForce(name)
            let range = TimeWindow(start: pipeline.calendar.floor(ISO8601.parse(from)!), end: ISO8601.parse(to)!)
            let started = ContinuousClock.now
            let results = try runtime.store.audited("pipeline.backfill", target: name, detail: "\(range)",
                                                    summary: { "\($0.count) windows, \($0.reduce(0) { $0 + $1.rowsOut }) rows published" }) {
                try runtime.runner().run(pipeline, over: range) { done, total in
                let seconds = max(Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds), 0.001)
                let width = 30, filled = total > 0 ? done * width / total : width
                let eta = Double(total - done) * seconds / Double(max(done, 1))
                Console.progress("\(name) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(done)/\(total) windows  ETA \(Int(eta.rounded())) s")
                }
            }
            Console.line("")
            Console.line("\(name): \(results.count) window(s) \(range), \(results.reduce(0) { $0 + $1.rowsIn }) in, \(results.reduce(0) { $0 + $1.rowsOut }) rows published to \(pipeline.output.dataset)")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check pipeline definitions without running them: all of Pipelines/, one by name, or a file.",
            discussion: "Every problem is reported as FILE:LINE:COLUMN: path: what is wrong and how to fix it. Exits 1 when any definition is wrong.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Pipeline name or file (default: every file in Pipelines/).") var target: String?

        func run() async throws {
            let settings = try common.settings()
            var results: [(file: String, result: Result<PipelineDefinition, PipelineError>)]
            if let target, target.hasSuffix(".yaml") || target.hasSuffix(".yml") {
                results = [(target, PipelineCatalog.check(file: target))]
            } else {
                results = try PipelineCatalog.check(directory: settings.pipelineDirectory)
                if let target {
                    let named = results.filter {
                        if case .success(let p) = $0.result { return p.name == target }
                        return ($0.file as NSString).lastPathComponent.hasPrefix(target + ".y")   // a broken file of that name
                    }
                    guard !named.isEmpty else {
                        let broken = results.filter { if case .failure = $0.result { return true } else { return false } }.count
                        throw CLIError("no valid pipeline named '\(target)' in \(settings.pipelineDirectory)\(broken > 0 ? "; \(broken) file(s) there have errors: run 'lantaarn pipeline check'" : "")")
                    }
                    results = named
                }
            }
            var failed = 0
            for (file, result) in results {
                switch result {
                case .success(let p):
                    let kept = p.output.retention.resultaat.map { "Selectielijst \($0.code), \(p.output.retention.isPermanent ? "blijvend bewaren" : "vernietigen na \(p.output.retention.dutch)")" }
                        ?? "keep \(p.output.retention.text)"
                    Console.line("ok\t\(p.name) v\(p.version)\t\(file)\tretention: \(kept)")
                case .failure(let e):
                    failed += 1
                    Console.line("error\t\(e)")
                }
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pipelines with their schedule and output.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let catalog = try PipelineCatalog(directory: settings.pipelineDirectory)
            for p in catalog.pipelines {
                Console.line("\(p.name)\tv\(p.version)\tschedule '\(p.schedule)'\twindow \(p.calendar == .dutchWeek ? "1w (Dutch week)" : p.calendar == .dutchDay ? "1d (Dutch day)" : "\(p.window / 60_000)m")\t-> \(p.output.dataset)")
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a pipeline now: an explicit window, or every closed window since its last release.")
        @OptionGroup var common: CommonOptions

        @Argument(help: "Pipeline name (see 'lantaarn pipeline list').")
        var name: String

        @Option(name: .long, help: "Window start, ISO 8601 (e.g. 2026-11-22T00:00:00Z).")
        var from: String?

        @Option(name: .long, help: "Window end, ISO 8601; the last window is computed even if it has not closed.")
        var to: String?

        func validate() throws {
            if (from == nil) != (to == nil) { throw ValidationError("give both --from and --to, or neither") }
            if let from, ISO8601.parse(from) == nil { throw ValidationError("--from '\(from)' is not an ISO 8601 time") }
            if let to, ISO8601.parse(to) == nil { throw ValidationError("--to '\(to)' is not an ISO 8601 time") }
        }

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.pipeline")
            let pipeline = try runtime.pipelineInForce(name)
            let runner = runtime.runner()
            let range: TimeWindow
            if let from, let to, let start = ISO8601.parse(from), let end = ISO8601.parse(to) {
                guard end > start else { throw ValidationError("--to must be after --from") }
                range = TimeWindow(start: pipeline.calendar.floor(start), end: end)
            } else if let due = try runner.dueWindows(pipeline, now: Clock.nowMilliseconds(),
                                                      catchUp: runtime.settings.schedulerCatchUp,
                                                      lateness: runtime.settings.schedulerLateness) {
                range = due
            } else {
                Console.line("\(name): nothing to do; no closed window since the last release")
                return
            }
            let results = try runtime.store.audited("pipeline.run", target: name, detail: "\(range)",
                                                    summary: { "\($0.count) windows, \($0.reduce(0) { $0 + $1.rowsOut }) rows published" }) {
                try runner.run(pipeline, over: range) { done, total in
                    Console.progress("\(name): window \(done)/\(total)")
                }
            }
            if !results.isEmpty { Console.line("") }
            let rowsIn = results.reduce(0) { $0 + $1.rowsIn }, rowsOut = results.reduce(0) { $0 + $1.rowsOut }
            Console.line("\(name): \(results.count) window(s) \(range), \(rowsIn) readings in, \(rowsOut) rows published to \(pipeline.output.dataset)")
        }
    }
}
