import ArgumentParser
import LantaarnModel
import Pipelines
import Store

extension PipelineCommand {
    /// `lantaarn pipeline stale [NAME] [--recompute]`: published windows whose readings changed
    /// after their release (backfill, corrections, wijk reassignments). `serve` computes them
    /// again by itself once their changes settle; `--recompute` does it now.
    struct Stale: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List published windows whose readings changed after their release; --recompute publishes them again now.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Pipeline name (default: every pipeline).") var name: String?
        @Flag(name: .long, help: "Compute the stale windows again now, as new releases whose lineage says why.") var recompute = false

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.pipeline")
            // Recomputing publishes: only the versions in force.
            let pipelines = try name.map { [try runtime.pipelineInForce($0)] } ?? runtime.pipelinesInForce().catalog.pipelines
            let runner = runtime.runner()
            var total = 0
            for p in pipelines {
                let stale = try runner.staleWindows(p)
                guard !stale.isEmpty else { continue }
                total += stale.count
                Console.line("\(p.name): \(stale.count) stale window(s) in \(p.output.dataset)")
                for s in stale {
                    Console.line("  \(ISO8601.format(milliseconds: s.window.start)) .. \(ISO8601.format(milliseconds: s.window.end))  release \(s.releaseID)  \(s.reason)")
                }
                if recompute {
                    let results = try runtime.store.audited("pipeline.recompute", target: p.name, detail: "\(stale.count) stale windows",
                                                            summary: { "\($0.count) windows published again" }) {
                        try runner.recompute(p, stale) { done, count in Console.progress("\(p.name): window \(done)/\(count)") }
                    }
                    if !results.isEmpty { Console.line("") }
                    runner.refreshDisclosureReports(after: p)
                    Console.line("\(p.name): \(results.count) window(s) published again")
                }
            }
            if total == 0 { Console.line("no stale windows: every release of a readings pipeline matches the stored readings (meldingen pipelines are not tracked)") }
        }
    }
}
