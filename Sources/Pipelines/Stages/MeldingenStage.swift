import LantaarnModel
import Store

/// Meldingen per wijk × BOR_MELD hoofdcategorie for one window (a week): how many were
/// reported, how many were open at its end, and the handling time (median, 90th percentile)
/// of those closed in it. Counts under `suppressBelow` are not published: the cell is
/// empty and `onderdrukt` says so (disclosure control; issue 7 brings the general rules).
public struct MeldingenStage: Sendable, Hashable {
    /// Smallest number published; smaller counts (and handling times over fewer meldingen) are suppressed.
    public var suppressBelow: Int

    struct Raw: Decodable {
        var group_by: [String]
        var suppress_below: Int?
    }

    init(_ raw: Raw, file: String, path: String) throws {
        guard raw.group_by == ["wijk", "hoofdcategorie"] else {
            throw PipelineError(file: file, path: "\(path).group_by", reason: "only [wijk, hoofdcategorie] is supported for now")
        }
        let suppress = raw.suppress_below ?? 5
        guard suppress >= 1 else { throw PipelineError(file: file, path: "\(path).suppress_below", reason: "use 1 or more (5 is the default)") }
        suppressBelow = suppress
    }

    public init(suppressBelow: Int = 5) { self.suppressBelow = suppressBelow }

    public var columns: [ColumnSpec] {
        [
            ColumnSpec(name: "wijk_code", type: .text, description: "CBS-code van de wijk"),
            ColumnSpec(name: "wijk_naam", type: .text, description: "Naam van de wijk"),
            ColumnSpec(name: "hoofdcategorie", type: .text, description: "Hoofdcategorie uit de BOR_MELD-tabel van de VNG ('onbekend' als de categorie niet gekoppeld is)"),
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
        let groups = Set(reported.keys).union(open.keys).union(handling.keys).sorted()
        let rows = groups.map { g -> [CellValue] in
            var suppressed = false
            func count(_ n: Int) -> CellValue {
                if n > 0 && n < suppressBelow { suppressed = true; return .null }
                return .integer(Int64(n))
            }
            let closed = handling[g]?.count ?? 0
            var median = CellValue.null, p90 = CellValue.null
            if let h = handling[g], h.count >= suppressBelow {
                let hours = { (ms: Double) in CellValue.number((ms / 3_600_000 * 10).rounded() / 10) }
                median = hours(h.median)
                p90 = hours(h.p90)
            } else if closed > 0 {
                suppressed = true
            }
            let cells: [CellValue] = [count(reported[g] ?? 0), count(open[g] ?? 0), count(closed), median, p90]
            return [.text(g.wijk), .text(wijkName(g.wijk)), .text(g.hoofdcategorie),
                    .text(ISO8601.format(milliseconds: window.start)), .text(ISO8601.format(milliseconds: window.end))]
                + cells + [.text(suppressed ? "ja" : "nee")]
        }
        return (rows, withoutWijk)
    }
}
