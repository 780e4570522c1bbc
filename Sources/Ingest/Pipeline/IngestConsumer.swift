import LantaarnModel
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// Reads the ingest log from the committed offset, validates, and commits batches
/// to the store together with the new offset (one transaction per batch).
///
/// On graceful shutdown it drains what the log holds before returning, so
/// everything acknowledged to the broker is committed.
public final class IngestConsumer: Service, Sendable {
    /// Messages per transaction at most.
    public static let batchSize = 5000

    private let source: String
    private let reader: IngestLogReader
    private let writer: IngestLogWriter
    private let store: any ReadingStore
    private let validator: ReadingValidator
    private let logger: Logger
    /// Counters for health and metrics.
    public let stats: IngestStats
    /// The last messages across all sensors, to drop a copy the network or the broker delivers again.
    private let recent = Mutex(RecentMessages())
    /// Spike, stuck and gap marks per series.
    private let quality = Mutex(QualityTracker())
    /// Quarantined values waiting for their sensor's next log line (at most one a minute).
    private let quarantineLog = Mutex(QuarantineLog())

    /// Creates a consumer for the log written by `writer`.
    public init(source: String, logDirectory: String, writer: IngestLogWriter, store: any ReadingStore,
                validator: ReadingValidator, logger: Logger,
                stats: IngestStats = IngestStats()) throws {
        self.source = source
        self.reader = try IngestLogReader(directory: logDirectory)
        self.writer = writer
        self.store = store
        self.validator = validator
        self.logger = logger
        self.stats = stats
    }

    public func run() async throws {
        var offset = try store.committedOffset(source: source)
        writer.markConsumed(offset)
        try rememberCommitted(before: offset)
        logger.info("ingest consumer started", metadata: ["ingest.source": "\(source)", "ingest.offset": "\(offset)"])
        var lastSeal: Int64 = 0
        var pausedSince: Int64?, warned: Int64 = 0
        // Whether to compare the offset with the store's before the next commit (after a failure,
        // and every minute).
        var resync = false
        while true {
            let now = Clock.nowMilliseconds()
            let draining = Task.isShuttingDownGracefully || Task.isCancelled
            let committed: Int
            do {
                if resync {
                    try resynchronise(&offset)
                    resync = false
                }
                if now - lastSeal >= 60_000 {
                    // Windows of sensors that went quiet close by the clock, not by a newer reading.
                    lastSeal = now
                    resync = true
                    let moved = try store.sealExpired(now: now)
                    if moved > 0 { logger.debug("sealed expired windows", metadata: ["store.readings": "\(moved)"]) }
                }
                committed = try step(from: &offset)
                logQuarantines(now: now)
                if let since = pausedSince {
                    logger.notice("ingest resumed: the store accepts writes again",
                                  metadata: ["ingest.paused_seconds": "\((now - since) / 1000)", "ingest.offset": "\(offset)"])
                    pausedSince = nil
                }
            } catch {
                // A full disk (or another write failure) pauses ingest: the transaction rolled
                // back, the messages wait in the ingest log, and the subscriber stops taking more
                // once the log reaches its limit. Retried until it succeeds.
                if draining { throw error }
                resync = true
                if pausedSince == nil { pausedSince = now }
                if now - warned >= 10_000 {
                    warned = now
                    logger.critical("ingest paused: cannot commit to the store; nothing is lost (the messages wait in the ingest log); free disk space and ingest resumes by itself",
                                    metadata: ["error": "\(error)", "ingest.offset": "\(offset)"])
                }
                try? await Task.sleep(for: .milliseconds(500))
                continue
            }
            if committed == 0 && draining { break }
            if committed < Self.batchSize && !draining {
                // Let the next batch gather: each commit costs per series touched, so a few
                // large transactions use far less CPU than many small ones (at most 20 ms later).
                // Not while the subscriber holds PUBACKs until the commit (`ack_after: store`):
                // nothing more arrives until then, so waiting only adds latency.
                try? await Task.sleep(for: writer.commitAwaited ? .microseconds(200) : .milliseconds(20))
            }
        }
        logQuarantines(now: Clock.nowMilliseconds(), flush: true)
        logger.info("ingest consumer stopped; log drained", metadata: ["ingest.offset": "\(offset)"])
    }

    /// Logs the quarantines that are due: a sensor's first at once, then at most one line a
    /// minute per sensor (`QuarantineLog`); with `flush`, whatever is still waiting.
    public func logQuarantines(now: Int64, flush: Bool = false) {
        let lines = quarantineLog.withLock { $0.due(now: now, flush: flush) }
        for line in lines {
            let what = "\(line.values) reading\(line.values == 1 ? "" : "s") or message\(line.values == 1 ? "" : "s")"
            logger.info(line.first ? """
                sensor \(line.sensor): \(what) went to quarantine instead of the store: \(line.reason). \
                Review them with `lantaarn quarantine list`; `lantaarn quarantine replay` stores them once the cause is fixed. \
                Further ones from this sensor are logged as a count, once a minute at most
                """ : """
                sensor \(line.sensor): \(what) went to quarantine in the last \(max(1, line.period / 1000)) s; the first because: \
                \(line.reason). Review them with `lantaarn quarantine list`
                """, metadata: ["sensor": "\(line.sensor)", "ingest.quarantined": "\(line.values)"])
        }
    }

    /// Resumes from the store's committed offset when it differs from this consumer's. Behind: after a
    /// PostgreSQL failover, the promoted standby may lack the last commits of the old primary
    /// (asynchronous replication). Those messages are still in the ingest log (it is trimmed only
    /// up to the store's offset) and are read and committed again; the duplicate filter forgets
    /// them first, or they would look like copies.
    func resynchronise(_ offset: inout Int64) throws {
        let stored = try store.committedOffset(source: source)
        guard stored != offset else { return }
        if stored < offset {
            logger.warning("the store holds less than this node committed (a failover lost its last commits); reading them again from the ingest log",
                           metadata: ["ingest.offset": "\(offset)", "store.offset": "\(stored)"])
        } else {
            // A commit that reported a failure but was done (the connection dropped after COMMIT).
            logger.notice("the store holds a commit this node saw fail; going on after it",
                          metadata: ["ingest.offset": "\(offset)", "store.offset": "\(stored)"])
        }
        offset = stored
        writer.markConsumed(offset)
        recent.withLock { $0 = RecentMessages() }
        try rememberCommitted(before: offset)
    }

    /// Fills the duplicate filter with the messages committed last, so that a copy the broker
    /// delivers again after a crash (written to the log, killed before the PUBACK) is dropped.
    public func rememberCommitted(before offset: Int64) throws {
        let records = try reader.records(before: offset, count: RecentMessages.capacity)
        recent.withLock { recent in
            for outcome in validator.validate(records, source: source) {
                if let identity = outcome.identity { _ = recent.insert(identity) }
            }
        }
    }

    /// Processes one batch; returns how many log records it consumed.
    @discardableResult
    public func step(from offset: inout Int64) throws -> Int {
        let batch = try reader.read(from: offset, end: writer.end, maxRecords: Self.batchSize)
        for d in batch.damage { logger.error("\(d)") }
        guard batch.nextOffset != offset else { return 0 }
        var readings: [Reading] = []
        var rejected: [QuarantineEntry] = []
        var messages: [IngestStats.Message] = []
        readings.reserveCapacity(batch.entries.count * 2)
        messages.reserveCapacity(batch.entries.count)
        // Messages are remembered as seen only once their batch is committed: a batch whose
        // commit fails (a full disk) is read again, and must not then look like copies.
        var fresh: [RecentMessages.Key] = []
        var inBatch = Set<RecentMessages.Key>()
        // Likewise the quality marks: a failed batch's readings are judged again on the retry,
        // against the state from before it, not against themselves.
        var committed = false
        quality.withLock { $0.begin() }
        defer { quality.withLock { committed ? $0.commit() : $0.rollback() } }
        let outcomes = validator.validate(batch.entries.map(\.record), source: source)
        for (entry, outcome) in zip(batch.entries, outcomes) {
            var message = IngestStats.Message(sensorID: outcome.sensorID, topic: entry.record.origin, outcome: .stored,
                                              valuesStored: outcome.readings.count, valuesQuarantined: outcome.quarantined.count,
                                              valuesIgnored: outcome.ignored, receivedAt: entry.record.receivedAt)
            let copy = outcome.identity.map { identity in
                recent.withLock { $0.contains(identity) } || !inBatch.insert(identity).inserted
            } ?? false
            if let identity = outcome.identity, !copy { fresh.append(identity) }
            if copy {
                message.outcome = .duplicate
                message.valuesStored = 0
                message.valuesQuarantined = 0
                message.valuesIgnored = 0
            } else {
                // Quarantined only when something was rejected and nothing kept; a frame of vendor
                // housekeeping alone (all fields ignored) was accepted.
                message.outcome = outcome.readings.isEmpty && !outcome.quarantined.isEmpty ? .quarantined : .stored
                let sensor = outcome.sensorID.flatMap { validator.registry.sensors[$0] }
                quality.withLock { tracker in
                    for var r in outcome.readings {
                        if let spec = sensor?.quantities[r.series.quantity] { r.flags = tracker.flags(for: r, spec: spec) }
                        readings.append(r)
                    }
                }
                rejected.append(contentsOf: outcome.quarantined)
            }
            messages.append(message)
        }
        let result = try store.append(IngestBatch(readings: readings, quarantined: rejected, source: source, offset: batch.nextOffset))
        committed = true
        recent.withLock { recent in for identity in fresh { _ = recent.insert(identity) } }
        offset = batch.nextOffset
        writer.markConsumed(offset)
        stats.record(messages, totals: .init(readings: result.stored, quarantined: rejected.count, conflicts: result.conflicts,
                                             withoutWijk: readings.lazy.filter { $0.wijk == nil }.count,
                                             damaged: batch.damage.count, offset: offset))
        if !rejected.isEmpty || result.conflicts > 0 {
            let registered = validator.registry.sensors
            let now = Clock.nowMilliseconds()
            quarantineLog.withLock { log in
                for q in rejected { log.record(sensor: q.sensorID.flatMap { registered[$0] == nil ? nil : $0 }, reason: q.reason, at: now) }
                for (sensor, count) in result.conflictsBySensor {
                    log.record(sensor: sensor, reason: "readings at a time already stored with another value (conflicts): the stored value stays; 'lantaarn quarantine list' shows both",
                               count: count, at: now)
                }
            }
        }
        return batch.entries.count + batch.damage.count
    }
}
