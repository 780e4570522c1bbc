import ArgumentParser
import LantaarnModel
import Store

/// `lantaarn datasets list`.
struct DatasetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets", abstract: "Published datasets.", subcommands: [List.self])

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
}
