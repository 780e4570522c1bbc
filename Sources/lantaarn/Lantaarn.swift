import ArgumentParser

/// Lantaarn: sensor and MOR data in, lawful open data out.
@main
struct Lantaarn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lantaarn",
        abstract: "Municipal sensor data platform: MQTT ingest, columnar store, pipelines and open data.",
        subcommands: [ServeCommand.self, SimulateCommand.self, PipelineCommand.self, DatasetsCommand.self])
}
