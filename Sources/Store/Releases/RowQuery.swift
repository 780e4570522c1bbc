import LantaarnModel

/// A filtered, sorted page of a dataset's current rows: what the query API
/// (`/datasets/{name}/rows.json`) asks of the store. Columns are named by their position in the
/// dataset's column list; values are bound as parameters, never spliced into SQL.
public struct RowQuery: Sendable, Equatable {
    /// The comparison a filter makes.
    public enum Operator: String, Sendable, CaseIterable {
        case exact, gt, gte, lt, lte, `in`, contains, isnull
    }

    /// One `column op value(s)` condition; every filter must hold.
    public struct Filter: Sendable, Equatable {
        public var column: Int
        public var op: Operator
        /// One value, several for `in`, and for `isnull` `.integer(1)` (is null) or `.integer(0)` (is not).
        public var values: [CellValue]

        public init(column: Int, op: Operator, values: [CellValue]) {
            self.column = column
            self.op = op
            self.values = values
        }
    }

    /// Sort by one column (ties in publication order); `nil`: publication order.
    public struct Sort: Sendable, Equatable {
        public var column: Int
        public var descending: Bool

        public init(column: Int, descending: Bool) {
            self.column = column
            self.descending = descending
        }
    }

    public var filters: [Filter] = []
    public var sort: Sort?
    /// Rows per page.
    public var limit: Int = 100
    /// The position after which the page starts (keyset paging), from the previous page.
    public var after: RowQueryCursor?
    /// Columns to count distinct values of, over every row matching the filters.
    public var facets: [Int] = []
    /// Distinct values listed per facet, most frequent first.
    public var facetLimit: Int = 30
    /// Only rows of windows starting at or after this time; `nil`: every window.
    public var windowsFrom: Int64?
    /// Work on one query is stopped after this long, in milliseconds.
    public var timeLimitMilliseconds: Int = 2_000

    public init() {}
}

/// A row's position in a query's order: its sort value (if sorted) and its place in publication order.
public struct RowQueryCursor: Sendable, Equatable {
    /// The sort column's value of the last row (`.null` when absent); unused without a sort.
    public var sortValue: CellValue
    public var windowStart: Int64
    public var seq: Int

    public init(sortValue: CellValue, windowStart: Int64, seq: Int) {
        self.sortValue = sortValue
        self.windowStart = windowStart
        self.seq = seq
    }
}

/// One page of a row query.
public struct RowQueryPage: Sendable {
    public var rows: [[CellValue]]
    /// Where the next page starts; `nil` on the last page.
    public var next: RowQueryCursor?
    /// Per requested facet column: (value, rows) pairs, most frequent first, and whether values were left off.
    public var facets: [(column: Int, values: [(value: CellValue, count: Int)], truncated: Bool)]

    package init(rows: [[CellValue]], next: RowQueryCursor?, facets: [(column: Int, values: [(value: CellValue, count: Int)], truncated: Bool)]) {
        self.rows = rows
        self.next = next
        self.facets = facets
    }
}

/// Why a row query was refused.
public enum RowQueryError: Error, Sendable, Equatable {
    /// The query ran past its time limit and was stopped.
    case timeLimit(milliseconds: Int)
}
