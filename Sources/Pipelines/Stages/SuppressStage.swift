import LantaarnModel
import Store

/// Disclosure control: counts of people or their reports from 1 to k − 1 are held back (CBS's
/// rule, k = 5 by default), and enough other cells with them that an attacker who holds every
/// published number (every table, total, column identity, earlier window and other dataset of
/// the same input: the relations the stages declare) can narrow no held-back count to an
/// interval smaller than `protection` (default k). The pattern is chosen per new release by
/// ``PatternChooser`` against everything already published, with linear programmes (GLPK).
/// Counts of readings may also be rounded to 5, as CBS does for wijken and buurten. Held-back
/// cells are marked (`nil`, `onderdrukt: ja`), never silently missing.
public struct SuppressStage: Stage, Hashable {
    static let kind = "suppress"
    static let role = StageRole.protecting
    static let inputs = Set(PipelineDefinition.Input.Kind.allCases)
    static let fields: [String: YAMLSourceMap.Schema] = ["k": .any, "round_to": .any, "complementary": .any, "protection": .any]

    /// Smallest count published.
    public var k: Int
    /// Round published counts and totals to the nearest multiple of 5.
    public var roundToFive: Bool

    /// Also suppress other cells so that small ones cannot be worked out from totals.
    public var complementary: Bool
    /// Smallest width of the interval an attacker can compute for a held-back count.
    public var protection: Int

    public init(k: Int = 5, roundToFive: Bool = false, complementary: Bool = true, protection: Int? = nil) {
        self.k = k
        self.roundToFive = roundToFive
        self.complementary = complementary
        self.protection = protection ?? k
    }

    struct Raw: Decodable {
        var k: Int?
        var round_to: Int?
        var complementary: Bool?
        var protection: Int?
    }

    init(_ raw: Raw, context: StageParseContext) throws {
        let k = raw.k ?? 5
        guard (2...100).contains(k) else {
            throw context.fail("k", "use a threshold from 2 to 100; CBS uses 5")
        }
        guard raw.round_to == nil || raw.round_to == 5 else {
            throw context.fail("round_to", "counts can only be rounded to 5 (as CBS does for wijken and buurten); leave it out for exact counts")
        }
        if let p = raw.protection, !(1...1000).contains(p) {
            throw context.fail("protection", "give the smallest interval width an attacker may be left with, from 1 to 1000; it defaults to k")
        }
        self.init(k: k, roundToFive: raw.round_to == 5, complementary: raw.complementary ?? true, protection: raw.protection)
    }

    /// The column that marks a row whose figures were held back.
    static let markColumn = ColumnSpec(name: "onderdrukt", type: .text,
                                       description: "'ja' als getallen in deze rij niet gepubliceerd zijn omdat ze te klein zijn (privacy); de cel is dan leeg")

    /// A published count: rounded to 5 when asked.
    public func rounded(_ n: Int) -> Int { roundToFive ? Int((Double(n) / 5).rounded()) * 5 : n }

    var parameters: [(String, JSONValue)] {
        [("k", .number(Double(k))), ("round_to", roundToFive ? .number(5) : .null), ("complementary", .bool(complementary)),
         ("protection", .number(Double(protection)))]
    }

    func dutch(quantities: [String]) -> String {
        "Laat aantallen onder \(k) weg (de regel van het CBS)" + (complementary ? ", en zo veel andere cellen dat niemand ze met alle gepubliceerde getallen samen (totalen, andere kolommen, andere weken en andere datasets) nauwkeuriger dan op \(protection) na kan uitrekenen" : "")
            + (roundToFive ? "; de overige aantallen worden afgerond op 5" : "") + ". Weggelaten cellen zijn gemarkeerd."
    }

    /// A position in the grid with margins: `row == rows` is the totals row, `column ==
    /// columns` the totals column.
    public struct Cell: Hashable, Sendable, Comparable {
        public var row: Int, column: Int
        public init(_ row: Int, _ column: Int) { self.row = row; self.column = column }
        public static func < (l: Cell, r: Cell) -> Bool { (l.row, l.column) < (r.row, r.column) }
    }

    /// What to publish.
    public struct Result: Sendable, Equatable {
        /// Cells suppressed because they are too small.
        public var primary: Set<Cell>
        /// Cells (body or totals) suppressed so that the primary ones cannot be recovered.
        public var complementary: Set<Cell>
        /// Published body values: `nil` where suppressed; rounded when asked.
        public var published: [[Int?]]
        public var rowTotals: [Int?], columnTotals: [Int?]
        /// `nil` only when it had to be suppressed too.
        public var total: Int?
        public var suppressed: Set<Cell> { primary.union(complementary) }
    }

    /// Protects one table with its margins on its own: the body, the row and column totals and
    /// the grand total are published, and the pattern is chosen (``PatternChooser``) so that every
    /// held-back cell keeps an interval of at least `protection` against the row and column sums.
    public func apply(_ table: [[Int]]) -> Result {
        let rows = table.count, columns = table.first?.count ?? 0
        var grid = table.map { $0 + [$0.reduce(0, +)] }
        grid.append((0...columns).map { c in grid.reduce(0) { $0 + $1[c] } })
        func id(_ c: Cell) -> String { "r\(c.row)c\(c.column)" }
        var candidates: [String: PatternChooser.Candidate] = [:]
        var primary = Set<Cell>()
        for r in 0...rows {
            for c in 0...columns {
                let cell = Cell(r, c)
                let margins = (r == rows ? 1 : 0) + (c == columns ? 1 : 0)
                candidates[id(cell)] = .init(value: grid[r][c], label: "row \(r), column \(c)", protection: protection, rank: margins)
                if margins == 0, table[r][c] > 0, table[r][c] < k { primary.insert(cell) }
            }
        }
        // Each row adds up to its total, each column to its total.
        var relations: [ProtectionSystem.Relation] = []
        for r in 0...rows {
            relations.append(.init((0..<columns).map { .init(id(Cell(r, $0)), 1) } + [.init(id(Cell(r, columns)), -1)], origin: "row \(r)"))
        }
        for c in 0...columns {
            relations.append(.init((0..<rows).map { .init(id(Cell($0, c)), 1) } + [.init(id(Cell(rows, c)), -1)], origin: "column \(c)"))
        }
        var suppressed = primary
        if complementary, !primary.isEmpty,
           let choice = try? PatternChooser.choose(history: ProtectionSystem(), cells: candidates, relations: relations,
                                                   primary: Set(primary.map(id))) {
            for r in 0...rows { for c in 0...columns where choice.held.contains(id(Cell(r, c))) { suppressed.insert(Cell(r, c)) } }
        }
        let shown = { (c: Cell) -> Int? in suppressed.contains(c) ? nil : rounded(grid[c.row][c.column]) }
        return Result(primary: primary, complementary: suppressed.subtracting(primary),
                      published: (0..<rows).map { r in (0..<columns).map { shown(Cell(r, $0)) } },
                      rowTotals: (0..<rows).map { shown(Cell($0, columns)) },
                      columnTotals: (0..<columns).map { shown(Cell(rows, $0)) },
                      total: shown(Cell(rows, columns)))
    }
}
