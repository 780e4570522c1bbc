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

    /// The stages, one plain-Dutch sentence each.
    public var stagesText: [String] {
        switch meldingen {
        case .weekly(let s)?:
            return ["Telt per wijk, per hoofdcategorie en per week de nieuwe, de openstaande en de afgehandelde meldingen, en hoe lang het afhandelen duurde.",
                    "Aantallen onder \(s.suppressBelow) worden niet getoond, zodat niemand herkenbaar is."]
        case .tiles?:
            return ["Kijkt aan het einde van elke week per soort melding of de openstaande meldingen binnen de servicenorm en de wettelijke termijn blijven (groen, oranje of rood)."]
        case .forecast(let s)?:
            return ["Voorspelt per wijk en hoofdcategorie het aantal meldingen voor de komende \(s.horizon) weken, met een rekenmodel dat per reeks wordt getoetst tegen 'zelfde week vorig jaar'; alleen als het model beter is, wordt het gebruikt.",
                    "Geeft een waarschuwing als er in een wijk veel meer meldingen zijn dan verwacht, of als meerdere soorten tegelijk stijgen."]
        case nil:
            return stages.map { stage in
                let what = stage.functions.map(\.column).joined(separator: ", ")
                let minutes = stage.bucket / 60_000
                let period = minutes % 1440 == 0 ? "\(minutes / 1440) dag" : minutes % 60 == 0 ? "\(minutes / 60) uur" : "\(minutes) minuten"
                return "Berekent per wijk per \(period) uit de metingen van \(quantities.joined(separator: ", ")): \(what). Losse sensoren en plekken worden niet gepubliceerd."
            }
        }
    }

    /// Human oversight, stated for every pipeline that predicts or warns.
    public var oversightText: String? {
        guard maturityLevel >= 3 || { if case .forecast? = meldingen { return true } else { return false } }() else { return nil }
        return "Voorspellingen en waarschuwingen zijn advies. Een medewerker bekijkt ze en beslist wat er gebeurt; het systeem neemt zelf geen besluiten."
    }
}
