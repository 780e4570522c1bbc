import ArgumentParser
import Pipelines
import Server

/// `lantaarn dashboards check|list`: the public dashboards in Dashboards/.
struct DashboardsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboards", abstract: "Check and list the dashboards in Dashboards/.",
        subcommands: [Check.self, List.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every dashboard definition against the pipelines whose datasets it shows.",
            discussion: "Every problem is reported as FILE:LINE:COLUMN: path: what is wrong and how to fix it. Exits 1 when any dashboard is wrong.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let pipelines = try PipelineCatalog(directory: settings.pipelineDirectory).pipelines
            var failed = 0
            for (file, result) in try DashboardCatalog.check(directory: settings.dashboardDirectory, pipelines: pipelines) {
                switch result {
                case .success(let d):
                    Console.line("ok\t\(d.name)\t\(d.panels.count) panel(s): \(d.panels.map(\.kind.rawValue).joined(separator: ", "))\t\(file)")
                case .failure(let problems):
                    failed += 1
                    for e in problems.errors { Console.line("error\t\(e)") }
                }
            }
            if failed > 0 { throw ExitCode(1) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the dashboards with their address and datasets.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let settings = try common.settings()
            let catalog = try DashboardCatalog(directory: settings.dashboardDirectory,
                                               pipelines: try PipelineCatalog(directory: settings.pipelineDirectory).pipelines)
            for d in catalog.dashboards {
                Console.line("/dashboards/\(d.name)\t\(d.title)\t\(d.datasets.joined(separator: ", "))")
            }
        }
    }
}
