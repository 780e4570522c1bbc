import LantaarnModel

/// A legal hold ("hotspot"): data of a sensor or dataset in a time range that must
/// not be destroyed, whatever its retention says.
public struct LegalHold: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case sensor, dataset
    }

    public var id: Int64
    public var kind: Kind
    /// Sensor id or dataset name.
    public var subject: String
    public var window: TimeWindow
    public var reason: String
    public var createdAt: Int64

    public init(id: Int64, kind: Kind, subject: String, window: TimeWindow, reason: String, createdAt: Int64) {
        self.id = id
        self.kind = kind
        self.subject = subject
        self.window = window
        self.reason = reason
        self.createdAt = createdAt
    }

    /// True when the hold covers any part of `[start, end]` of `subject`.
    func covers(_ kind: Kind, _ subject: String, start: Int64, end: Int64) -> Bool {
        self.kind == kind && self.subject == subject && window.start <= end && window.end > start
    }
}

/// One entry of the append-only destruction log.
public struct DestructionRecord: Sendable, Hashable {
    public var destroyedAt: Int64
    /// `readings`, `dataset` or `ingest-log`.
    public var kind: String
    /// Series (`sensor/quantity`), dataset name, or log segment.
    public var subject: String
    public var window: TimeWindow
    /// Readings or rows destroyed.
    public var readings: Int
    /// Policy applied, e.g. `keep 5y`.
    public var policy: String
    public var basis: String

    public init(destroyedAt: Int64, kind: String, subject: String, window: TimeWindow, readings: Int, policy: String, basis: String) {
        self.destroyedAt = destroyedAt
        self.kind = kind
        self.subject = subject
        self.window = window
        self.readings = readings
        self.policy = policy
        self.basis = basis
    }
}

/// What a purge did (or, in a dry run, would do).
public struct PurgeReport: Sendable {
    public var destroyed: [DestructionRecord] = []
    /// Holds that kept data the policy would otherwise destroy, with how much they kept.
    public var held: [(hold: LegalHold, readings: Int)] = []
    public var dryRun: Bool

    public init(dryRun: Bool) { self.dryRun = dryRun }

    /// Readings and dataset rows destroyed.
    public var total: Int { destroyed.reduce(0) { $0 + $1.readings } }
}
