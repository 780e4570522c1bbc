import LantaarnModel
import Store

/// An internal extract of what people wrote, for the team that handles meldingen: one row
/// per melding reported in the week, with its wijk, hoofdcategorie, week and its text as the
/// `scrub` stage before this one left it. No source id, position, exact time, channel or
/// status history goes out, and rows are sorted by wijk, category and text, so their order
/// says nothing about when a melding came in.
///
/// Free text is never published openly, even scrubbed: `StageOrder` allows this stage only
/// in a restricted or non-public dataset, and only after `scrub`.
public struct MeldingenTextStage: Stage, Hashable {
    static let kind = "meldingen_text"
    static let inputs: Set<PipelineDefinition.Input.Kind> = [.meldingen]
    static let fields: [String: YAMLSourceMap.Schema] = [:]

    /// The scrub stage before this one (set when the pipeline is parsed).
    public var scrub: ScrubStage

    struct Raw: Decodable {}

    public init(scrub: ScrubStage = ScrubStage()) { self.scrub = scrub }

    static func refusal(for input: PipelineDefinition.Input) -> String { MeldingenStage.refusal(for: input) }

    /// The text it shows is the text the scrub stage before it leaves (``StageOrder`` refuses
    /// the stage without one).
    init(_ raw: Raw, context: StageParseContext) throws {
        self.init(scrub: context.earlier(ScrubStage.self) ?? ScrubStage())
    }

    public var columns: [ColumnSpec] {
        MeldingStatistics.groupColumns + [
            ColumnSpec(name: "periode_start", type: .timestamp, description: "Begin van de week waarin de melding binnenkwam: maandag 0.00 uur Nederlandse tijd (in UTC)"),
            ColumnSpec(name: "periode_eind", type: .timestamp, description: "Einde van die week (niet inbegrepen)"),
            ColumnSpec(name: "omschrijving", type: .text, description: "Wat de melder schreef, zonder persoonsgegevens: e-mailadressen, telefoonnummers, IBAN's, adressen en kentekens zijn vervangen door [e-mail], [telefoon] enzovoort"),
        ]
    }

    /// Rows for the meldingen reported in `window` that still have their (scrubbed) text, and
    /// how many reported ones had no wijk.
    public func rows(_ meldingen: [Melding], window: TimeWindow, wijkName: (String) -> String) -> (rows: [[CellValue]], withoutWijk: Int) {
        let reported = meldingen.filter { window.contains($0.createdAt) }
        let rows = reported.compactMap { m -> [CellValue]? in
            guard let wijk = m.wijk, let text = m.scrubbedText.map(scrub.apply), !text.isEmpty else { return nil }
            return [.text(wijk), .text(wijkName(wijk)), .text(m.hoofdcategorie ?? "onbekend"),
                    .text(ISO8601.format(milliseconds: window.start)), .text(ISO8601.format(milliseconds: window.end)), .text(text)]
        }
        let sorted = rows.sorted { a, b in
            zip(a, b).first { $0 != $1 }.map { pair in
                guard case .text(let x) = pair.0, case .text(let y) = pair.1 else { return false }
                return x < y
            } ?? false
        }
        return (sorted, reported.filter { $0.wijk == nil }.count)
    }

    var parameters: [(String, JSONValue)] {
        [("columns", .array(["wijk", "hoofdcategorie", "week", "omschrijving"].map(JSONValue.string))),
         ("order", .string("wijk, hoofdcategorie, omschrijving"))]
    }

    func dutch(quantities: [String]) -> String {
        "Zet voor intern gebruik per week, wijk en soort melding op een rij wat melders schreven, zonder persoonsgegevens. Deze tekst wordt nooit openbaar gemaakt."
    }
}

extension MeldingenTextStage: AggregatingStage {
    static let publishes = StagePublication.freeText

    func columns(suppressed: Bool) -> [ColumnSpec] { columns }

    func run(input: StageInput, window: TimeWindow) throws -> StageOutput {
        let meldingen = try input.stores.meldingen.meldingen(createdIn: window).filter(input.keeps)
        let (cells, withoutWijk) = rows(meldingen, window: window, wijkName: input.wijkName(at: window.start))
        return StageOutput(rows: cells, rowsIn: meldingen.count, withoutWijk: withoutWijk,
                           lineage: [("without_text", .number(Double(meldingen.filter { $0.wijk != nil }.count - cells.count)))])
    }
}
