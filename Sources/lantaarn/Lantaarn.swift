import ArgumentParser

/// Lantaarn: sensor and MOR data in, lawful open data out.
@main
struct Lantaarn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lantaarn",
        abstract: "Municipal sensor data platform: MQTT ingest, columnar store, pipelines and open data.",
        subcommands: [ServeCommand.self, SimulateCommand.self, PipelineCommand.self, DashboardsCommand.self, DatasetsCommand.self,
                      QuarantineCommand.self, IngestCommand.self, PurgeCommand.self, HoldCommand.self, GeoCommand.self, SensorsCommand.self, DemoCommand.self,
                      StaffCommand.self, AuditCommand.self, ApprovalsCommand.self, BackupCommand.self, RestoreCommand.self, ArchiveCommand.self,
                      ExportCommand.self, ImportCommand.self])

    /// Entry point: runs on the main thread before any other thread exists, so the
    /// unblocked signal mask is inherited by every thread we create.
    static func main() async {
        SignalMask.unblockTermination()
        await Self.main(nil)
    }
}
