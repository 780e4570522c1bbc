import LantaarnModel

/// What the algorithm register (`/algoritmes`) says about a pipeline, in plain Dutch.
extension PipelineDefinition {
    /// The maturity level in words.
    public var maturityText: String {
        switch maturityLevel {
        case 0: "0 – gegevens worden alleen doorgegeven"
        case 1: "1 – beschrijvend: wat is er gebeurd"
        case 2: "2 – verklarend: waarom is het gebeurd"
        default: "3 – voorspellend: wat gaat er waarschijnlijk gebeuren"
        }
    }

    /// The stages, one plain-Dutch sentence each, in order.
    public var stagesText: [String] {
        stages.map { $0.dutch(quantities: quantities) }
    }

    /// Human oversight, stated for every pipeline that predicts or warns.
    public var oversightText: String? {
        guard maturityLevel >= 3 || predicts else { return nil }
        return "Voorspellingen en waarschuwingen zijn advies. Een medewerker bekijkt ze en beslist wat er gebeurt; het systeem neemt zelf geen besluiten."
    }
}
