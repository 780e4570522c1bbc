import ArgumentParser

/// Options every subcommand accepts.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: ./lantaarn.yaml when present).")
    var config: String?

    @Option(name: .long, help: "Data directory (default ./data; env LANTAARN_DATA).")
    var dataDir: String?

    @Option(name: .long, help: "Store: sqlite (the file in the data directory, default) or a postgresql:// URL (env LANTAARN_STORE).")
    var store: String?

    @Option(name: .long, help: "Folder with the sensor registry YAML (default ./Sensors).")
    var sensors: String?

    @Option(name: .long, help: "Folder with pipeline definitions (default ./Pipelines).")
    var pipelines: String?

    @Option(name: .long, help: "Folder with dashboard definitions (default ./Dashboards).")
    var dashboards: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical (env LANTAARN_LOG_LEVEL).")
    var logLevel: String?

    /// The effective settings: flags over environment over config file over defaults.
    func settings() throws -> Settings {
        var s = Settings()
        let file = try ConfigFile.load(explicitPath: config)
        try file.apply(to: &s)
        try s.applyEnvironment()
        if let dataDir { s.dataDirectory = dataDir }
        if let store { s.storeURL = try Settings.storeURL(store, "--store") }
        if let sensors { s.sensorDirectory = sensors }
        if let pipelines { s.pipelineDirectory = pipelines }
        if let dashboards { s.dashboardDirectory = dashboards }
        if let logLevel { s.logLevel = logLevel }
        LoggingSetup.bootstrap(level: s.logLevel)
        return s
    }
}
