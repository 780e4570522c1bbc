import LantaarnModel

/// One stage of a pipeline, in the order the file lists them.
public enum PipelineStage: Sendable {
    case filter(FilterStage)
    case pseudonymise(PseudonymiseStage)
    case generalise(GeneraliseStage)
    case scrub(ScrubStage)
    case aggregate(AggregateStage)
    case suppress(SuppressStage)
    case travelTime(TravelTimeStage)
    case meldingen(MeldingenStage)
    case meldingenForecast(MeldingenForecastStage)
    case meldingenTiles(MeldingenTilesStage)
    case meldingenText(MeldingenTextStage)

    /// The YAML name of the stage kind.
    public var kind: String {
        switch self {
        case .filter: "filter"
        case .pseudonymise: "pseudonymise"
        case .generalise: "generalise"
        case .scrub: "scrub"
        case .aggregate: "aggregate"
        case .suppress: "suppress"
        case .travelTime: "travel_time"
        case .meldingen: "meldingen"
        case .meldingenForecast: "meldingen_forecast"
        case .meldingenTiles: "meldingen_tiles"
        case .meldingenText: "meldingen_text"
        }
    }

    /// What the stage does to personal data, for the stage-order check.
    enum Role {
        /// Works on single rows (records of people or sensors).
        case rowLevel
        /// Turns rows into counts or statistics per cell.
        case aggregating
        /// Disclosure control on the aggregated cells.
        case protecting
    }

    var role: Role {
        switch self {
        case .filter, .pseudonymise, .generalise, .scrub: .rowLevel
        case .aggregate, .travelTime, .meldingen, .meldingenForecast, .meldingenTiles, .meldingenText: .aggregating
        case .suppress: .protecting
        }
    }

    /// Parameters for the release lineage.
    func lineage(quantities: [String]) -> JSONValue {
        var fields: [(String, JSONValue)] = [("kind", .string(kind))]
        switch self {
        case .filter(let s): fields += s.parameters
        case .pseudonymise(let s): fields += s.parameters
        case .generalise(let s): fields += s.parameters
        case .scrub(let s): fields += s.parameters
        case .aggregate(let s): fields += s.parameters
        case .suppress(let s): fields += s.parameters
        case .travelTime(let s): fields += s.parameters
        case .meldingen: fields += [("group_by", .array([.string("wijk"), .string("hoofdcategorie")]))]
        case .meldingenForecast(let s):
            fields += [("horizon_weeks", .number(Double(s.horizon))), ("history_weeks", .number(Double(s.historyWeeks))),
                       ("methods", .array([.string("seasonal-naive"), .string("poisson-seasonal")])),
                       ("choice", .string("rolling-origin backtest per series; the model only where its MAE beats seasonal naive on the earlier origins; MAE and MASE from the later ones"))]
        case .meldingenTiles(let s):
            fields += [("norms", .object(s.norms.sorted { $0.key < $1.key }.map { ($0.key, .string("\($0.value)")) }))]
        case .meldingenText:
            fields += [("columns", .array(["wijk", "hoofdcategorie", "week", "omschrijving"].map(JSONValue.string))),
                       ("order", .string("wijk, hoofdcategorie, omschrijving"))]
        }
        return .object(fields)
    }

    /// One plain-Dutch sentence for the algorithm register.
    func dutch(quantities: [String]) -> String {
        switch self {
        case .filter(let s): s.dutch
        case .pseudonymise(let s): s.dutch
        case .generalise(let s): s.dutch
        case .scrub(let s): s.dutch
        case .aggregate(let s): s.dutch(quantities: quantities)
        case .suppress(let s): s.dutch
        case .travelTime(let s): s.dutch
        case .meldingen:
            "Telt per wijk, per hoofdcategorie en per week de nieuwe, de openstaande en de afgehandelde meldingen, en hoe lang het afhandelen duurde."
        case .meldingenTiles:
            "Kijkt aan het einde van elke week per soort melding of de openstaande meldingen binnen de servicenorm en de wettelijke termijn blijven (groen, oranje of rood)."
        case .meldingenText(let s): s.dutch
        case .meldingenForecast(let s):
            "Voorspelt per wijk en hoofdcategorie het aantal meldingen voor de komende \(s.horizon) weken, met een rekenmodel dat per reeks wordt getoetst tegen 'zelfde week vorig jaar'; alleen als het model beter is, wordt het gebruikt. Geeft een waarschuwing als er in een wijk veel meer meldingen zijn dan verwacht, of als meerdere soorten tegelijk stijgen."
        }
    }
}
