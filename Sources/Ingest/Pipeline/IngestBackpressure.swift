#if canImport(Glibc)
import Glibc
#endif
import Logging
import Synchronization

/// Pauses the MQTT subscriber while the ingest log holds more than `limit` bytes the
/// consumer has not committed yet. The subscriber's network thread blocks in
/// ``waitForRoom(_:)``: it reads nothing more from the broker, which keeps the
/// unacknowledged messages of our persistent session. Nothing is dropped.
final class IngestBackpressure: Sendable {
    let limit: Int64
    private let paused = Atomic<Bool>(false)
    private let logger: Logger

    init(limit: Int64, logger: Logger) {
        precondition(limit > 0, "the ingest-log limit must be positive")
        self.limit = limit
        self.logger = logger
    }

    /// True while the subscriber waits for the consumer.
    var isPaused: Bool { paused.load(ordering: .relaxed) }

    /// Returns at once while the backlog is within the limit; otherwise blocks until it is.
    func waitForRoom(_ writer: IngestLogWriter) {
        guard writer.backlog > limit else { return }
        paused.store(true, ordering: .relaxed)
        logger.warning("ingest paused: the consumer is behind; the broker keeps new messages until it catches up",
                       metadata: ["ingest.backlog_bytes": "\(writer.backlog)", "ingest.backlog_limit": "\(limit)"])
        while writer.backlog > limit { usleep(20_000) }
        paused.store(false, ordering: .relaxed)
        logger.info("ingest resumed", metadata: ["ingest.backlog_bytes": "\(writer.backlog)"])
    }
}
