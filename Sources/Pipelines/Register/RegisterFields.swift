import LantaarnModel

/// What a pipeline file says for the national algorithm register (Algoritmeregister,
/// publicatiestandaard 1.0) that Lantaarn cannot derive: the publication category and the
/// human judgements. Everything else in the entry comes from the definition and `lantaarn.yaml`.
public struct RegisterFields: Sendable, Hashable {
    public enum Category: String, Sendable, CaseIterable {
        case a = "A", b = "B", c = "C"

        /// The standard's own wording.
        public var standard: String {
            switch self {
            case .a: "Hoog-risico AI-systeem (Categorie A)"
            case .b: "Impactvolle algoritmes (Categorie B)"
            case .c: "Overige algoritmes (Categorie C)"
            }
        }
    }

    public var publicationCategory: Category
    /// Afwegingen: pros and cons, alternatives considered, why the use is justified.
    public var considerations: String
    /// Impacttoetsen: which assessments (DPIA, IAMA) were done, or why none was needed.
    public var impactAssessments: String
    /// Risicobeheer beyond what Lantaarn itself does (suppression, four-eyes, retention).
    public var risks: String?
    /// Optional links (https): the impact assessment's results and the legal basis.
    public var impactAssessmentLink: String?
    public var legalBasisLink: String?
}

/// `register:` in a pipeline file.
struct RawRegister: Decodable {
    var publication_category: String?
    var considerations: String?
    var impact_assessments: String?
    var risks: String?
    var impact_assessment_link: String?
    var legal_basis_link: String?

    static let schema: YAMLSourceMap.Schema = .fields([
        "publication_category": .any, "considerations": .any, "impact_assessments": .any, "risks": .any,
        "impact_assessment_link": .any, "legal_basis_link": .any,
    ])

    /// The checked fields; a missing register, or a missing or too long field, is an error that
    /// says what the national register asks for.
    static func validated(_ raw: RawRegister?, fail: (String, String) -> PipelineError) throws -> RegisterFields {
        guard let raw else {
            throw fail("register", "the national algorithm register needs three things Lantaarn cannot derive: add register: {publication_category: C, considerations: ..., impact_assessments: ...}")
        }
        let category = raw.publication_category?.trimmingSpaces().uppercased() ?? ""
        guard let publication = RegisterFields.Category(rawValue: category) else {
            throw fail("register.publication_category", "give the category of the algorithm register's handreiking: A (hoog-risico AI-systeem), B (impactvol algoritme) or C (overig algoritme)")
        }
        func text(_ value: String?, _ field: String, _ ask: String, limit: Int) throws -> String {
            let t = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !t.isEmpty else { throw fail("register.\(field)", ask) }
            guard t.count <= limit else { throw fail("register.\(field)", "the register takes at most \(limit) characters here; this has \(t.count)") }
            return t
        }
        func link(_ value: String?, _ field: String) throws -> String? {
            guard let v = value?.trimmingSpaces(), !v.isEmpty else { return nil }
            guard v.hasPrefix("https://"), !v.contains(" ") else { throw fail("register.\(field)", "give a full https:// address") }
            return v
        }
        let risks = raw.risks?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard risks.count <= 1500 else {
            throw fail("register.risks", "at most 1500 characters: the register's risicobeheer (2499) also holds what Lantaarn does itself; this has \(risks.count)")
        }
        return RegisterFields(
            publicationCategory: publication,
            considerations: try text(raw.considerations, "considerations",
                                     "weigh the pros and cons (afwegingen) in plain Dutch: why this use is justified and which alternatives were considered", limit: 2499),
            impactAssessments: try text(raw.impact_assessments, "impact_assessments",
                                        "name the impact assessments done (DPIA, IAMA), or say why none was needed", limit: 2499),
            risks: risks.isEmpty ? nil : risks,
            impactAssessmentLink: try link(raw.impact_assessment_link, "impact_assessment_link"),
            legalBasisLink: try link(raw.legal_basis_link, "legal_basis_link"))
    }
}
