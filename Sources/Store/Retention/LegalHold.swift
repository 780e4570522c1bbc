import LantaarnModel

/// A legal hold ("hotspot"): data of a sensor, dataset, wijk or melding category in a time
/// range that must not be destroyed, whatever its retention says.
///
/// Which holds cover which data the purge destroys (time: the hold's range overlaps the data's):
///
/// | data | held by |
/// |---|---|
/// | readings (sealed chunks, open buffer) | `sensor` (its id), `wijk` (its series' wijk) |
/// | dataset releases and rows, kept downloads | `dataset` |
/// | meldingen, their scrubbed text | `wijk`, `category` (hoofdcategorie); from report to closing |
/// | quarantined input | `sensor` (when the message named one) |
/// | ingest-log segments | `sensor`, `wijk` (a segment mixes sensors: any such hold on its time range keeps it) |
/// | ANPR sightings | `sensor` naming the camera |
/// | pseudonym keys | `sensor` naming a camera of an ANPR pipeline, over the key's week |
public struct LegalHold: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case sensor, dataset, wijk, category
    }

    public var id: Int64
    public var kind: Kind
    /// Sensor id (or ANPR camera), dataset name, wijk code, or melding hoofdcategorie.
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
    public func covers(_ kind: Kind, _ subject: String, start: Int64, end: Int64) -> Bool {
        self.kind == kind && self.subject == subject && window.start <= end && window.end > start
    }

    /// The first of `holds` that covers any part of `[start, end]` of one of `subjects`.
    public static func first(_ holds: [LegalHold], covering subjects: [(Kind, String?)], start: Int64, end: Int64) -> LegalHold? {
        holds.first { h in subjects.contains { kind, subject in subject.map { h.covers(kind, $0, start: start, end: end) } ?? false } }
    }

    /// SQL that is true when a hold of one of `kinds` on the subject in the given column covers
    /// the time in `time` (or the span from `time` to `end`).
    package static func sqlCovered(_ subjects: [(kind: Kind, column: String)], time: String, end: String? = nil) -> String {
        let match = subjects.map { "(h.kind = '\($0.kind.rawValue)' AND h.subject = \($0.column))" }.joined(separator: " OR ")
        return "EXISTS (SELECT 1 FROM legal_hold h WHERE (\(match)) AND h.window_start <= \(end ?? time) AND h.window_end > \(time))"
    }
}

/// One entry of the append-only destruction log.
public struct DestructionRecord: Sendable, Hashable {
    public var destroyedAt: Int64
    /// `readings`, `dataset`, `meldingen`, `melding-text`, `quarantine`, `ingest-log`,
    /// `anpr-sightings` or `pseudonym-key`.
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
    /// The file rewritten after backfills left its chunk pages part empty: bytes before and after.
    public var compacted: (before: Int64, after: Int64)?

    public init(dryRun: Bool) { self.dryRun = dryRun }

    /// Readings and dataset rows destroyed.
    public var total: Int { destroyed.reduce(0) { $0 + $1.readings } }
}
