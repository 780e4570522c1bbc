import ArgumentParser
import LantaarnModel
import Store

/// `lantaarn quarantine list`: what was rejected and why (never the payload itself).
struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "Inspect rejected messages.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List quarantined messages, newest first, with their reason.")
        @OptionGroup var common: CommonOptions

        @Option(name: .long, help: "How many entries to show.")
        var limit: Int = 50

        func run() async throws {
            let settings = try common.settings()
            let store = try SQLiteStore(dataDirectory: settings.dataDirectory)
            let entries = try store.quarantine(limit: limit)
            if entries.isEmpty { Console.line("quarantine is empty") }
            for e in entries {
                Console.line("\(ISO8601.format(milliseconds: e.receivedAt))\t\(e.source)\t\(e.origin)\t\(e.reason)")
            }
        }
    }
}
