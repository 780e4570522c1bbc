import LantaarnModel
import Logging
import ServiceLifecycle
import Store

/// Runs pipelines on their cron schedule inside `serve`, catching up on closed
/// windows oldest first after downtime. Every minute it also computes again the published
/// windows whose readings changed (stale windows), once their changes have settled.
///
/// With several nodes, only the holder of the ``SchedulerLease`` schedules; the others ask for it
/// every ``leaseCheck`` and, on taking it over, run every pipeline's due windows at once (catching
/// up on what the old leader left), not at their next cron minute.
public struct PipelineScheduler: Service {
    /// How the scheduler decides when to run.
    public enum Cadence: Sendable {
        /// Each pipeline's own cron expression.
        case cron
        /// Every pipeline at a fixed interval (demo mode), first after `initialDelay`.
        case every(Duration, initialDelay: Duration)
    }

    private let catalog: any PipelineSource
    private let runner: PipelineRunner
    private let cadence: Cadence
    private let catchUp: Int64
    private let lateness: Int64
    private let recomputeAfter: Int64
    private let lease: any SchedulerLease
    private let leaseCheck: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - catalog: the pipelines, asked again every round (under four-eyes, the approved versions).
    ///   - catchUp: how far back missed windows are run after downtime (ms).
    ///   - lateness: closed windows this recent (ms) are recomputed on every run to include late readings.
    ///   - recomputeAfter: a stale window is computed again once its readings have not changed
    ///     for this long (ms), so a burst of backfill batches recomputes it once.
    public init(catalog: any PipelineSource, runner: PipelineRunner, cadence: Cadence,
                catchUp: Int64 = 7 * 86_400_000, lateness: Int64 = 2 * TimeBucket.hour,
                recomputeAfter: Int64 = 2 * 60_000, lease: any SchedulerLease = SingleNodeLease(), leaseCheck: Duration = .seconds(2),
                logger: Logger) {
        self.catalog = catalog
        self.runner = runner
        self.cadence = cadence
        self.catchUp = catchUp
        self.lateness = lateness
        self.recomputeAfter = recomputeAfter
        self.lease = lease
        self.leaseCheck = leaseCheck
        self.logger = logger
    }

    public func run() async throws {
        defer { lease.release() }
        var leadership = Leadership()
        switch cadence {
        case .every(let interval, let initialDelay):
            try? await Task.sleep(for: initialDelay)
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                guard leadership.check(lease, logger) != .candidate else { try? await sleepUnlessShutdown(leaseCheck); continue }
                for p in catalog.currentPipelines() { runDue(p) }
                try? await sleepUnlessShutdown(interval)
            }
        case .cron:
            var retries = RetryState()
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let role = leadership.check(lease, logger)
                guard role != .candidate else { try? await sleepUnlessShutdown(leaseCheck); continue }
                let now = Clock.nowMilliseconds()
                let minute = TimeBucket.floor(now, size: 60_000)
                for p in catalog.currentPipelines() {
                    if p.schedule.fires(at: minute) || retries.due(p.name, now: now) || role == .tookOver {
                        retries.record(p.name, succeeded: runDue(p), now: now)
                    } else if retries.next(p.name) == nil {
                        retries.record(p.name, succeeded: runDue(p, scheduled: false), now: now)
                    }
                }
                // The next minute; a leader also checks its lease meanwhile, as often as candidates do.
                let next = ContinuousClock.now + .milliseconds(minute + 60_000 - Clock.nowMilliseconds() + 50)
                while ContinuousClock.now < next, !Task.isShuttingDownGracefully, !Task.isCancelled, lease.acquire() {
                    try? await sleepUnlessShutdown(min(leaseCheck, next - ContinuousClock.now))
                }
            }
        }
    }

    /// Whether this node schedules, as the lease says from one check to the next.
    struct Leadership {
        enum Role { case candidate, leader, tookOver }
        private var leading = false
        private var waited = false

        /// `tookOver` the first time the lease is held after another node held it.
        mutating func check(_ lease: any SchedulerLease, _ logger: Logger) -> Role {
            let held = lease.acquire()
            defer { leading = held }
            guard held else {
                if leading { logger.warning("scheduler lease lost; this node waits as a candidate") }
                if !waited { logger.info("another node schedules the pipelines; this node waits as a candidate") }
                waited = true
                return .candidate
            }
            guard !leading else { return .leader }
            if waited { logger.info("scheduler lease taken over; catching up on every pipeline") }
            return waited ? .tookOver : .leader
        }
    }

    /// Failed pipelines are retried after 1, 2, 4, ... minutes (at most an hour apart), besides
    /// their own schedule, until a run succeeds.
    struct RetryState {
        private var pending: [String: (attempts: Int, at: Int64)] = [:]

        func due(_ name: String, now: Int64) -> Bool { pending[name].map { $0.at <= now } ?? false }

        /// When the next retry of `name` is, if one is pending.
        func next(_ name: String) -> Int64? { pending[name]?.at }

        mutating func record(_ name: String, succeeded: Bool, now: Int64) {
            guard !succeeded else { pending[name] = nil; return }
            let attempts = (pending[name]?.attempts ?? 0) + 1
            let minutes = Int64(min(60, 1 << min(attempts - 1, 6)))
            pending[name] = (attempts, TimeBucket.floor(now, size: 60_000) + minutes * 60_000)
        }
    }

    private func sleepUnlessShutdown(_ d: Duration) async throws {
        try await cancelWhenGracefulShutdown { try await Task.sleep(for: d) }
    }

    /// Runs the windows due for `p` (when `scheduled`: its cron fired) and its settled stale
    /// windows; a failure is logged (and recorded by the runner) and retried with backoff.
    /// Returns whether it succeeded.
    @discardableResult
    func runDue(_ p: PipelineDefinition, scheduled: Bool = true) -> Bool {
        do {
            let now = Clock.nowMilliseconds()
            var results: [PipelineRunner.WindowResult] = []
            if scheduled, let range = try runner.dueWindows(p, now: now, catchUp: catchUp, lateness: lateness) {
                results = try runner.run(p, over: range)
            }
            // After the due run: the windows it published saw every change so far. Only windows
            // of the pipeline's current length: a release made before its window length changed
            // is not superseded by a recompute (other window starts), so it would stay stale and
            // be computed again every minute. `pipeline stale` still lists it; `pipeline backfill`
            // republishes that period under the new length.
            let stale = try runner.staleWindows(p).filter {
                $0.lastChangeAt <= now - recomputeAfter && p.calendar.windows(in: $0.window) == [$0.window]
            }
            let recomputed = try runner.recompute(p, stale)
            if !stale.isEmpty {
                logger.info("stale windows computed again", metadata: [
                    "pipeline.name": "\(p.name)", "pipeline.windows": "\(recomputed.count)",
                    "pipeline.first_window": "\(ISO8601.format(milliseconds: stale[0].window.start))",
                ])
            }
            results += recomputed
            if !results.isEmpty { runner.refreshDisclosureReports(after: p) }
            if scheduled {
                logger.info("scheduled pipeline run done", metadata: [
                    "pipeline.name": "\(p.name)", "pipeline.windows": "\(results.count)",
                    "pipeline.rows_out": "\(results.reduce(0) { $0 + $1.rowsOut })",
                ])
            }
            return true
        } catch {
            logger.error("scheduled pipeline run failed; retrying with backoff",
                         metadata: ["pipeline.name": "\(p.name)", "error": "\(error)"])
            return false
        }
    }
}

// ServiceLifecycle logs each service by `"\(service)"`; without this, Swift reflects the whole
// value (registry, boundaries, catalog), which took about 0.6 s of CPU at every start.
extension PipelineScheduler: CustomStringConvertible {
    public var description: String { "PipelineScheduler" }
}
