import Logging
import Pipelines
import ServiceLifecycle

/// The daily purge inside `serve`: first an hour after start (not during start-up), then every 24 hours.
struct PurgeService: Service {
    let runtime: Runtime
    let catalog: PipelineCatalog
    let logger: Logger

    func run() async throws {
        var delay = Duration.seconds(3600)
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let wait = delay
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            } catch {
                return
            }
            delay = .seconds(86_400)
            do {
                let outcome = try RetentionRun(runtime: runtime, catalog: catalog).run(dryRun: false)
                logger.info("daily purge done", metadata: [
                    "purge.destroyed": "\(outcome.report.total)", "purge.held": "\(outcome.report.held.count)",
                    "purge.segments": "\(outcome.segments.count)",
                ])
            } catch {
                logger.error("daily purge failed; retrying tomorrow", metadata: ["error": "\(error)"])
            }
        }
    }
}

// ServiceLifecycle logs each service by `"\(service)"`; without this, Swift reflects the whole
// value (registry, boundaries, catalog), which took about 0.6 s of CPU at every start.
extension PurgeService: CustomStringConvertible {
    var description: String { "PurgeService" }
}
