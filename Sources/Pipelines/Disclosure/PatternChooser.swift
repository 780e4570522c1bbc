/// Chooses which cells of a new release to hold back, so that every held-back cell (of the new
/// release and of everything published before) keeps its protection interval against an attacker
/// who holds every published number.
///
/// Only the new release's cells change: published history stays as it is. It starts from the
/// primary cells (too small to publish), audits, and for every cell left too narrow holds back
/// one more cell of the new release from the relations around it (``partner(for:system:relationsOf:cells:held:)``). It repeats until the audit passes. Holding back every cell of the new release
/// always passes (the new unknowns can absorb any value the history allows), so it ends.
public enum PatternChooser {
    /// A cell of the new release.
    public struct Candidate: Sendable, Hashable {
        public var value: Int
        public var label: String
        public var protection: Int
        /// 0 for a body cell, 1 for a total, 2 for the grand total: held back in that order.
        public var rank: Int
        public init(value: Int, label: String, protection: Int, rank: Int) {
            self.value = value
            self.label = label
            self.protection = protection
            self.rank = rank
        }
    }

    public struct Choice: Sendable {
        public var held: Set<String>
        /// Audit rounds, and the audit of the pattern chosen.
        public var rounds: Int
        public var audit: AuditResult
        /// Linear programmes solved over all rounds.
        public var programmes: Int
    }

    public struct Failure: Error, CustomStringConvertible {
        public var broken: [String]
        public var description: String {
            "the published numbers contradict a declared relation (\(broken.prefix(3).joined(separator: "; "))); check the relations the stages declare"
        }
    }

    /// Rounds after which every cell of the new release linked to an exposed cell is held back.
    static let maximumRounds = 60
    /// Cells held back along the way that are tried again once the pattern holds (largest first).
    static let pruneTrials = 40

    /// - Parameters:
    ///   - primary: cells too small to publish; always held back.
    ///   - start: cells to hold back from the start as well (a pattern chosen against part of
    ///     the history, now checked against all of it); they may be given back only if known.
    public static func choose(history: ProtectionSystem, cells allCells: [String: Candidate], relations: [ProtectionSystem.Relation],
                              primary: Set<String>, start: Set<String> = [], prune: Bool = true) throws -> Choice {
        var held = primary.union(start).intersection(allCells.keys)
        var base = history
        base.relations += relations
        var relationsOf: [String: [Int]] = [:]
        for (r, relation) in base.relations.enumerated() {
            for t in relation.terms { relationsOf[t.cell, default: []].append(r) }
        }
        func state(_ held: Set<String>) -> ProtectionSystem {
            var system = base
            for (id, c) in allCells {
                if held.contains(id) {
                    system.targets[id] = .init(label: c.label, protection: c.protection)
                    system.published[id] = nil
                } else {
                    system.published[id] = Double(c.value)
                }
            }
            return system
        }
        func audit(_ held: Set<String>, only: Set<String>? = nil, stopAtFirstExposure: Bool = false) -> AuditResult {
            IntervalAudit.run(state(held), mode: .protectionOnly, touching: Set(allCells.keys), only: only, stopAtFirstExposure: stopAtFirstExposure)
        }
        // Candidates for holding back: every cell of the new release but those found known.
        var cells = allCells
        var ceilingDone = false
        var round = 0, programmes = 0
        // Holding back more only widens intervals (a published number becomes an unknown), so
        // after the first round only the cells found too narrow and those newly held back need
        // checking again.
        var recheck: Set<String>?
        while true {
            round += 1
            var result = audit(held, only: recheck)
            programmes += result.programmes
            guard result.broken.isEmpty else { throw Failure(broken: result.broken) }
            if !result.exposed.isEmpty, !ceilingDone {
                // A cell that stays too narrow even with every non-zero cell of the new release
                // held back is known from what is public already (an open count after a week
                // without new or closed meldingen): holding it back hides nothing, so it is
                // published and never chosen as a partner. Asked once, when the first audit
                // finds something to fix.
                ceilingDone = true
                let ceiling = audit(Set(allCells.filter { $0.value.value > 0 }.keys))
                programmes += ceiling.programmes
                guard ceiling.broken.isEmpty else { throw Failure(broken: ceiling.broken) }
                let known = Set(ceiling.exposed.map(\.cell)).intersection(allCells.keys).subtracting(primary)
                if !known.isEmpty {
                    cells = cells.filter { !known.contains($0.key) }
                    held.subtract(known)
                    result = audit(held, only: recheck)
                    programmes += result.programmes
                }
            }
            if result.exposed.isEmpty {
                // Give back what turned out not to be needed: totals first, then the largest counts.
                var final = result
                let extra = held.subtracting(primary)
                    .sorted { (-cells[$0]!.rank, -cells[$0]!.value, $0) < (-cells[$1]!.rank, -cells[$1]!.value, $1) }
                for id in extra.prefix(prune ? pruneTrials : 0) {
                    let trial = audit(held.subtracting([id]), stopAtFirstExposure: true)
                    programmes += trial.programmes
                    if trial.exposed.isEmpty, trial.broken.isEmpty {
                        held.remove(id)
                        final = trial
                    }
                }
                return Choice(held: held, rounds: round, audit: final, programmes: programmes)
            }
            let audit = result, system = state(held)
            var added = Set<String>()
            for e in audit.exposed where round < maximumRounds {
                if let partner = partner(for: e.cell, system: system, relationsOf: relationsOf, cells: cells, held: held.union(added)) {
                    added.insert(partner)
                }
            }
            if added.isEmpty {
                // Too many rounds, or nothing of the new release linked closely enough: hold back
                // all of it that is linked at all.
                for e in audit.exposed {
                    added.formUnion(linked(e.cell, system: system, relationsOf: relationsOf, cells: cells, held: held, depth: .max))
                }
            }
            if added.isEmpty { return Choice(held: held, rounds: round, audit: audit, programmes: programmes) }   // history exposed on its own; the audit reports it
            held.formUnion(added)
            recheck = Set(audit.exposed.map(\.cell)).union(added)
        }
    }

    /// The best cell of the new release to hold back with `cell`, from the relations nearest to
    /// it: body cells before totals; then the one in most relations that already hold an unknown
    /// (it closes cycles, so one cell protects several); then one that can move at least the
    /// protection width (the smallest such), else the largest.
    private static func partner(for cell: String, system: ProtectionSystem, relationsOf: [String: [Int]],
                                cells: [String: Candidate], held: Set<String>) -> String? {
        func linkedToUnknowns(_ id: String) -> Int {
            (relationsOf[id] ?? []).filter { r in
                system.relations[r].terms.contains { $0.cell != id && system.published[$0.cell] == nil }
            }.count
        }
        for depth in 1...4 {
            let options = linked(cell, system: system, relationsOf: relationsOf, cells: cells, held: held, depth: depth)
            let scored = options.map { ($0, linkedToUnknowns($0)) }
            if let best = scored.min(by: { a, b in
                let ca = cells[a.0]!, cb = cells[b.0]!
                if ca.rank != cb.rank { return ca.rank < cb.rank }
                if a.1 != b.1 { return a.1 > b.1 }
                return better(ca, a.0, than: cb, b.0)
            }) { return best.0 }
        }
        return nil
    }

    private static func better(_ a: Candidate, _ ia: String, than b: Candidate, _ ib: String) -> Bool {
        let aWide = a.value >= a.protection, bWide = b.value >= b.protection
        if aWide != bWide { return aWide }
        if a.value != b.value { return aWide ? a.value < b.value : a.value > b.value }
        return ia < ib
    }

    /// Published cells of the new release reachable from `cell` through at most `depth`
    /// relations, passing only through unknown cells.
    private static func linked(_ cell: String, system: ProtectionSystem, relationsOf: [String: [Int]],
                               cells: [String: Candidate], held: Set<String>, depth: Int) -> Set<String> {
        var found = Set<String>(), visited: Set<String> = [cell], frontier = [cell], seenRelations = Set<Int>()
        var level = 0
        while !frontier.isEmpty, level < depth {
            level += 1
            var next: [String] = []
            for c in frontier {
                for r in relationsOf[c] ?? [] where seenRelations.insert(r).inserted {
                    for t in system.relations[r].terms where visited.insert(t.cell).inserted {
                        if let c = cells[t.cell], !held.contains(t.cell) {
                            // A zero stands for nobody and cannot hide anyone: never held back.
                            if c.value > 0 { found.insert(t.cell) }
                        } else if system.published[t.cell] == nil {
                            next.append(t.cell)
                        }
                    }
                }
            }
            frontier = next
        }
        return found
    }
}
