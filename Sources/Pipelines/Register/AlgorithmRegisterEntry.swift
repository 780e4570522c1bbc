import LantaarnModel

/// A pipeline's entry in the national algorithm register (Algoritmeregister, publicatiestandaard
/// 1.0.0): `/algoritmes/{name}.json`, `lantaarn pipeline register NAME` and the `/algoritmes`
/// page all show this one value. The judgements come from the pipeline's `register:` block
/// (``RegisterFields``); the rest is derived from the definition, the store (is it in use, since
/// when) and `lantaarn.yaml` (organisation, contact, public address).
public struct AlgorithmRegisterEntry: Sendable {
    /// What `lantaarn.yaml` says about the organisation.
    public struct Publisher: Sendable {
        public var organisation: String
        public var contact: String
        /// `server.public_url`, for the links to the public page and this entry.
        public var publicURL: String?

        public init(organisation: String, contact: String, publicURL: String?) {
            self.organisation = organisation
            self.contact = contact
            self.publicURL = publicURL
        }
    }

    /// One field: the standard's key, its Dutch label, and the value (text or a list of texts).
    public struct Field: Sendable {
        public var key: String
        public var label: String
        public var value: JSONValue
    }

    /// The fields in the standard's order.
    public var fields: [Field]

    public subscript(key: String) -> JSONValue? { fields.first { $0.key == key }?.value }

    /// The entry as the register takes it.
    public var json: JSONValue { .object(fields.map { ($0.key, $0.value) }) }

    /// The entry of `p`; `firstPublished` is its dataset's first release (`nil`: not yet in use).
    public init(_ p: PipelineDefinition, publisher: Publisher, firstPublished: Int64?, now: Int64) {
        let r = p.register
        var out: [Field] = []
        func add(_ key: String, _ label: String, _ text: String?, limit: Int? = nil) {
            guard let text, !text.isEmpty else { return }
            out.append(Field(key: key, label: label, value: .string(limit.map { Self.clipped(text, to: $0) } ?? text)))
        }
        let base = publisher.publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        add("name", "Naam", p.output.title, limit: 99)
        add("description_short", "Korte omschrijving", p.output.description, limit: 399)
        add("organization", "Organisatie", publisher.organisation, limit: 99)
        out.append(Field(key: "theme", label: "Thema", value: .array([.string(ThemeVocabulary.owmsLabel(p.output.theme))])))
        add("status", "Status", firstPublished == nil ? "In ontwikkeling" : "In gebruik")
        add("start_date", "Begindatum", String(ISO8601.format(milliseconds: firstPublished ?? now).prefix(7)))
        add("contact", "Contactgegevens", publisher.contact)
        add("link", "Link naar publiekspagina", base.map { "\($0)/algoritmes#alg-\(p.name)" })
        add("publication_category", "Publicatiecategorie", r.publicationCategory.standard)
        add("source_link", "Link naar bronregistratie", base.map { "\($0)/algoritmes/\(p.name).json" })
        add("purpose_and_impact", "Doel en impact", "\(p.purpose) \(Self.impact(p))", limit: 2499)
        add("considerations", "Afwegingen", r.considerations)
        add("human_intervention", "Menselijke tussenkomst", Self.humanIntervention(p), limit: 2499)
        add("risk_management", "Risicobeheer", Self.riskManagement(p), limit: 2499)
        add("legal_basis", "Wettelijke basis", p.legalBasis, limit: 2499)
        add("legal_basis_link", "Link naar wettelijke basis", r.legalBasisLink)
        add("impact_assessments", "Impacttoetsen", r.impactAssessments)
        add("impact_assessment_link", "Link naar impacttoets", r.impactAssessmentLink)
        add("data", "Gegevens", Self.data(p, organisation: publisher.organisation), limit: 2499)
        add("technical_operation", "Technische werking", Self.technicalOperation(p), limit: 4999)
        add("supplier", "Leverancier", "Intern ontwikkeld")
        add("language", "Taal", "nld")
        add("schema", "Schema", "1.0.0")
        add("source_id", "Bron-ID", p.name)
        fields = out
    }

    static func impact(_ p: PipelineDefinition) -> String {
        let place = "Zo komt \(p.output.title.lowercased()) beschikbaar"
        return p.output.accessRights.hasSuffix("/PUBLIC")
            ? "\(place) als open dataset die iedereen kan downloaden. Er worden met de uitkomst geen besluiten over personen genomen."
            : "\(place) als interne dataset, niet openbaar (\(p.output.accessReason ?? "zie de catalogus")). Er worden met de uitkomst geen besluiten over personen genomen."
    }

    static func humanIntervention(_ p: PipelineDefinition) -> String {
        let rule = "Mensen houden toezicht op de rekenregel zelf: elke nieuwe versie wordt vooraf bekeken en goedgekeurd door een tweede medewerker (vier-ogenprincipe), met een voorbeeld van de uitkomst naast de huidige."
        if let oversight = p.oversightText { return oversight + " " + rule }
        return "Per uitkomst is geen menselijke tussenkomst nodig: het algoritme neemt geen besluiten over mensen, het telt en middelt gegevens. " + rule
    }

    static func riskManagement(_ p: PipelineDefinition) -> String {
        var parts: [String] = []
        if p.input.isPersonal {
            parts.append("De invoer bevat persoonsgegevens; die blijven intern en worden alleen voor dit doel gebruikt (doelbinding). Openbaar worden alleen totalen.")
        }
        if let s = p.suppress {
            parts.append("Aantallen onder de \(s.k) worden niet gepubliceerd\(s.complementary ? ", en ook andere getallen waarmee ze terug te rekenen zijn" : "")" + ". Een controle op alles wat al gepubliceerd is bewaakt dat een onderdrukt getal niet uit te rekenen is.")
        }
        parts.append("Elke publicatie is herleidbaar tot de versie van de rekenregel en de invoer, en wordt bewaard: \(p.output.retention.dutch) (\(p.output.retention.basis)).")
        parts.append("Afwijkende of kapotte invoer wordt apart gezet met de reden, en nooit stilzwijgend meegeteld.")
        if let extra = p.register.risks { parts.append(extra) }
        return parts.joined(separator: " ")
    }

    static func data(_ p: PipelineDefinition, organisation: String) -> String {
        switch p.input {
        case .readings:
            "Metingen van sensoren van \(organisation) in de openbare ruimte (onder meer op lantaarnpalen): \(p.quantities.joined(separator: ", ")). Dit zijn metingen van apparaten, geen persoonsgegevens. Voor de indeling in wijken: de wijkgrenzen van het CBS."
        case .meldingen:
            "Meldingen openbare ruimte (MOR) van inwoners bij \(organisation): categorie, plaats (afgerond op een vak van het CBS), datum en afhandeling. Naam, contactgegevens en de vrije tekst van de melder worden hiervoor niet gebruikt."
        case .anpr:
            "Waarnemingen van kentekencamera's van \(organisation). Het kenteken wordt direct bij ontvangst vervangen door een code met een sleutel die per week wordt vernietigd; alleen reistijden tussen twee punten worden gebruikt."
        }
    }

    static func technicalOperation(_ p: PipelineDefinition) -> String {
        let steps = p.stagesText.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: " ")
        return "Soort algoritme: \(p.maturityText). Het is niet zelflerend: het volgt vaste rekenregels uit een openbaar bestand "
            + "(\(p.name), versie \(p.version), SHA-256 \(p.versionHash.prefix(12))). Het rekent per \(DurationText.dutch(p.window)). Stappen: \(steps) "
            + "Uitvoer: de dataset \(p.output.dataset)."
    }

    /// `text` cut to at most `limit` characters at a word, ending in "…".
    static func clipped(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        let cut = text.prefix(limit - 1)
        let word = cut.lastIndex(of: " ").map { cut[..<$0] } ?? cut
        return word + "…"
    }
}
