import ArgumentParser
import LantaarnModel

/// `lantaarn demo`: fill a data directory with a generated history and publish every pipeline
/// over it (demos, screenshots, the dashboard tests and `make bench-dashboards`).
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Generate a history of readings and meldingen and run every pipeline over it.",
        discussion: "Readings pass the same validation as live ones; meldingen are generated per wijk with seasons and handling times. Nothing is added to a data directory that already holds readings or this history.")

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: "Days of readings (one message per sensor every 5 minutes).")
    var days: Int = 8

    @Option(name: .long, help: "Weeks of meldingen (the forecast needs at least 64).")
    var weeks: Int = 104

    @Option(name: .long, help: "End of the history, ISO 8601 (default: now).")
    var until: String?

    func validate() throws {
        guard (1...366).contains(days) else { throw ValidationError("--days must be 1 to 366") }
        guard (1...520).contains(weeks) else { throw ValidationError("--weeks must be 1 to 520") }
        if let until, ISO8601.parse(until) == nil { throw ValidationError("--until must be an ISO 8601 time, like 2026-11-23T12:00:00Z") }
    }

    func run() async throws {
        let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.demo")
        let history = DemoHistory(runtime: runtime, days: days, weeks: weeks)
        guard try history.isNeeded() else {
            Console.line("demo: the data directory already holds readings or a demo history; nothing added")
            return
        }
        try history.load(now: until.flatMap(ISO8601.parse) ?? Clock.nowMilliseconds()) { Console.line($0) }
    }
}
