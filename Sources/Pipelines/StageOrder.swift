/// Checks that a pipeline's stages come in an order that cannot publish before anonymising.
///
/// The rules:
/// - each input has its own stage kinds (readings have no free text, meldingen no plates);
/// - at most one aggregating stage (aggregate, meldingen..., travel_time), and every stage that
///   works on single rows (filter, pseudonymise, generalise, scrub) comes before it;
/// - suppress comes after the aggregating stage, at most once;
/// - an ANPR pipeline starts with pseudonymise (plates never reach storage) and ends in
///   travel_time and suppress;
/// - a pipeline always aggregates: Lantaarn publishes no rows about single people or sensors
///   (the one exception, `meldingen_text`, is an internal extract: it needs scrub before it
///   and may not be public; scrub without it has nothing to clean and is refused);
/// - a public dataset built from personal data (meldingen, ANPR) counts people's events per
///   small cell, so it needs suppress after the count; the tiles too (their counts per colour add
///   up to the weekly table's gemeente totals). The forecast is exempt: it publishes model
///   estimates, not counts.
enum StageOrder {
    static func check(_ stages: [PipelineStage], input: PipelineDefinition.Input, isPublic: Bool, file: String) throws {
        func fail(_ i: Int?, _ reason: String) -> PipelineError {
            PipelineError(file: file, path: i.map { "stages[\($0)]" } ?? "stages", reason: reason)
        }
        let allowed: Set<String> = switch input {
        case .readings: ["filter", "generalise", "aggregate", "suppress"]
        case .meldingen: ["filter", "scrub", "meldingen", "meldingen_forecast", "meldingen_tiles", "meldingen_text", "suppress"]
        case .anpr: ["filter", "pseudonymise", "travel_time", "suppress"]
        }
        for (i, stage) in stages.enumerated() where !allowed.contains(stage.kind) {
            throw fail(i, "a \(input.name) pipeline has no '\(stage.kind)' stage; its stages are \(allowed.sorted().joined(separator: ", "))")
        }
        let aggregating = stages.indices.filter { stages[$0].role == .aggregating }
        guard let at = aggregating.first else {
            throw fail(nil, "the pipeline never aggregates, so it would publish single rows; add \(input == .meldingen ? "a meldingen" : input == .anpr ? "a travel_time" : "an aggregate") stage")
        }
        if aggregating.count > 1 {
            throw fail(aggregating[1], "a pipeline aggregates once; make a second pipeline for another '\(stages[aggregating[1]].kind)'")
        }
        for (i, stage) in stages.enumerated() {
            switch stage.role {
            case .rowLevel where i > at:
                throw fail(i, "'\(stage.kind)' works on single rows, but stage \(at) (\(stages[at].kind)) has already aggregated them; move it before that stage")
            case .protecting where i < at:
                throw fail(i, "suppress works on aggregated cells; move it after the '\(stages[at].kind)' stage")
            default: break
            }
        }
        let suppressions = stages.indices.filter { stages[$0].role == .protecting }
        if suppressions.count > 1 { throw fail(suppressions[1], "suppress only once; merge the two stages") }
        if input == .anpr {
            guard case .pseudonymise = stages[0] else {
                throw fail(0, "ANPR input holds number plates: start with '- pseudonymise: {field: kenteken}' so no plate is ever stored")
            }
        }
        let needsSuppress: Bool = switch stages[at] {
        case .meldingen, .travelTime, .meldingenTiles: input.isPersonal && isPublic
        default: false
        }
        if needsSuppress, suppressions.isEmpty {
            throw fail(at, "this would publish counts of people's \(input == .anpr ? "trips" : "meldingen") before anonymising: add '- suppress: {k: 5}' after '\(stages[at].kind)', or make the dataset non-public (output.access_rights)")
        }
        let scrubs = stages.indices.filter { if case .scrub = stages[$0] { true } else { false } }
        if case .meldingenText = stages[at] {
            guard !scrubs.isEmpty else {
                throw fail(at, "free text leaves the store only through scrub: add '- scrub: {field: omschrijving}' before '\(stages[at].kind)'")
            }
            if isPublic {
                throw fail(at, "the text of meldingen is never published openly, even scrubbed: set output.access_rights to restricted or non_public, with the reason in output.access_reason")
            }
        } else if let s = scrubs.first {
            throw fail(s, "scrub cleans free text, but '\(stages[at].kind)' outputs none; remove this stage")
        }
        switch stages[at] {
        case .meldingenForecast, .meldingenText:
            if let s = suppressions.first {
                throw fail(s, "'\(stages[at].kind)' publishes no counts per small cell, so there is nothing to suppress; remove this stage")
            }
        default: break
        }
    }
}
