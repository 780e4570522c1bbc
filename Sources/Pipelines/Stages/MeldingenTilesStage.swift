import Foundation
import LantaarnModel
import Store
import Yams

/// Red, orange and green tiles per BOR_MELD hoofdcategorie at the end of each week: the
/// worst colour among the open meldingen of the category (red past the legal deadline,
/// orange past the service norm, green otherwise; exactly at a norm is within it), with the
/// number of open meldingen per colour. Norms come from a YAML file per hoofdcategorie.
public struct MeldingenTilesStage: Stage, Hashable {
    static let kind = "meldingen_tiles"
    static let inputs: Set<PipelineDefinition.Input.Kind> = [.meldingen]
    static let fields: [String: YAMLSourceMap.Schema] = ["group_by": .any, "norms": .any]

    /// Norms per hoofdcategorie; `default` applies to the rest.
    public var norms: [String: ServiceNorm]
    /// Disclosure control from the suppress stage after this one: the counts per colour are
    /// counts of people's reports, protected like those of the weekly table.
    public var suppress: SuppressStage?

    struct Raw: Decodable {
        var group_by: [String]
        var norms: String
    }

    static func refusal(for input: PipelineDefinition.Input) -> String { MeldingenStage.refusal(for: input) }

    init(_ raw: Raw, context: StageParseContext) throws {
        let (pipelineFile, fail) = (context.file, context.fail)
        guard raw.group_by == ["hoofdcategorie"] else { throw fail("group_by", "only [hoofdcategorie] is supported for now") }
        let file = raw.norms.hasPrefix("/") ? raw.norms
            : ((pipelineFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent(raw.norms)
        guard let text = FileManager.default.contents(atPath: file).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw fail("norms", "cannot read \(file)")
        }
        let parsed: [String: [String: String]]
        do { parsed = try YAMLDecoder().decode([String: [String: String]].self, from: text) } catch {
            throw PipelineError(file: file, path: "", reason: "expected 'hoofdcategorie: {service: 3wd, legal: 10wd}' per line: \(error)")
        }
        var norms: [String: ServiceNorm] = [:]
        for (category, fields) in parsed {
            guard let s = fields["service"].flatMap(ServiceNorm.span), let l = fields["legal"].flatMap(ServiceNorm.span) else {
                throw PipelineError(file: file, path: category, reason: "give service and legal as durations such as 48h, 5d or 3wd")
            }
            norms[category] = ServiceNorm(service: s, legal: l)
        }
        self.norms = norms
    }

    public init(norms: [String: ServiceNorm], suppress: SuppressStage? = nil) {
        self.norms = norms
        self.suppress = suppress
    }

    func norm(for m: Melding) -> ServiceNorm? { m.hoofdcategorie.flatMap { norms[$0] } ?? norms["default"] }

    public var columns: [ColumnSpec] {
        [
            ColumnSpec(name: "hoofdcategorie", type: .text, description: "Hoofdcategorie uit de BOR_MELD-tabel van de VNG ('onbekend' als de categorie niet gekoppeld is)"),
            ColumnSpec(name: "moment", type: .timestamp, description: "Stand aan het einde van de week (maandag 0.00 uur Nederlandse tijd, in UTC)"),
            ColumnSpec(name: "kleur", type: .text, description: "rood: een open melding is over de wettelijke termijn; oranje: over de servicenorm; groen: alles binnen de norm"),
            ColumnSpec(name: "open_groen", type: .integer, description: "Open meldingen binnen de servicenorm"),
            ColumnSpec(name: "open_oranje", type: .integer, description: "Open meldingen over de servicenorm, binnen de wettelijke termijn"),
            ColumnSpec(name: "open_rood", type: .integer, description: "Open meldingen over de wettelijke termijn"),
        ] + (suppress == nil ? [] : [SuppressStage.markColumn])
    }

    /// The counts per colour add up to the meldingen open at that moment in the gemeente row of
    /// the weekly table (`meldingen.open` with wijk `gemeente`), plus those without a wijk: a
    /// relation anyone can use. It holds only when every category has a norm (a `default`).
    public func disclosure(namespace: String, gemeente: String) -> DisclosureSpec? {
        guard let suppress else { return nil }
        let colours = ["groen", "oranje", "rood"]
        return DisclosureSpec(
            namespace: namespace, k: suppress.k, protection: suppress.protection,
            keys: ["hoofdcategorie": "hoofdcategorie"],
            counts: colours.map { .init(column: "open_\($0)", statistic: "meldingen.open.\($0)", time: "moment", of: "meldingen") },
            relations: norms["default"] == nil ? [] : [
                .parts(colours.map { "meldingen.open.\($0)" }, whole: "meldingen.open", wholeDims: ["wijk": gemeente],
                       nonNegativeRemainder: true),
            ],
            method: ReleaseProtection.method)
    }

    /// One row per hoofdcategorie with open meldingen at the end of `window`.
    public func rows(_ meldingen: [Melding], window: TimeWindow) -> [[CellValue]] {
        let tiles = TileStatus.tiles(meldingen, norms: norm(for:), key: { $0.hoofdcategorie ?? "onbekend" }, now: window.end)
        return tiles.keys.sorted().map { category in
            let t = tiles[category]!
            let names: [TileColour: String] = [.green: "groen", .orange: "oranje", .red: "rood"]
            return [.text(category), .text(ISO8601.format(milliseconds: window.end)), .text(names[t.colour]!),
                    .integer(Int64(t.open[.green] ?? 0)), .integer(Int64(t.open[.orange] ?? 0)), .integer(Int64(t.open[.red] ?? 0))]
                + (suppress == nil ? [] : [.text("nee")])
        }
    }
}

extension MeldingenTilesStage: AggregatingStage {
    static let publishes = StagePublication.countsOfPeople
    static let protectedAgainstPublished = true

    func columns(suppressed: Bool) -> [ColumnSpec] { columns }

    func protected(by suppress: SuppressStage) -> MeldingenTilesStage { MeldingenTilesStage(norms: norms, suppress: suppress) }

    /// The meldingen open at the end of the week.
    func run(input: StageInput, window: TimeWindow) throws -> StageOutput {
        let meldingen = try input.stores.meldingen.meldingen(overlapping: TimeWindow(start: window.end, end: window.end + 1)).filter(input.keeps)
        return StageOutput(rows: rows(meldingen, window: window), rowsIn: meldingen.count, withoutWijk: 0)
    }

    var parameters: [(String, JSONValue)] {
        [("norms", .object(norms.sorted { $0.key < $1.key }.map { ($0.key, .string("\($0.value)")) }))]
    }

    func dutch(quantities: [String]) -> String {
        "Kijkt aan het einde van elke week per soort melding of de openstaande meldingen binnen de servicenorm en de wettelijke termijn blijven (groen, oranje of rood)."
    }
}
