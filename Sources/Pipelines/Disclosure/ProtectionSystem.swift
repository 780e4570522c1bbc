/// Everything an attacker knows, as one system of linear relations: the published numbers, the
/// cells held back (with the protection each needs), and the equations that link cells within a
/// table, between columns, between windows and between datasets.
///
/// Cells are named by a canonical id (``DisclosureCellID``), so the same statistic published by
/// two datasets is one variable. Every unknown is non-negative.
public struct ProtectionSystem: Sendable {
    /// One linear relation: Σ coefficient × cell (+ a non-negative remainder when `remainder`) = 0.
    public struct Relation: Sendable, Hashable {
        public var terms: [Term]
        /// The relation holds with a hidden non-negative number added to the cells (for example
        /// the meldingen without a wijk in a gemeente count).
        public var remainder: Bool
        /// Where it comes from, in words, for an error that names the relation.
        public var origin: String

        public struct Term: Sendable, Hashable {
            public var cell: String
            public var coefficient: Double
            public init(_ cell: String, _ coefficient: Double) { self.cell = cell; self.coefficient = coefficient }
        }

        public init(_ terms: [Term], remainder: Bool = false, origin: String) {
            self.terms = terms
            self.remainder = remainder
            self.origin = origin
        }
    }

    /// A cell held back, with what the audit needs to report it.
    public struct Target: Sendable, Hashable {
        /// Dataset, window, row key and column, as a person reads it.
        public var label: String
        /// The smallest interval width an attacker may be left with.
        public var protection: Int
        public init(label: String, protection: Int) { self.label = label; self.protection = protection }
    }

    /// Published values by cell id (including the zeros an absent row stands for).
    public var published: [String: Double] = [:]
    /// Cells held back, by cell id.
    public var targets: [String: Target] = [:]
    public var relations: [Relation] = []

    public init() {}

    /// The relations after substituting published values: only the unknown cells stay, with the
    /// published part moved to the right-hand side. Relations without unknowns are checked.
    struct Reduced {
        var unknowns: [String]
        var index: [String: Int]
        /// Equations over unknown indices; a remainder gets its own index after the cells.
        var equations: [(terms: [(Int, Double)], value: Double, origin: Int)]
        /// Relations whose published numbers do not add up (a wrong declaration or wrong data).
        var broken: [Int]
    }

    func reduced() -> Reduced {
        var index: [String: Int] = [:], unknowns: [String] = []
        var equations: [(terms: [(Int, Double)], value: Double, origin: Int)] = []
        var broken: [Int] = []
        for (r, relation) in relations.enumerated() {
            var constant = 0.0
            var terms: [Int: Double] = [:]
            for t in relation.terms {
                if let v = published[t.cell] {
                    constant += t.coefficient * v
                } else {
                    let i = index[t.cell] ?? {
                        unknowns.append(t.cell)
                        index[t.cell] = unknowns.count - 1
                        return unknowns.count - 1
                    }()
                    terms[i, default: 0] += t.coefficient
                }
            }
            if relation.remainder {
                unknowns.append("remainder#\(r)")
                index[unknowns[unknowns.count - 1]] = unknowns.count - 1
                terms[unknowns.count - 1] = -1
            }
            let kept = terms.filter { $0.value != 0 }.sorted { $0.key < $1.key }
            if kept.isEmpty {
                if abs(constant) > 1e-6 { broken.append(r) }
                continue
            }
            equations.append((kept.map { ($0.key, $0.value) }, -constant, r))
        }
        return Reduced(unknowns: unknowns, index: index, equations: equations, broken: broken)
    }
}

/// Union-find over unknown indices: which unknowns are tied together by some chain of relations.
struct Components {
    private var parent: [Int]

    init(count: Int, equations: [(terms: [(Int, Double)], value: Double, origin: Int)]) {
        parent = Array(0..<count)
        for e in equations {
            guard let first = e.terms.first?.0 else { continue }
            for t in e.terms.dropFirst() { union(first, t.0) }
        }
    }

    mutating func find(_ i: Int) -> Int {
        var i = i
        while parent[i] != i {
            parent[i] = parent[parent[i]]
            i = parent[i]
        }
        return i
    }

    private mutating func union(_ a: Int, _ b: Int) {
        let ra = find(a), rb = find(b)
        if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
    }
}
