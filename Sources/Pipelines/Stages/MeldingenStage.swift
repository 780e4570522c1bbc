import LantaarnModel
import Store

/// Meldingen per wijk × BOR_MELD hoofdcategorie for one window (a week), with the gemeente
/// totals: how many were reported, how many were open at its end, and the handling time
/// (median, 90th percentile) of those closed in it. With a `suppress` stage after it, the counts
/// are protected against everything published (``ReleaseProtection``): a held-back cell is empty
/// and `onderdrukt` says so.
public struct MeldingenStage: Stage, Hashable {
    static let kind = "meldingen"
    static let inputs: Set<PipelineDefinition.Input.Kind> = [.meldingen]
    static let fields: [String: YAMLSourceMap.Schema] = ["group_by": .any]

    /// Disclosure control from the suppress stage after this one; `nil` publishes exact counts
    /// (only allowed for a dataset that is not public).
    public var suppress: SuppressStage?

    struct Raw: Decodable {
        var group_by: [String]
    }

    static func refusal(for input: PipelineDefinition.Input) -> String {
        "this stage reads meldingen: use input {meldingen: true, window: 1w}"
    }

    init(_ raw: Raw, context: StageParseContext) throws {
        guard raw.group_by == ["wijk", "hoofdcategorie"] else {
            throw context.fail("group_by", "only [wijk, hoofdcategorie] is supported for now")
        }
        suppress = nil
    }

    public init(suppress: SuppressStage? = SuppressStage()) { self.suppress = suppress }

    public var columns: [ColumnSpec] {
        MeldingStatistics.groupColumns + [
            ColumnSpec(name: "periode_start", type: .timestamp, description: "Begin van de week: maandag 0.00 uur Nederlandse tijd (in UTC)"),
            ColumnSpec(name: "periode_eind", type: .timestamp, description: "Einde van de week (niet inbegrepen)"),
            ColumnSpec(name: "aantal_meldingen", type: .integer, description: "Meldingen die deze week binnenkwamen; leeg bij minder dan het minimum (zie onderdrukt)"),
            ColumnSpec(name: "open_einde_week", type: .integer, description: "Meldingen die aan het einde van de week nog openstonden; leeg bij minder dan het minimum"),
            ColumnSpec(name: "afgehandeld", type: .integer, description: "Meldingen die deze week werden afgehandeld; leeg bij minder dan het minimum"),
            ColumnSpec(name: "doorlooptijd_mediaan", type: .number, unit: "uur", description: "Mediaan van de doorlooptijd (melding tot afhandeling) van de deze week afgehandelde meldingen"),
            ColumnSpec(name: "doorlooptijd_p90", type: .number, unit: "uur", description: "90 procent van die meldingen was binnen zoveel uur afgehandeld"),
            ColumnSpec(name: "onderdrukt", type: .text, description: "'ja' als een of meer getallen in deze rij niet gepubliceerd zijn, omdat ze te klein zijn of omdat je er een te klein getal mee zou kunnen uitrekenen (privacy)"),
        ]
    }

    /// The code of the gemeente rows' `hoofdcategorie` that covers every category.
    public static let allCategories = "alle"

    /// Output rows for `window` from the meldingen alive in it, and how many were left out
    /// for lack of a wijk: one row per wijk × hoofdcategorie with something to count, then the
    /// gemeente (`gemeente` as wijk code) per hoofdcategorie and for all of them: the real city
    /// totals of the meldingen with a wijk. Counts are exact here: which of them are held back is
    /// chosen when the release is published, against everything published before
    /// (``ReleaseProtection``). The handling times are left out where fewer than k were closed.
    public func rows(_ meldingen: [Melding], window: TimeWindow, gemeente: String,
                     wijkName: (String) -> String) -> (rows: [[CellValue]], withoutWijk: Int) {
        typealias Group = MeldingStatistics.Group
        let placed = meldingen.filter { $0.wijk != nil }
        let withoutWijk = meldingen.filter { $0.wijk == nil && window.contains($0.createdAt) }.count
        let total = { (m: Melding) in Group(wijk: gemeente, hoofdcategorie: Group(m).hoofdcategorie) }
        let all = { (_: Melding) in Group(wijk: gemeente, hoofdcategorie: Self.allCategories) }
        var reported: [Group: Int] = [:], open: [Group: Int] = [:]
        var handling: [Group: (count: Int, median: Double, p90: Double)] = [:]
        for key in [Group.init, total, all] {
            for m in placed where window.contains(m.createdAt) { reported[key(m), default: 0] += 1 }
            open.merge(MeldingStatistics.backlog(placed, at: window.end, by: key)) { a, _ in a }
            handling.merge(MeldingStatistics.handlingTimes(placed, closedIn: window, by: key)) { a, _ in a }
        }
        let wijkGroups = Set(reported.keys).union(open.keys).union(handling.keys).filter { $0.wijk != gemeente }.sorted()
        let gemeenteGroups = Set(reported.keys).union(open.keys).union(handling.keys).filter { $0.wijk == gemeente }
            .sorted { ($0.hoofdcategorie == Self.allCategories ? 1 : 0, $0.hoofdcategorie) < ($1.hoofdcategorie == Self.allCategories ? 1 : 0, $1.hoofdcategorie) }
        let k = suppress?.k ?? 1
        let rows = (wijkGroups + gemeenteGroups).map { g -> [CellValue] in
            var held = false
            var median = CellValue.null, p90 = CellValue.null
            if let h = handling[g], h.count >= k {
                let hours = { (ms: Double) in CellValue.number((ms / 3_600_000 * 10).rounded() / 10) }
                median = hours(h.median)
                p90 = hours(h.p90)
            } else if handling[g] != nil {
                held = true
            }
            let counts = [reported[g] ?? 0, open[g] ?? 0, handling[g]?.count ?? 0].map { CellValue.integer(Int64($0)) }
            return [.text(g.wijk), .text(g.wijk == gemeente ? "Hele gemeente" : wijkName(g.wijk)), .text(g.hoofdcategorie),
                    .text(ISO8601.format(milliseconds: window.start)), .text(ISO8601.format(milliseconds: window.end))]
                + counts + [median, p90, .text(held ? "ja" : "nee")]
        }
        return (rows, withoutWijk)
    }

    /// The relations between the published counts that anyone can use: the gemeente rows are
    /// the sums of the wijk rows (per category, and over all categories), and per group the
    /// meldingen open at the end of a week are those open at its start plus the new ones minus
    /// those closed.
    public func disclosure(namespace: String, gemeente: String) -> DisclosureSpec? {
        guard let suppress else { return nil }
        return DisclosureSpec(
            namespace: namespace, k: suppress.k, protection: suppress.protection,
            keys: ["wijk_code": "wijk", "hoofdcategorie": "hoofdcategorie"],
            counts: [
                .init(column: "aantal_meldingen", statistic: "meldingen.nieuw", time: "periode_start", of: "meldingen"),
                .init(column: "open_einde_week", statistic: "meldingen.open", time: "periode_eind", of: "meldingen"),
                .init(column: "afgehandeld", statistic: "meldingen.afgehandeld", time: "periode_start", of: "meldingen"),
            ],
            relations: [
                .total(dimension: "wijk", code: gemeente),
                .total(dimension: "hoofdcategorie", code: Self.allCategories),
                .stockFlow(stock: "meldingen.open", inflow: "meldingen.nieuw", outflow: "meldingen.afgehandeld",
                           from: "periode_start", to: "periode_eind"),
            ],
            method: ReleaseProtection.method)
    }
}

extension MeldingenStage: AggregatingStage {
    static let publishes = StagePublication.countsOfPeople
    static let protectedAgainstPublished = true

    func columns(suppressed: Bool) -> [ColumnSpec] { columns }

    func protected(by suppress: SuppressStage) -> MeldingenStage { MeldingenStage(suppress: suppress) }

    /// The meldingen alive in the week (reported before its end, not closed before its start).
    func run(input: StageInput, window: TimeWindow) throws -> StageOutput {
        let meldingen = try input.stores.meldingen.meldingen(overlapping: window).filter(input.keeps)
        let (cells, withoutWijk) = rows(meldingen, window: window, gemeente: input.gemeente, wijkName: input.wijkName(at: window.start))
        return StageOutput(rows: cells, rowsIn: meldingen.filter { window.contains($0.createdAt) }.count, withoutWijk: withoutWijk,
                           lineage: [("boundaries", .string("assigned at ingest, by each melding's own date"))])
    }

    var parameters: [(String, JSONValue)] {
        [("group_by", .array([.string("wijk"), .string("hoofdcategorie")]))]
    }

    func dutch(quantities: [String]) -> String {
        "Telt per wijk, per hoofdcategorie en per week de nieuwe, de openstaande en de afgehandelde meldingen, en hoe lang het afhandelen duurde."
    }
}
