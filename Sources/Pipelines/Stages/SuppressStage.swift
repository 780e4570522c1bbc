import LantaarnModel
import Store

/// Disclosure control for a table of counts with row and column totals (wijk × category):
/// cells with a count from 1 to k − 1 are suppressed (CBS's rule, k = 5 by default), and
/// enough other cells (body cells first, totals only when nothing else will do) are
/// suppressed with them that no suppressed cell can be worked out from what is published.
/// Counts may also be rounded to 5, as CBS does for wijken and buurten. Suppressed cells are
/// marked (`nil`), never silently missing.
///
/// The table is treated with its margins as one (rows + 1) × (columns + 1) grid, the grand
/// total in the corner (published unless nothing else can protect a cell, as in a table of
/// one row and one column). A suppressed cell is safe when it lies on a cycle
/// of suppressed cells (alternating along rows and columns): adding and subtracting along the
/// cycle changes no published number, so the cell is not pinned down. Open cells are closed
/// with the cheapest rectangle: the fewest counts, body cells before totals.
public struct SuppressStage: Sendable, Hashable {
    /// Smallest count published.
    public var k: Int
    /// Round published counts and totals to the nearest multiple of 5.
    public var roundToFive: Bool

    /// Also suppress other cells so that small ones cannot be worked out from totals.
    public var complementary: Bool

    public init(k: Int = 5, roundToFive: Bool = false, complementary: Bool = true) {
        self.k = k
        self.roundToFive = roundToFive
        self.complementary = complementary
    }

    struct Raw: Decodable {
        var k: Int?
        var round_to: Int?
        var complementary: Bool?
    }

    init(_ raw: Raw, file: String, path: String) throws {
        let k = raw.k ?? 5
        guard (2...100).contains(k) else {
            throw PipelineError(file: file, path: "\(path).k", reason: "use a threshold from 2 to 100; CBS uses 5")
        }
        guard raw.round_to == nil || raw.round_to == 5 else {
            throw PipelineError(file: file, path: "\(path).round_to", reason: "counts can only be rounded to 5 (as CBS does for wijken and buurten); leave it out for exact counts")
        }
        self.init(k: k, roundToFive: raw.round_to == 5, complementary: raw.complementary ?? true)
    }

    /// The column that marks a row whose figures were held back.
    static let markColumn = ColumnSpec(name: "onderdrukt", type: .text,
                                       description: "'ja' als getallen in deze rij niet gepubliceerd zijn omdat ze te klein zijn (privacy); de cel is dan leeg")

    /// A published count: rounded to 5 when asked.
    public func rounded(_ n: Int) -> Int { roundToFive ? Int((Double(n) / 5).rounded()) * 5 : n }

    var parameters: [(String, JSONValue)] {
        [("k", .number(Double(k))), ("round_to", roundToFive ? .number(5) : .null), ("complementary", .bool(complementary))]
    }

    var dutch: String {
        "Laat aantallen onder \(k) weg (de regel van het CBS)" + (complementary ? ", en zo veel andere cellen dat die niet uit totalen terug te rekenen zijn" : "")
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

    public func apply(_ table: [[Int]]) -> Result {
        let rows = table.count, columns = table.first?.count ?? 0
        // The grid with margins.
        var grid = table.map { $0 + [$0.reduce(0, +)] }
        grid.append((0...columns).map { c in grid.reduce(0) { $0 + $1[c] } })
        let grand = Cell(rows, columns)
        func value(_ c: Cell) -> Int { grid[c.row][c.column] }
        func isMargin(_ c: Cell) -> Bool { c.row == rows || c.column == columns }

        var primary = Set<Cell>()
        for r in 0..<rows { for c in 0..<columns where table[r][c] > 0 && table[r][c] < k { primary.insert(Cell(r, c)) } }
        var suppressed = primary
        while complementary, let open = suppressed.sorted().first(where: { !Self.onCycle($0, suppressed) }) {
            var best: (cost: Int, cells: [Cell])?
            for r2 in 0...rows where r2 != open.row {
                for c2 in 0...columns where c2 != open.column {
                    let corners = [Cell(open.row, c2), Cell(r2, open.column), Cell(r2, c2)]
                    // Zeros are public knowledge and cannot hide anything.
                    guard corners.allSatisfy({ suppressed.contains($0) || value($0) > 0 }) else { continue }
                    let added = corners.filter { !suppressed.contains($0) }
                    // Body cells first, then totals, the grand total only as the last resort.
                    let cost = added.reduce(0) { $0 + value($1) + ($1 == grand ? 1_000_000_000_000 : isMargin($1) ? 1_000_000 : 0) }
                    if best == nil || cost < best!.cost || (cost == best!.cost && added.count < best!.cells.count) { best = (cost, added) }
                }
            }
            guard let choice = best, !choice.cells.isEmpty else { break }   // cannot happen: the margins always close a rectangle
            suppressed.formUnion(choice.cells)
        }
        let shown = { (c: Cell) -> Int? in suppressed.contains(c) ? nil : rounded(value(c)) }
        return Result(primary: primary, complementary: suppressed.subtracting(primary),
                      published: (0..<rows).map { r in (0..<columns).map { shown(Cell(r, $0)) } },
                      rowTotals: (0..<rows).map { shown(Cell($0, columns)) },
                      columnTotals: (0..<columns).map { shown(Cell(rows, $0)) },
                      total: shown(grand))
    }

    /// True when `cell` lies on a cycle of suppressed cells in the row–column graph: its row
    /// and column stay connected through other suppressed cells.
    public static func onCycle(_ cell: Cell, _ suppressed: Set<Cell>) -> Bool {
        var seenRows: Set<Int> = [cell.row], seenColumns: Set<Int> = []
        var frontier: [(isRow: Bool, index: Int)] = [(true, cell.row)]
        while let (isRow, index) = frontier.popLast() {
            for s in suppressed where s != cell {
                if isRow, s.row == index, !seenColumns.contains(s.column) {
                    if s.column == cell.column { return true }
                    seenColumns.insert(s.column)
                    frontier.append((false, s.column))
                } else if !isRow, s.column == index, !seenRows.contains(s.row) {
                    seenRows.insert(s.row)
                    frontier.append((true, s.row))
                }
            }
        }
        return false
    }
}
