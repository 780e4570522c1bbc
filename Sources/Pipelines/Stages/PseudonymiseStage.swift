import LantaarnModel

/// Replaces an identifying field (a number plate) by HMAC-SHA256 under a key of the period
/// it falls in (a Dutch week). The key lives in the data directory (0600) and is destroyed
/// when the period and `pseudonymKeyRetention` have passed, after which no pseudonym can be
/// traced back. The stage runs where the data comes in, before anything is stored: an ANPR
/// pipeline must start with it.
public struct PseudonymiseStage: Stage, Hashable {
    static let kind = "pseudonymise"
    static let role = StageRole.rowLevel
    static let inputs: Set<PipelineDefinition.Input.Kind> = [.anpr]
    static let fields: [String: YAMLSourceMap.Schema] = ["field": .any, "key_period": .any]

    /// The field replaced; for ANPR input the plate.
    public var field: String

    struct Raw: Decodable {
        var field: String
        var key_period: String?
    }

    public init(field: String = "kenteken") { self.field = field }

    static func refusal(for input: PipelineDefinition.Input) -> String {
        "only ANPR input carries an identifier to pseudonymise; \(input.name) has none"
    }

    init(_ raw: Raw, context: StageParseContext) throws {
        guard raw.field == "kenteken" else {
            throw context.fail("field", "ANPR events have one identifying field: kenteken")
        }
        guard raw.key_period == nil || raw.key_period == "week" else {
            throw context.fail("key_period", "keys are kept per Dutch week (Monday 00:00); use week")
        }
        self.init(field: raw.field)
    }

    /// The pseudonym of `value` seen at `timestamp`.
    public func apply(_ value: String, at timestamp: Int64, keyring: PseudonymKeyring) throws -> String {
        try keyring.pseudonym(value, at: timestamp)
    }

    /// The pseudonym of `value` seen at `timestamp`, and, when next week's key starts within
    /// `overlap` (the longest trip), its pseudonym under that key too: a trip that starts before
    /// Monday 00:00 and ends after it then still matches. Both go when the sighting is dropped.
    public func apply(_ value: String, at timestamp: Int64, overlap: Int64, keyring: PseudonymKeyring) throws -> (String, next: String?) {
        let current = try keyring.pseudonym(value, at: timestamp)
        guard overlap > 0, DutchTime.weekStart(timestamp + overlap) != DutchTime.weekStart(timestamp) else { return (current, nil) }
        return (current, try keyring.pseudonym(value, at: timestamp + overlap))
    }

    var parameters: [(String, JSONValue)] {
        [("field", .string(field)), ("method", .string("HMAC-SHA256, 128 bits")), ("key_period", .string("week (Monday 00:00 Europe/Amsterdam)"))]
    }

    func dutch(quantities: [String]) -> String {
        "Vervangt het \(field) meteen bij binnenkomst door een schuilnaam (HMAC-SHA256 met een sleutel per week; vlak voor maandag 0.00 uur ook met de sleutel van de volgende week, zodat een rit over de wisseling heen gekoppeld wordt). De sleutel wordt na afloop vernietigd; daarna is de schuilnaam niet meer terug te leiden."
    }
}
