/// Who may run the pipeline scheduler. With several `serve` nodes only one schedules at a time,
/// so no window is computed twice; the others wait as candidates and take over when the leader
/// is gone.
public protocol SchedulerLease: Sendable {
    /// Whether this node holds the lease now, taking it when it is free. Cheap enough to ask
    /// every few seconds.
    func acquire() -> Bool

    /// Gives the lease up (at shutdown), so a candidate takes over without waiting.
    func release()
}

/// The lease of a single node (the SQLite default): always held.
public struct SingleNodeLease: SchedulerLease {
    public init() {}
    public func acquire() -> Bool { true }
    public func release() {}
}
