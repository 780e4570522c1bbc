import Ingest
import Logging
import MQTTClient
import ServiceLifecycle

/// Runs the simulator inside `serve --demo`, so the dashboard fills with live data.
struct DemoSimulatorService: Service {
    let endpoint: MQTTEndpoint
    let registry: SensorRegistry
    let rate: Double
    let backlogHours: Int
    let logger: Logger

    func run() async throws {
        // Give the subscriber a moment to connect so the first readings are live ones.
        try? await Task.sleep(for: .seconds(1))
        let run = SimulationRun(endpoint: endpoint, registry: registry, rate: rate, duration: nil,
                                backlogHours: backlogHours, logger: logger)
        do {
            _ = try await run.run { Task.isShuttingDownGracefully || Task.isCancelled }
        } catch {
            // The demo must not take the server down with it; log and stop simulating.
            logger.error("demo simulator stopped", metadata: ["error": "\(error)"])
        }
        try? await gracefulShutdown()
    }
}

// ServiceLifecycle logs each service by `"\(service)"`; without this, Swift reflects the whole
// value (registry, boundaries, catalog), which took about 0.6 s of CPU at every start.
extension DemoSimulatorService: CustomStringConvertible {
    var description: String { "DemoSimulatorService" }
}
