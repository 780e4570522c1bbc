import LantaarnModel
import Store

/// Meldingen per wijk × BOR_MELD hoofdcategorie for one window (a week): how many were
/// reported, how many were open at its end, and the handling time (median, 90th percentile)
/// of those closed in it. With a `suppress` stage after it, each count is disclosure-controlled
/// over the wijk × hoofdcategorie table (small cells, and the cells that would give them
/// away through totals): the cell is empty and `onderdrukt` says so.
public struct MeldingenStage: Sendable, Hashable {
    /// Disclosure control from the suppress stage after this one; `nil` publishes exact counts
    /// (only allowed for a dataset that is not public).
    public var suppress: SuppressStage?

    struct Raw: Decodable {
        var group_by: [String]
    }

    init(_ raw: Raw, file: String, path: String) throws {
        guard raw.group_by == ["wijk", "hoofdcategorie"] else {
            throw PipelineError(file: file, path: "\(path).group_by", reason: "only [wijk, hoofdcategorie] is supported for now")
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
            ColumnSpec(name: "onderdrukt", type: .text, description: "'ja' als een of meer getallen in deze rij niet gepubliceerd zijn omdat ze te klein zijn (privacy)"),
        ]
    }

    /// Output rows for `window` from the meldingen alive in it, and how many were left out
    /// for lack of a wijk.
    public func rows(_ meldingen: [Melding], window: TimeWindow, wijkName: (String) -> String) -> (rows: [[CellValue]], withoutWijk: Int) {
        typealias Group = MeldingStatistics.Group
        let placed = meldingen.filter { $0.wijk != nil }
        let withoutWijk = meldingen.filter { $0.wijk == nil && window.contains($0.createdAt) }.count
        var reported: [Group: Int] = [:]
        for m in placed where window.contains(m.createdAt) { reported[Group(m), default: 0] += 1 }
        let open = MeldingStatistics.backlog(placed, at: window.end)
        let handling = MeldingStatistics.handlingTimes(placed, closedIn: window, by: Group.init)
        let closed = handling.mapValues(\.count)
        let groups = Set(reported.keys).union(open.keys).union(handling.keys).sorted()
        let counts = [reported, open, closed].map { published($0, groups: groups) }
        let k = suppress?.k ?? 1
        let rows = groups.map { g -> [CellValue] in
            let shown = counts.map { $0[g] ?? nil }
            var held = shown.contains { $0 == nil }
            var median = CellValue.null, p90 = CellValue.null
            if let h = handling[g], h.count >= k {
                let hours = { (ms: Double) in CellValue.number((ms / 3_600_000 * 10).rounded() / 10) }
                median = hours(h.median)
                p90 = hours(h.p90)
            } else if handling[g] != nil {
                held = true
            }
            let cells = shown.map { $0.map { CellValue.integer(Int64($0)) } ?? .null } + [median, p90]
            return [.text(g.wijk), .text(wijkName(g.wijk)), .text(g.hoofdcategorie),
                    .text(ISO8601.format(milliseconds: window.start)), .text(ISO8601.format(milliseconds: window.end))]
                + cells + [.text(held ? "ja" : "nee")]
        }
        return (rows, withoutWijk)
    }

    /// One count per group after disclosure control over the wijk × hoofdcategorie table;
    /// `nil` where suppressed.
    private func published(_ counts: [MeldingStatistics.Group: Int], groups: [MeldingStatistics.Group]) -> [MeldingStatistics.Group: Int?] {
        guard let suppress else { return Dictionary(uniqueKeysWithValues: groups.map { ($0, counts[$0] ?? 0) }) }
        let wijken = Array(Set(groups.map(\.wijk))).sorted()
        let categories = Array(Set(groups.map(\.hoofdcategorie))).sorted()
        let table = wijken.map { w in categories.map { c in counts[MeldingStatistics.Group(wijk: w, hoofdcategorie: c)] ?? 0 } }
        let result = suppress.apply(table)
        var out: [MeldingStatistics.Group: Int?] = [:]
        for (r, w) in wijken.enumerated() {
            for (c, category) in categories.enumerated() {
                out[MeldingStatistics.Group(wijk: w, hoofdcategorie: category)] = result.published[r][c]
            }
        }
        return out
    }
}
