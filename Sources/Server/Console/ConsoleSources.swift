import LantaarnModel
import Store

/// What the staff console shows and does beyond the store's staff domain, handed in by the
/// node that serves it (so the server does not build pipelines or validators itself).
public struct ConsoleSources: Sendable {
    /// Four-eyes proposals and decisions.
    public var desk: ApprovalDesk
    /// Legal holds in force.
    public var holds: @Sendable () throws -> [LegalHold]
    /// Published windows whose input changed since, per pipeline.
    public var staleWindows: @Sendable () throws -> [(pipeline: String, window: StaleWindow)]
    /// Quarantined messages, newest first (at most a few thousand).
    public var quarantine: @Sendable () throws -> [QuarantineEntry]
    /// Runs the due windows of a pipeline now (the version in force); returns what it did, in Dutch.
    public var retry: @Sendable (String) throws -> String
    /// Validates the quarantine again and stores what passes now; returns what it did, in Dutch.
    public var replay: @Sendable () throws -> String
    /// Pipelines whose file on disk waits for approval: name and the version running (or `nil`).
    public var waiting: @Sendable () throws -> [(pipeline: String, running: String?)]
    /// Whether this node receives sensor messages itself (its ingest counters say who is silent);
    /// an HTTP-only node of a cluster does not know.
    public var ingestsHere = true

    public init(desk: ApprovalDesk, holds: @escaping @Sendable () throws -> [LegalHold],
                staleWindows: @escaping @Sendable () throws -> [(pipeline: String, window: StaleWindow)],
                quarantine: @escaping @Sendable () throws -> [QuarantineEntry],
                retry: @escaping @Sendable (String) throws -> String, replay: @escaping @Sendable () throws -> String,
                waiting: @escaping @Sendable () throws -> [(pipeline: String, running: String?)] = { [] }) {
        self.desk = desk
        self.holds = holds
        self.staleWindows = staleWindows
        self.quarantine = quarantine
        self.retry = retry
        self.replay = replay
        self.waiting = waiting
    }
}
