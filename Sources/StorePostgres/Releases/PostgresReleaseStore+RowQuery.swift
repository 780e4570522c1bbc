import LantaarnModel
import PostgresNIO
import Store

extension PostgresReleaseStore {
    /// One page of `dataset`'s current rows matching `query`, with its facets: the same rows, order
    /// and facets as SQLite's `json_extract` query. Every value is a bound parameter; work stops at
    /// the query's time limit (`statement_timeout`).
    public func queryRows(dataset: String, _ query: RowQuery) throws -> RowQueryPage {
        do {
            return try database.transaction { session in
                try session.execute("SET LOCAL statement_timeout = \(max(1, query.timeLimitMilliseconds))")
                return try PGRowQuerySQL(dataset: dataset, query: query).run(session)
            }
        } catch let error as PostgresStoreError where error.sqlState == "57014" {
            throw RowQueryError.timeLimit(milliseconds: query.timeLimitMilliseconds)
        }
    }
}

/// The SQL of one row query. Rows are stored as JSON array text; a cell is `j -> i` over
/// `j = cells::jsonb`. SQLite's ordering of mixed cells is kept: no value, then numbers by value,
/// then text by code point (`COLLATE "C"`); a number is below any text.
private struct PGRowQuerySQL {
    let dataset: String
    let query: RowQuery

    static func kind(_ i: Int) -> String { "coalesce(jsonb_typeof(j -> \(i)), 'null')" }
    /// 0 no value, 1 number, 2 text.
    static func rank(_ i: Int) -> String { "(CASE \(kind(i)) WHEN 'number' THEN 1 WHEN 'string' THEN 2 ELSE 0 END)" }
    static func number(_ i: Int) -> String { "(CASE WHEN \(kind(i)) = 'number' THEN (j ->> \(i))::float8 END)" }
    static func text(_ i: Int) -> String { "(CASE WHEN \(kind(i)) = 'string' THEN j ->> \(i) END) COLLATE \"C\"" }

    /// Builds the statement text and its binds together.
    struct Builder {
        var binds = PostgresBindings()
        private var count = 0

        mutating func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
            binds.append(value)
            count += 1
            return "$\(count)"
        }

        mutating func bindCell(_ value: CellValue) -> (placeholder: String, isText: Bool)? {
            switch value {
            case .text(let s): return (bind(s), true)
            case .integer(let n): return (bind(Double(n)) + "::float8", false)
            case .number(let d): return (bind(d) + "::float8", false)
            case .null: return nil
            }
        }
    }

    func run(_ session: PGSession) throws -> RowQueryPage {
        var b = Builder()
        var conditions = filters(&b)
        let descending = query.sort?.descending ?? false
        let keys: [String]
        if let sort = query.sort {
            let c = sort.column
            keys = ["(\(Self.rank(c)) <> 0)", Self.rank(c), "coalesce(\(Self.number(c)), 0)", "coalesce(\(Self.text(c)), '')", "window_start", "seq"]
        } else {
            keys = ["window_start", "seq"]
        }
        if let after = query.after {
            var values: [String] = []
            if query.sort != nil {
                let v = after.sortValue
                let rank: Int32 = switch v { case .null: 0; case .integer, .number: 1; case .text: 2 }
                let number: Double = switch v { case .integer(let n): Double(n); case .number(let d): d; default: 0 }
                let text: String = if case .text(let s) = v { s } else { "" }
                values += [b.bind(rank != 0) + "::boolean", b.bind(rank) + "::integer", b.bind(number) + "::float8",
                           b.bind(text) + "::text COLLATE \"C\""]
            }
            values += [b.bind(after.windowStart) + "::bigint", b.bind(Int32(clamping: after.seq)) + "::integer"]
            conditions.append("(\(keys.joined(separator: ", "))) \(descending ? "<" : ">") (\(values.joined(separator: ", ")))")
        }
        let order = keys.map { $0 + (descending ? " DESC" : "") }.joined(separator: ", ")
        let limit = b.bind(Int64(query.limit + 1))
        let fetched = try session.query(PostgresQuery(unsafeSQL: """
            SELECT cells, window_start, seq FROM dataset_row, LATERAL (SELECT cells::jsonb AS j) x
            WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(order) LIMIT \(limit)
            """, binds: b.binds)).map { try $0.decode((String, Int64, Int32).self) }
        let page = fetched.prefix(query.limit)
        let rows = try page.map { row in try Self.cells(row.0) }
        var next: RowQueryCursor?
        if fetched.count > query.limit, let last = page.last {
            let cells = try Self.cells(last.0)
            let sortValue = query.sort.map { $0.column < cells.count ? cells[$0.column] : .null } ?? .null
            next = RowQueryCursor(sortValue: sortValue, windowStart: last.1, seq: Int(last.2))
        }
        return RowQueryPage(rows: rows, next: next, facets: try facets(session))
    }

    /// The filter conditions (with the dataset), binding their values into `b`.
    private func filters(_ b: inout Builder) -> [String] {
        var conditions = ["dataset = \(b.bind(dataset))"]
        if let from = query.windowsFrom { conditions.append("window_start >= \(b.bind(from))") }
        for f in query.filters {
            let i = f.column
            switch f.op {
            case .exact:
                conditions.append(f.values.first.map { exact(i, $0, &b) } ?? "FALSE")
            case .gt, .gte, .lt, .lte:
                let op = ["gt": ">", "gte": ">=", "lt": "<", "lte": "<="][f.op.rawValue]!
                guard let value = f.values.first, let (p, isText) = b.bindCell(value) else { conditions.append("FALSE"); continue }
                let above = f.op == .gt || f.op == .gte
                // A number is below any text: text passes `> number`, a number passes `< text`.
                conditions.append(isText
                    ? "(\(above ? "FALSE" : "\(Self.rank(i)) = 1") OR \(Self.text(i)) \(op) \(p)::text)"
                    : "(\(above ? "\(Self.rank(i)) = 2" : "FALSE") OR \(Self.number(i)) \(op) \(p))")
            case .in:
                conditions.append("(" + (f.values.map { exact(i, $0, &b) } + ["FALSE"]).joined(separator: " OR ") + ")")
            case .contains:
                let p = f.values.first.flatMap { b.bindCell($0)?.placeholder } ?? "NULL"
                conditions.append("strpos(lower(j ->> \(i)), lower((\(p))::text)) > 0")
            case .isnull:
                conditions.append(f.values.first == .integer(0) ? "\(Self.rank(i)) <> 0" : "\(Self.rank(i)) = 0")
            }
        }
        return conditions
    }

    private func exact(_ i: Int, _ value: CellValue, _ b: inout Builder) -> String {
        guard let (p, isText) = b.bindCell(value) else { return "FALSE" }
        return isText ? "\(Self.text(i)) = \(p)::text" : "\(Self.number(i)) = \(p)"
    }

    private func facets(_ session: PGSession) throws -> [(column: Int, values: [(value: CellValue, count: Int)], truncated: Bool)] {
        try query.facets.map { column in
            var b = Builder()
            let conditions = filters(&b)
            let limit = b.bind(Int64(query.facetLimit + 1))
            let cell = "(CASE WHEN \(Self.rank(column)) = 0 THEN NULL ELSE j -> \(column) END)"
            // Ties in the same order as the rows: no value, numbers, then text.
            let rows = try session.query(PostgresQuery(unsafeSQL: """
                SELECT v::text, n FROM (
                    SELECT \(cell) AS v, count(*) AS n FROM dataset_row, LATERAL (SELECT cells::jsonb AS j) x
                    WHERE \(conditions.joined(separator: " AND ")) GROUP BY 1) g
                ORDER BY n DESC, (v IS NOT NULL), (jsonb_typeof(v) = 'string'),
                    (CASE WHEN jsonb_typeof(v) = 'number' THEN (v #>> '{}')::float8 END),
                    (CASE WHEN jsonb_typeof(v) = 'string' THEN v #>> '{}' END) COLLATE "C"
                LIMIT \(limit)
                """, binds: b.binds)).map { try $0.decode((String?, Int64).self) }
            let values = try rows.prefix(query.facetLimit).map { row in
                (value: try row.0.map { try Self.cells("[\($0)]").first ?? .null } ?? .null, count: Int(row.1))
            }
            return (column, values, rows.count > query.facetLimit)
        }
    }

    static func cells(_ text: String) throws -> [CellValue] {
        var text = text
        return try text.withUTF8 { try StoredRow.cells($0) }
    }
}
