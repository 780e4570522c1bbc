import LantaarnModel

/// The feasible interval of a held-back cell: what an attacker can compute from every published
/// number, with non-negativity, rounded inwards to whole numbers.
public struct CellInterval: Sendable, Hashable, Codable {
    public var low: Int
    /// `nil` when nothing published bounds the cell from above.
    public var high: Int?
    public var width: Int? { high.map { $0 - low } }

    public init(low: Int, high: Int?) { self.low = low; self.high = high }

    /// Whether the interval is at least `protection` wide.
    public func protects(_ protection: Int) -> Bool { width.map { $0 >= protection } ?? true }
}

/// What an audit of a ``ProtectionSystem`` found.
public struct AuditResult: Sendable {
    /// A held-back cell whose interval is narrower than its protection width.
    public struct Exposure: Sendable, Hashable {
        public var cell: String
        public var label: String
        public var interval: CellInterval
        public var protection: Int
        /// The relations the cell appears in (how it is pinned down).
        public var relations: [String]
    }

    /// Interval per held-back cell id; with ``IntervalAudit/Mode/protectionOnly`` only those the
    /// audit had to solve for (the rest are proven wide enough).
    public var intervals: [String: CellInterval] = [:]
    public var exposed: [Exposure] = []
    /// Relations whose published numbers do not add up, or that admit no solution: a wrong
    /// declaration or wrong data, never to be published.
    public var broken: [String] = []
    /// Linear programmes solved, and groups of unknowns they were split into.
    public var programmes = 0
    public var components = 0
}

/// Computes the interval an attacker gets for every held-back cell: the minimum and maximum of
/// the cell over all non-negative solutions of the relations, one linear programme each, per
/// independent group of unknowns (relations that share no unknown are solved apart), each group
/// one GLPK problem re-solved with a new objective from the last basis.
public enum IntervalAudit {
    public enum Mode: Sendable {
        /// Both bounds of every held-back cell.
        case exact
        /// Only whether each cell keeps its protection width: every solution found is a feasible
        /// point, and a cell seen at values `protection` apart needs no programme of its own.
        case protectionOnly
    }

    /// Random objectives solved first in ``Mode/protectionOnly``: each vertex they reach is a
    /// feasible point for every cell at once, so most cells are proven wide enough without a
    /// programme of their own.
    static let seedObjectives = 32

    /// Audits the held-back cells of `system`; with `touching`, only the groups of unknowns that
    /// contain one of those cells; with `only`, only those held-back cells.
    public static func run(_ system: ProtectionSystem, mode: Mode, touching: Set<String>? = nil, only: Set<String>? = nil,
                           stopAtFirstExposure: Bool = false, progress: (Int, Int) -> Void = { _, _ in }) -> AuditResult {
        var result = AuditResult()
        let reduced = system.reduced()
        result.broken = reduced.broken.map { system.relations[$0].origin }
        var components = Components(count: reduced.unknowns.count, equations: reduced.equations)
        var members: [Int: [Int]] = [:]
        for i in reduced.unknowns.indices { members[components.find(i), default: []].append(i) }
        var equations: [Int: [(terms: [(Int, Double)], value: Double, origin: Int)]] = [:]
        for e in reduced.equations { equations[components.find(e.terms[0].0), default: []].append(e) }
        var relationsOf: [String: [Int]] = [:]
        for (r, relation) in system.relations.enumerated() {
            for t in relation.terms where system.targets[t.cell] != nil { relationsOf[t.cell, default: []].append(r) }
        }

        for cell in system.targets.keys where reduced.index[cell] == nil {
            guard touching?.contains(cell) ?? true else { continue }
            // In no relation with anything unknown: published numbers say nothing about it.
            result.intervals[cell] = CellInterval(low: 0, high: nil)
        }
        let roots = members.keys.sorted().filter { root in
            let cells = members[root]!
            guard cells.contains(where: { system.targets[reduced.unknowns[$0]] != nil }) else { return false }
            return touching.map { t in cells.contains { t.contains(reduced.unknowns[$0]) } } ?? true
        }
        for (n, root) in roots.enumerated() {
            defer { progress(n + 1, roots.count) }
            let cells = members[root]!
            let targets = cells.filter { system.targets[reduced.unknowns[$0]] != nil && (only?.contains(reduced.unknowns[$0]) ?? true) }
            if targets.isEmpty { continue }
            result.components += 1
            var local: [Int: Int] = [:]
            for (i, c) in cells.enumerated() { local[c] = i }
            let lp = LinearProgram(columns: cells.count, equations: (equations[root] ?? []).map { e in
                LinearProgram.Equation(terms: e.terms.map { (local[$0.0]!, $0.1) }, value: e.value)
            })
            var seenLow = [Double](repeating: .infinity, count: cells.count)
            var seenHigh = [Double](repeating: -.infinity, count: cells.count)
            func observe() { if mode == .protectionOnly { lp.observeSolution(low: &seenLow, high: &seenHigh) } }
            var infeasible = false
            if mode == .protectionOnly, targets.count > 2 * seedObjectives {
                var random = SplitMix64(seed: UInt64(root) &+ 27)
                for _ in 0..<seedObjectives {
                    let objective = targets.map { (local[$0]!, random.next() & 1 == 0 ? 1.0 : -1.0) }
                    result.programmes += 1
                    switch lp.optimum(of: objective, maximise: true) {
                    case .optimal, .unbounded: observe()
                    case .infeasible: infeasible = true
                    }
                    if infeasible { break }
                }
            }
            for c in targets where !infeasible {
                let id = reduced.unknowns[c], column = local[c]!
                let protection = system.targets[id]!.protection
                if mode == .protectionOnly, seenHigh[column] - seenLow[column] >= Double(protection) - 1e-6 {
                    continue
                }
                result.programmes += 1
                guard case .optimal(let minimum) = lp.optimum(of: column, maximise: false) else { infeasible = true; break }
                observe()
                let low = Int((minimum - 1e-6).rounded(.up))
                if mode == .protectionOnly, seenHigh[column] - seenLow[column] >= Double(protection) - 1e-6 { continue }
                result.programmes += 1
                let high: Int?
                switch lp.optimum(of: column, maximise: true) {
                case .optimal(let maximum):
                    observe()
                    high = Int((maximum + 1e-6).rounded(.down))
                case .unbounded:
                    high = nil
                case .infeasible:
                    infeasible = true
                    high = nil
                }
                if infeasible { break }
                let interval = CellInterval(low: low, high: high)
                result.intervals[id] = interval
                if !interval.protects(protection) {
                    result.exposed.append(.init(cell: id, label: system.targets[id]!.label, interval: interval, protection: protection,
                                                relations: (relationsOf[id] ?? []).map { system.relations[$0].origin }))
                    if stopAtFirstExposure { break }
                }
            }
            if infeasible {
                result.broken.append("the published numbers of \((equations[root] ?? []).first.map { system.relations[$0.origin].origin } ?? "a group of cells") and the relations linked to it admit no solution")
            }
            if stopAtFirstExposure, !result.exposed.isEmpty { break }
        }
        result.exposed.sort { $0.label < $1.label }
        return result
    }
}
