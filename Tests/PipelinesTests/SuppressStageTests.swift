import LantaarnModel
import Pipelines
import Testing

/// Small counts are suppressed, and no suppressed cell can be worked out from the totals.
struct SuppressStageTests {
    /// Whether a suppressed cell is determined by what is published: the body and margin
    /// relations of the (rows + 1) × (columns + 1) grid (each row's cells sum to its total,
    /// each column's to its total), restricted to the suppressed cells (the rest is known).
    /// The cell is derivable exactly when its indicator lies in the span of those relations
    /// (rank test, Gaussian elimination).
    static func derivable(_ cell: SuppressStage.Cell, in suppressed: Set<SuppressStage.Cell>, rows: Int, columns: Int) -> Bool {
        let cells = suppressed.sorted()
        var relations: [[Double]] = []
        for r in 0...rows {   // row r: body cells − the row total (the totals row: column totals − grand)
            relations.append(cells.map { $0.row == r ? ($0.column == columns ? -1 : 1) : 0 })
        }
        for c in 0...columns {
            relations.append(cells.map { $0.column == c ? ($0.row == rows ? -1 : 1) : 0 })
        }
        func rank(_ m: [[Double]]) -> Int {
            var m = m, rank = 0
            let width = m.first?.count ?? 0
            for col in 0..<width {
                guard let pivot = (rank..<m.count).first(where: { abs(m[$0][col]) > 1e-9 }) else { continue }
                m.swapAt(rank, pivot)
                for r in 0..<m.count where r != rank && abs(m[r][col]) > 1e-9 {
                    let f = m[r][col] / m[rank][col]
                    for c in 0..<width { m[r][c] -= f * m[rank][c] }
                }
                rank += 1
            }
            return rank
        }
        let base = rank(relations)
        return rank(relations + [cells.map { $0 == cell ? 1.0 : 0 }]) == base
    }

    @Test func primaryAndComplementaryCells() {
        // Wijken × categories; 3, 2 and 1 are too small.
        let table = [[12, 3, 40, 9],
                     [25, 30, 2, 18],
                     [7, 11, 14, 1],
                     [20, 22, 31, 16]]
        let result = SuppressStage().apply(table)
        #expect(result.primary == [.init(0, 1), .init(1, 2), .init(2, 3)])
        #expect(!result.complementary.isEmpty)
        for cell in result.suppressed {
            #expect(!Self.derivable(cell, in: result.suppressed, rows: 4, columns: 4), "\(cell) can be worked out from the totals")
            if cell.row < 4 && cell.column < 4 {
                #expect(result.published[cell.row][cell.column] == nil, "suppressed cells are marked (nil), not published")
            }
        }
        #expect(result.total == table.joined().reduce(0, +))
        #expect(result.complementary.allSatisfy { $0.row < 4 && $0.column < 4 }, "body cells are enough here: totals stay published")
        #expect(result.complementary.count <= 6, "\(result.complementary.sorted().map { "(\($0.row),\($0.column))" })")
        #expect(Self.narrowest(table, result) >= 5)
    }

    /// The narrowest interval an attacker gets for a held-back cell from the published body and
    /// margins (an exact linear programme per cell, as ``IntervalAudit`` computes it).
    static func narrowest(_ table: [[Int]], _ result: SuppressStage.Result) -> Int {
        let rows = table.count, columns = table[0].count
        func id(_ r: Int, _ c: Int) -> String { "r\(r)c\(c)" }
        var system = ProtectionSystem()
        let value = { (r: Int, c: Int) -> Int? in
            r < rows && c < columns ? result.published[r][c] : r < rows ? result.rowTotals[r] : c < columns ? result.columnTotals[c] : result.total
        }
        for r in 0...rows {
            for c in 0...columns {
                if let v = value(r, c) { system.published[id(r, c)] = Double(v) } else { system.targets[id(r, c)] = .init(label: id(r, c), protection: 5) }
            }
            system.relations.append(.init((0..<columns).map { .init(id(r, $0), 1) } + [.init(id(r, columns), -1)], origin: "row"))
        }
        for c in 0...columns {
            system.relations.append(.init((0..<rows).map { .init(id($0, c), 1) } + [.init(id(rows, c), -1)], origin: "column"))
        }
        let audit = IntervalAudit.run(system, mode: .exact)
        return audit.intervals.values.map { $0.width ?? .max }.min() ?? .max
    }

    /// A lone small cell in a line needs a partner; the naive "second cell in the row" rule can
    /// leave a bridge that the totals reveal. No suppressed cell may be derivable, and each must
    /// keep an interval of at least 5 (non-negativity narrows what the rank test allows).
    @Test func noBridgesOnRandomTables() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<300 {
            let rows = 2 + Int(rng.next() % 7), columns = 2 + Int(rng.next() % 7)
            let table = (0..<rows).map { _ in (0..<columns).map { _ in Int(rng.next() % 30) } }
            let result = SuppressStage(k: 5).apply(table)
            for cell in result.suppressed {
                #expect(!Self.derivable(cell, in: result.suppressed, rows: rows, columns: columns), "\(table): \(cell)")
            }
            #expect(Self.narrowest(table, result) >= 5, "\(table)")
            for r in 0..<rows {
                for c in 0..<columns where table[r][c] > 0 && table[r][c] < 5 {
                    #expect(result.published[r][c] == nil)
                }
            }
        }
    }

    /// One small cell alone in its table: only suppressing the totals, the grand total too, hides it.
    @Test func aLoneSmallCellTakesTheTotalsWithIt() {
        let result = SuppressStage().apply([[3]])
        #expect(result.published == [[nil]] && result.rowTotals == [nil] && result.columnTotals == [nil] && result.total == nil)
        let wider = SuppressStage().apply([[3, 0], [0, 0]])
        for cell in wider.suppressed { #expect(!Self.derivable(cell, in: wider.suppressed, rows: 2, columns: 2), "\(cell)") }
    }

    @Test func roundingToFive() {
        let result = SuppressStage(k: 5, roundToFive: true).apply([[12, 23], [37, 48]])
        #expect(result.suppressed.isEmpty && result.published == [[10, 25], [35, 50]] && result.total == 120)
    }
}
