import LantaarnModel

/// How long something is kept, and why (Archiefwet: the Selectielijst category or other legal basis).
public struct RetentionPolicy: Sendable, Hashable, CustomStringConvertible {
    /// Retention period, milliseconds.
    public var keep: Int64
    /// The period as written (`5y`), for the destruction log.
    public var text: String
    /// Legal basis or Selectielijst category.
    public var basis: String

    /// Parses `keep` (e.g. `5y`, `90d`); `nil` when it is not a duration.
    public init?(keep text: String, basis: String) {
        guard let ms = DurationText.milliseconds(text), ms > 0 else { return nil }
        keep = ms
        self.text = text.trimmingSpaces()
        self.basis = basis
    }

    /// A period already in milliseconds (a Selectielijst term), shown as `text`.
    public init(milliseconds: Int64, text: String, basis: String) {
        keep = milliseconds
        self.text = text
        self.basis = basis
    }

    public var description: String { "keep \(text)" }
}

/// The policies a purge applies.
public struct RetentionPolicies: Sendable {
    /// Sensor readings (chunks and the open buffer).
    public var readings: RetentionPolicy
    /// Per dataset; a dataset without an entry is kept.
    public var datasets: [String: RetentionPolicy]
    /// Closed meldingen (the minimised records), counted from their closing; `nil`: kept.
    public var meldingen: RetentionPolicy?
    /// Scrubbed melding text, when an internal text dataset is kept, counted from reporting.
    public var meldingText: RetentionPolicy?
    /// Quarantined raw input (payloads and file lines as received), counted from receipt;
    /// `nil`: kept. Raw input may hold what a sensor should not have sent, so it follows the
    /// ingest log's retention.
    public var quarantine: RetentionPolicy?
    /// Only these subjects, each as ``key(_:_:)`` of a destruction record's kind and subject
    /// (`readings` `sensor/quantity`, `dataset` NAME, `meldingen` `meldingen/SOURCE`,
    /// `melding-text` `meldingen/text`, `quarantine` `quarantine/SOURCE`); `nil`: everything past
    /// its retention. An approved destruction list destroys what it names and nothing else.
    public var only: Set<String>?

    public init(readings: RetentionPolicy, datasets: [String: RetentionPolicy], meldingen: RetentionPolicy? = nil,
                meldingText: RetentionPolicy? = nil, quarantine: RetentionPolicy? = nil, only: Set<String>? = nil) {
        self.readings = readings
        self.datasets = datasets
        self.meldingen = meldingen
        self.meldingText = meldingText
        self.quarantine = quarantine
        self.only = only
    }

    /// The entry of ``only`` for a record of `kind` about `subject`.
    public static func key(_ kind: String, _ subject: String) -> String { kind + "\t" + subject }

    /// Whether a destruction of `subject` (a record of `kind`) may happen under these policies.
    public func includes(_ kind: String, _ subject: String) -> Bool { only?.contains(Self.key(kind, subject)) ?? true }
}
