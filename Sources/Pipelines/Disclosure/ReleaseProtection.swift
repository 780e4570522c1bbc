import LantaarnModel
import Store

/// Protects a new release before it is published: chooses which counts to hold back so that no
/// held-back count, in this release or in any public one of the same input, can be narrowed
/// below its protection width by an attacker who holds every published number, and checks it.
/// Published history is never changed: only the new release's cells are held back.
struct ReleaseProtection {
    /// How the pattern is chosen, for the metadata and the disclosure report.
    static let method = "primaire onderdrukking onder k; aanvullende onderdrukking per nieuwe release, gekozen met lineaire programma's (GLPK) over alle gepubliceerde getallen en de gedeclareerde relaties, zodat elk onderdrukt getal een interval van ten minste de beschermingsbreedte houdt"

    let store: any ReleaseStore

    /// What the protection did, for the lineage.
    struct Outcome {
        var rows: [[CellValue]]
        var primary: Int
        var complementary: Int
        var rounds: Int
        var programmes: Int
        /// Which relations had to be left out because published releases no longer add up with
        /// the new numbers (`nil`: none).
        var relationsLeftOut: String?
    }

    /// - Parameter replacing: starts of this dataset's windows the same run publishes again
    ///   after this one; their current releases are about to go, so they are not history.
    func protect(dataset: String, spec: DisclosureSpec, columns: [String], window: TimeWindow, rows: [[CellValue]],
                 replacing: Set<Int64> = [], file: String) throws -> Outcome {
        var tables = try PublishedHistory.tables(store, namespace: spec.namespace, excluding: (dataset, window.start), replacing: replacing)
        // The new rows join the dataset's published ones: relations between windows come from one table.
        let earlier = tables.firstIndex { $0.dataset == dataset }.map { tables.remove(at: $0).rows } ?? []
        let table = PublishedTable(dataset: dataset, spec: spec, columns: columns, rows: rows)
        tables.append(PublishedTable(dataset: dataset, spec: spec, columns: columns, rows: earlier + rows))
        let cells = DisclosureModel.cells(of: table)
        var candidates: [String: PatternChooser.Candidate] = [:]
        var primary = Set<String>()
        for cell in cells {
            guard let value = cell.value else { continue }
            candidates[cell.id] = .init(value: value, label: cell.label, protection: cell.protection, rank: cell.totalRank)
            if value > 0, value < spec.k { primary.insert(cell.id) }
        }
        // The full system is built once: for the contradiction check, and (filtered) for the final check.
        let everything = DisclosureModel.build(tables)
        func protectionSystem(_ system: ProtectionSystem, keeping keep: (ProtectionSystem.Relation) -> Bool) -> ProtectionSystem {
            var system = system
            system.relations = system.relations.filter(keep)
            for id in candidates.keys { system.published[id] = nil }
            return system
        }
        func choose(keeping keep: (ProtectionSystem.Relation) -> Bool) throws -> PatternChooser.Choice {
            // First against the releases near the new window (fewer relations: a relaxation, so
            // quick but not yet proof), then once against all of them; only if that finds a cell
            // too narrow, the rounds go on against all of them.
            let near = Self.near(window)
            let local = tables.map { PublishedTable(dataset: $0.dataset, spec: $0.spec, columns: $0.columns, rows: Self.rows($0, within: near)) }
            let choice = try PatternChooser.choose(history: protectionSystem(DisclosureModel.build(local), keeping: keep), cells: candidates, relations: [], primary: primary)
            let check = try PatternChooser.choose(history: protectionSystem(everything, keeping: keep), cells: candidates, relations: [],
                                                  primary: primary, start: choice.held, prune: false)
            return PatternChooser.Choice(held: check.held, rounds: choice.rounds + check.rounds,
                                         audit: check.audit, programmes: choice.programmes + check.programmes)
        }
        // Releases made before the data changed (late meldingen, a later closing time) may no
        // longer add up with the new numbers: a relation that can no longer hold tells an attacker
        // nothing exact, so it is left out, and said (the lineage, and `lantaarn datasets audit`,
        // which reports it until those releases are published again). First only the relations
        // that cannot hold on their own; then those to other datasets; then all to history.
        let stale = Self.contradicted(everything)
        let levels: [(String, (ProtectionSystem.Relation) -> Bool)] = [
            ("none", { _ in true }),
            ("contradicted", { !stale.contains($0.origin) }),
            ("other datasets", { !stale.contains($0.origin) && $0.origin.hasPrefix(dataset + ":") }),
            ("history", { r in r.terms.allSatisfy { candidates[$0.cell] != nil } }),
        ]
        var choice: PatternChooser.Choice?
        var dropped = "none"
        for (name, keep) in levels {
            do {
                choice = try choose(keeping: keep)
                dropped = name
                break
            } catch let failure as PatternChooser.Failure {
                if name == levels.last!.0 {
                    throw PipelineError(file: file, path: "stages", reason: "disclosure control of \(dataset) for \(ISO8601.format(milliseconds: window.start)): \(failure)")
                }
            }
        }
        guard let choice else { throw PipelineError(file: file, path: "stages", reason: "disclosure control found no pattern") }
        if let e = choice.audit.exposed.first {
            throw PipelineError(file: file, path: "stages", reason: """
                disclosure control: \(e.label) would be known to within \(e.interval.low)–\(e.interval.high.map(String.init) ?? "∞") \
                (protection \(e.protection)) through \(e.relations.first ?? "the published numbers"); it was published before this \
                check existed: publish those windows again (lantaarn pipeline run … --from … --to …) and run 'lantaarn datasets audit'
                """)
        }
        return Outcome(rows: Self.apply(choice.held, to: table, cells: cells), primary: primary.count,
                       complementary: choice.held.count - primary.count, rounds: choice.rounds, programmes: choice.programmes,
                       relationsLeftOut: dropped == "none" ? nil : dropped)
    }

    /// Origins of the relations that cannot hold with the published numbers and the new ones:
    /// all their numbers known and not adding up, or their unknowns (all ≥ 0) unable to make up
    /// the difference on their own.
    static func contradicted(_ system: ProtectionSystem) -> Set<String> {
        let reduced = system.reduced()
        var out = Set(reduced.broken.map { system.relations[$0].origin })
        for e in reduced.equations {
            let positive = e.terms.allSatisfy { $0.1 > 0 }, negative = e.terms.allSatisfy { $0.1 < 0 }
            if (positive && e.value < -1e-6) || (negative && e.value > 1e-6) { out.insert(system.relations[e.origin].origin) }
        }
        return out
    }

    /// The times near a new window: two windows' length either side, as ISO 8601 text (the form
    /// the rows hold their times in, which sorts as time does).
    static func near(_ window: TimeWindow) -> ClosedRange<String> {
        let span = 2 * (window.end - window.start)
        return ISO8601.format(milliseconds: window.start - span)...ISO8601.format(milliseconds: window.end + span)
    }

    /// The rows of `table` whose count times all lie within `range`.
    static func rows(_ table: PublishedTable, within range: ClosedRange<String>) -> [[CellValue]] {
        let index = Dictionary(table.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let times = Set(table.spec.counts.compactMap { index[$0.time] })
        return table.rows.filter { row in
            times.allSatisfy { i in
                guard i < row.count, case .text(let t) = row[i] else { return true }
                return range.contains(t)
            }
        }
    }

    /// `table`'s rows with the held-back counts empty and `onderdrukt` set where one is; `cells`
    /// are its count cells (``DisclosureModel/cells(of:)``), row by row.
    static func apply(_ held: Set<String>, to table: PublishedTable, cells: [DisclosureModel.RowCell]) -> [[CellValue]] {
        let index = Dictionary(table.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let mark = index[SuppressStage.markColumn.name]
        let protected = table.spec.counts.filter(\.isProtected).compactMap { index[$0.column] }
        let perRow = protected.count
        return table.rows.enumerated().map { r, row in
            var row = row
            var any = false
            for (j, column) in protected.enumerated() where held.contains(cells[r * perRow + j].id) {
                row[column] = .null
                any = true
            }
            if any, let mark { row[mark] = .text("ja") }
            return row
        }
    }
}
