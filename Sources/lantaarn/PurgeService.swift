import LantaarnModel
import Logging
import Pipelines
import ServiceLifecycle

/// The purge inside `serve`, first an hour after start (not during start-up):
/// - on a node with the scheduler role that holds the scheduler lease (with several nodes on
///   one PostgreSQL store, only the one that schedules), so a destruction is done and logged
///   once: every hour, the destruction lists approved since; every 24 hours, unmatched ANPR
///   sightings, and a new destruction list of what is past its retention, for an archivist;
/// - every hour, on every node, what the node keeps on its own disk (its ingest log, pseudonym
///   keys, and kept downloads that a purge on any node made stale).
struct PurgeService: Service {
    let runtime: Runtime
    let catalog: PipelineCatalog
    /// Whether this node may take the store's purge (it has the scheduler role).
    let purgesStore: Bool
    let logger: Logger

    func run() async throws {
        var nextStorePurge = Int64.min
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(3600)) }
            } catch {
                return
            }
            let now = Clock.nowMilliseconds()
            let run = RetentionRun(runtime: runtime, catalog: catalog)
            var outcome = RetentionRun.Outcome(report: .init(dryRun: false), segments: [])
            do {
                if purgesStore {
                    if runtime.store.schedulerLease.acquire() {
                        // Lists approved (in the console or on the command line) are carried out within the hour.
                        let lists = DestructionLists(run: run)
                        for (change, result) in try lists.carryOutApproved(now: now) {
                            switch result {
                            case .success(let done):
                                logger.info("destruction list carried out", metadata: ["list": "\(change.id)", "destroyed": "\(done.report.total + done.auditEntries)"])
                                outcome.merge(done)
                            case .failure(let error):
                                logger.error("destruction list not carried out", metadata: ["list": "\(change.id)", "error": "\(error)"])
                            }
                        }
                        if now >= nextStorePurge {
                            try run.purgeSightings(now: now, into: &outcome)
                            let proposal = try lists.propose(now: now)
                            if proposal.new, let change = proposal.change {
                                logger.info("destruction list drawn up; it waits for an archivist's approval",
                                            metadata: ["list": "\(change.id)", "items": "\(proposal.list.items.count)"])
                            }
                            nextStorePurge = now + 86_400_000
                        }
                    } else {
                        logger.debug("store purge left to the node that schedules")
                    }
                }
                try run.purgeNodeLocal(now: now, into: &outcome)
                let destroyed = outcome.report.total + outcome.segments.count + outcome.keysDestroyed + outcome.downloadsCleared.count
                    + outcome.auditEntries
                logger.log(level: destroyed > 0 ? .info : .debug, "purge done", metadata: [
                    "purge.destroyed": "\(outcome.report.total)", "purge.held": "\(outcome.report.held.count)",
                    "purge.segments": "\(outcome.segments.count)", "purge.keys": "\(outcome.keysDestroyed)",
                    "purge.downloads": "\(outcome.downloadsCleared.count)", "purge.audit": "\(outcome.auditEntries)",
                ])
            } catch {
                logger.error("purge failed; retrying in an hour", metadata: ["error": "\(error)"])
            }
        }
    }
}

// ServiceLifecycle logs each service by `"\(service)"`; without this, Swift reflects the whole
// value (registry, boundaries, catalog), which took about 0.6 s of CPU at every start.
extension PurgeService: CustomStringConvertible {
    var description: String { "PurgeService" }
}
