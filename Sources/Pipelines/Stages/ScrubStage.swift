import LantaarnModel

/// Replaces personal data in the free text of meldingen by typed placeholders (e-mail,
/// phone, IBAN, address, number plate), with the rules the meldingen ingest uses
/// (`TextScrubber`, shared code). In a pipeline it runs before anything that shows text.
public struct ScrubStage: Stage, Hashable {
    static let kind = "scrub"
    static let role = StageRole.rowLevel
    static let inputs: Set<PipelineDefinition.Input.Kind> = [.meldingen]
    static let fields: [String: YAMLSourceMap.Schema] = ["field": .any]

    private let scrubber = TextScrubber()

    struct Raw: Decodable {
        var field: String
    }

    public init() {}

    // Every scrub stage applies the same rules (the scrubber has no settings).
    public static func == (a: ScrubStage, b: ScrubStage) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}

    static func refusal(for input: PipelineDefinition.Input) -> String {
        "only meldingen carry free text; \(input.name) has none"
    }

    init(_ raw: Raw, context: StageParseContext) throws {
        guard raw.field == "omschrijving" else {
            throw context.fail("field", "meldingen have one free-text field: omschrijving")
        }
        self.init()
    }

    /// `text` with personal data replaced.
    public func apply(_ text: String) -> String { scrubber.scrub(text).text }

    var parameters: [(String, JSONValue)] {
        [("field", .string("omschrijving")), ("rules", .array(TextScrubber.kinds.sorted().map(JSONValue.string)))]
    }

    func dutch(quantities: [String]) -> String {
        "Haalt persoonsgegevens uit de tekst van de melding: e-mailadressen, telefoonnummers, IBAN's, adressen en kentekens worden vervangen door [e-mail], [telefoon] enzovoort."
    }
}
