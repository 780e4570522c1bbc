import ArgumentParser
import LantaarnModel
import Store

/// `lantaarn hold add|remove|list`: legal holds that block destruction.
struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold", abstract: "Legal holds (hotspots) that the purge must respect.",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Place a hold on a sensor's readings or a dataset in a time range.")
        @OptionGroup var common: CommonOptions
        @Option(name: .long, help: "Sensor id whose readings to hold.") var sensor: String?
        @Option(name: .long, help: "Dataset name whose rows to hold.") var dataset: String?
        @Option(name: .long, help: "Start, ISO 8601.") var from: String
        @Option(name: .long, help: "End (exclusive), ISO 8601.") var to: String
        @Option(name: .long, help: "Why: case number or decision.") var reason: String

        func validate() throws {
            guard (sensor == nil) != (dataset == nil) else { throw ValidationError("give exactly one of --sensor or --dataset") }
            guard let s = ISO8601.parse(from), let e = ISO8601.parse(to), e > s else {
                throw ValidationError("--from and --to must be ISO 8601 times with --to after --from")
            }
        }

        func run() async throws {
            let store = try SQLiteStore(dataDirectory: try common.settings().dataDirectory)
            let window = TimeWindow(start: ISO8601.parse(from)!, end: ISO8601.parse(to)!)
            let id = try store.addHold(kind: sensor != nil ? .sensor : .dataset, subject: sensor ?? dataset!, window: window, reason: reason)
            Console.line("legal hold #\(id) placed on \(sensor.map { "sensor \($0)" } ?? "dataset \(dataset!)") \(window)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a hold by its id.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Hold id (see 'lantaarn hold list').") var id: Int64

        func run() async throws {
            try SQLiteStore(dataDirectory: try common.settings().dataDirectory).removeHold(id: id)
            Console.line("legal hold #\(id) lifted")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the holds in force.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let holds = try SQLiteStore(dataDirectory: try common.settings().dataDirectory).holds()
            if holds.isEmpty { Console.line("no legal holds") }
            for h in holds {
                Console.line("#\(h.id)\t\(h.kind.rawValue)\t\(h.subject)\t\(h.window)\t\(h.reason)")
            }
        }
    }
}
