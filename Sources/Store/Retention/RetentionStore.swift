import LantaarnModel

/// Legal holds and the append-only destruction log: what stops a destruction, and the record of
/// every one.
public protocol LegalHoldStore: Sendable {
    /// Places a legal hold; returns its id.
    @discardableResult
    func addHold(kind: LegalHold.Kind, subject: String, window: TimeWindow, reason: String) throws -> Int64
    /// Lifts hold `id`; throws when there is no such hold.
    func removeHold(id: Int64) throws
    /// Every hold, oldest first.
    func holds() throws -> [LegalHold]
    /// Every destruction, oldest first.
    func destructionLog() throws -> [DestructionRecord]
    /// Records destructions done outside the store (ingest-log segments, keys, kept downloads).
    func recordDestruction(_ records: [DestructionRecord]) throws
}

/// Retention: the purge, over legal holds and the destruction log.
public protocol RetentionStore: LegalHoldStore {
    /// Destroys what is past its retention, except what a legal hold covers, and logs every
    /// destruction, in one transaction (a dry run only reports).
    func purge(_ policies: RetentionPolicies, now: Int64, dryRun: Bool) throws -> PurgeReport
}
