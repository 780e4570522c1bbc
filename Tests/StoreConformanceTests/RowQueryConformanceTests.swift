import Foundation
import LantaarnModel
import Store
import Testing

/// The store side of the query API: filters, keyset paging with ties and nulls, facets, time limit.
struct RowQueryConformanceTests {
    static func store(_ backend: Backend, rows: [[CellValue]]) throws -> StoreUnderTest {
        let store = try StoreUnderTest(backend)
        try store.releases.register(DatasetMetadata(name: "d", title: "T", description: "D", pipeline: "p", license: "CC0-1.0", retention: "1y",
                                           columns: [ColumnSpec(name: "wijk", type: .text, description: ""),
                                                     ColumnSpec(name: "n", type: .number, description: "")]))
        // Two windows, so paging crosses a window boundary.
        let half = rows.count / 2
        try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 0, end: 10), rows: Array(rows[..<half]), rowsIn: 0, lineage: .null))
        try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 10, end: 20), rows: Array(rows[half...]), rowsIn: 0, lineage: .null))
        return store
    }

    /// Rows with repeated values and nulls in the sort column.
    static let rows: [[CellValue]] = (0..<57).map { (i: Int) -> [CellValue] in
        let wijk: CellValue = .text(["WK01", "WK02", "WK03"][i % 3])
        let value: CellValue
        if i % 7 == 0 {
            value = .null
        } else if i % 5 == 0 {
            value = .number(Double(i % 4) + 0.5)
        } else {
            value = .integer(Int64(i % 4))
        }
        return [wijk, value]
    }

    /// Every page in turn, following `next`.
    static func all(_ store: StoreUnderTest, _ base: RowQuery) throws -> [[CellValue]] {
        var query = base
        var out: [[CellValue]] = []
        while true {
            let page = try store.releases.queryRows(dataset: "d", query)
            #expect(page.rows.count <= query.limit)
            out += page.rows
            guard let next = page.next else { return out }
            query.after = next
        }
    }

    @Test(arguments: Backend.allCases)
    func keysetPagingVisitsEveryRowOnceInOrder(_ backend: Backend) throws {
        let store = try Self.store(backend, rows: Self.rows)
        defer { store.close() }
        var q = RowQuery()
        q.limit = 4
        #expect(try Self.all(store, q) == Self.rows)
        func key(_ v: CellValue) -> Double? {
            switch v { case .integer(let n): Double(n); case .number(let d): d; default: nil }
        }
        for descending in [false, true] {
            q.sort = .init(column: 1, descending: descending)
            let got = try Self.all(store, q)
            // Nulls first ascending, last descending; ties in publication order (reversed when descending).
            let ascending = Self.rows.enumerated().sorted { a, b in
                let (x, y) = (key(a.element[1]), key(b.element[1]))
                if (x == nil) != (y == nil) { return x == nil }
                if let x, let y, x != y { return x < y }
                return a.offset < b.offset
            }.map(\.element)
            #expect(got == (descending ? ascending.reversed() : ascending))
        }
    }

    @Test(arguments: Backend.allCases)
    func filtersAndFacets(_ backend: Backend) throws {
        let store = try Self.store(backend, rows: Self.rows)
        defer { store.close() }
        func count(_ filters: [RowQuery.Filter]) throws -> Int {
            var q = RowQuery()
            q.filters = filters
            q.limit = 1000
            return try store.releases.queryRows(dataset: "d", q).rows.count
        }
        let expected = { (test: ([CellValue]) -> Bool) in Self.rows.filter(test).count }
        #expect(try count([.init(column: 0, op: .exact, values: [.text("WK02")])]) == 19)
        #expect(try count([.init(column: 1, op: .gte, values: [.integer(2)])]) == expected {
            if case .integer(let n) = $0[1] { return n >= 2 }; if case .number(let d) = $0[1] { return d >= 2 }; return false })
        #expect(try count([.init(column: 1, op: .lt, values: [.number(1)])]) == expected {
            if case .integer(let n) = $0[1] { return n < 1 }; if case .number(let d) = $0[1] { return d < 1 }; return false })
        #expect(try count([.init(column: 0, op: .in, values: [.text("WK01"), .text("WK03")])]) == 38)
        #expect(try count([.init(column: 0, op: .contains, values: [.text("k0")])]) == 57)
        #expect(try count([.init(column: 1, op: .isnull, values: [.integer(1)])]) == 9)
        #expect(try count([.init(column: 1, op: .isnull, values: [.integer(0)])]) == 48)
        // Values are parameters: SQL in a value is only text that matches nothing.
        #expect(try count([.init(column: 0, op: .exact, values: [.text("' OR 1=1 --")])]) == 0)
        #expect(try count([.init(column: 0, op: .contains, values: [.text("%")])]) == 0)

        var q = RowQuery()
        q.facets = [0]
        q.filters = [.init(column: 1, op: .isnull, values: [.integer(1)])]
        let facet = try #require(try store.releases.queryRows(dataset: "d", q).facets.first)
        #expect(facet.values.map(\.count).reduce(0, +) == 9 && !facet.truncated)
        q.facetLimit = 2
        q.filters = []
        #expect(try store.releases.queryRows(dataset: "d", q).facets.first?.truncated == true)
        // Only the newer window (rows 28...56).
        q.facetLimit = 30
        q.windowsFrom = 10
        #expect(try store.releases.queryRows(dataset: "d", q).facets.first?.values.map(\.count).reduce(0, +) == 57 - 57 / 2)
    }

    @Test(arguments: Backend.allCases)
    func rowCountFollowsReplacedWindows(_ backend: Backend) throws {
        let store = try Self.store(backend, rows: Self.rows)
        defer { store.close() }
        #expect(try store.releases.dataset(named: "d")?.rowCount == 57)
        try store.releases.publish(ReleaseDraft(dataset: "d", window: TimeWindow(start: 0, end: 10), rows: [[.text("WK01"), .integer(1)]], rowsIn: 0, lineage: .null))
        #expect(try store.releases.dataset(named: "d")?.rowCount == 1 + 57 - 57 / 2)
        #expect(try Self.all(store, RowQuery()).count == 1 + 57 - 57 / 2)
    }

    @Test(arguments: Backend.allCases)
    func longQueriesStopAtTheTimeLimit(_ backend: Backend) throws {
        let rows = (0..<60_000).map { [CellValue.text("WK\($0 % 97) \(String(repeating: "x", count: 40))"), .integer(Int64($0))] }
        let store = try Self.store(backend, rows: rows)
        defer { store.close() }
        var q = RowQuery()
        q.filters = [.init(column: 0, op: .contains, values: [.text("nergens")])]
        q.sort = .init(column: 1, descending: true)
        q.facets = [0]
        q.timeLimitMilliseconds = 1
        #expect(throws: RowQueryError.timeLimit(milliseconds: 1)) { try store.releases.queryRows(dataset: "d", q) }
        // The connection is usable afterwards, and the same query finishes with time to spare.
        q.timeLimitMilliseconds = 20_000
        #expect(try store.releases.queryRows(dataset: "d", q).rows.isEmpty)
    }
}
