/// Checks that a pipeline's stages come in an order that cannot publish before anonymising.
///
/// The rules:
/// - each input has its own stage kinds (readings have no free text, meldingen no plates;
///   checked when the stages are parsed, ``Stage/inputs``);
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
    static func check(_ stages: [any Stage], input: PipelineDefinition.Input, isPublic: Bool, file: String) throws {
        func fail(_ i: Int?, _ reason: String) -> PipelineError {
            PipelineError(file: file, path: i.map { "stages[\($0)]" } ?? "stages", reason: reason)
        }
        let aggregating = stages.indices.filter { stages[$0].role == .aggregating }
        guard let at = aggregating.first, let counted = stages[at] as? any AggregatingStage else {
            throw fail(nil, "the pipeline never aggregates, so it would publish single rows; add \(input == .meldingen ? "a meldingen" : input == .anpr ? "a travel_time" : "an aggregate") stage")
        }
        if aggregating.count > 1 {
            throw fail(aggregating[1], "a pipeline aggregates once; make a second pipeline for another '\(stages[aggregating[1]].kind)'")
        }
        for (i, stage) in stages.enumerated() {
            switch stage.role {
            case .rowLevel where i > at:
                throw fail(i, "'\(stage.kind)' works on single rows, but stage \(at) (\(counted.kind)) has already aggregated them; move it before that stage")
            case .protecting where i < at:
                throw fail(i, "suppress works on aggregated cells; move it after the '\(counted.kind)' stage")
            default: break
            }
        }
        let suppressions = stages.indices.filter { stages[$0].role == .protecting }
        if suppressions.count > 1 { throw fail(suppressions[1], "suppress only once; merge the two stages") }
        if input == .anpr, !(stages[0] is PseudonymiseStage) {
            throw fail(0, "ANPR input holds number plates: start with '- pseudonymise: {field: kenteken}' so no plate is ever stored")
        }
        let publishes = type(of: counted).publishes
        if publishes == .countsOfPeople, input.isPersonal, isPublic, suppressions.isEmpty {
            throw fail(at, "this would publish counts of people's \(input == .anpr ? "trips" : "meldingen") before anonymising: add '- suppress: {k: 5}' after '\(counted.kind)', or make the dataset non-public (output.access_rights)")
        }
        let scrubs = stages.indices.filter { stages[$0] is ScrubStage }
        if publishes == .freeText {
            guard !scrubs.isEmpty else {
                throw fail(at, "free text leaves the store only through scrub: add '- scrub: {field: omschrijving}' before '\(counted.kind)'")
            }
            if isPublic {
                throw fail(at, "the text of meldingen is never published openly, even scrubbed: set output.access_rights to restricted or non_public, with the reason in output.access_reason")
            }
        } else if let s = scrubs.first {
            throw fail(s, "scrub cleans free text, but '\(counted.kind)' outputs none; remove this stage")
        }
        if publishes == .estimates || publishes == .freeText, let s = suppressions.first {
            throw fail(s, "'\(counted.kind)' publishes no counts per small cell, so there is nothing to suppress; remove this stage")
        }
    }
}
