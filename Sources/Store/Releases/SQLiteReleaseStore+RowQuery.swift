import Foundation
import GRDB
import LantaarnModel

extension SQLiteReleaseStore {
    /// One page of `dataset`'s current rows matching `query`, with its facets. Rows are stored
    /// as JSON arrays, so a column is `json_extract(cells, '$[i]')`; every value is a bound
    /// parameter. Work stops at the query's time limit (SQLite's progress handler).
    public func queryRows(dataset: String, _ query: RowQuery) throws -> RowQueryPage {
        try pool.read { db in
            let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(1, query.timeLimitMilliseconds)) * 1_000_000
            do {
                return try RawStatement.withDeadline(db, deadline) { try RowQuerySQL(dataset: dataset, query: query).run(db) }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
                throw RowQueryError.timeLimit(milliseconds: query.timeLimitMilliseconds)
            }
        }
    }
}

/// The SQL of one row query.
private struct RowQuerySQL {
    let dataset: String
    let query: RowQuery

    static func column(_ i: Int) -> String { "json_extract(cells, '$[\(i)]')" }

    func run(_ db: Database) throws -> RowQueryPage {
        var (conditions, arguments) = filters()
        // Keyset: (present, value, window, seq) for a sorted query, (window, seq) otherwise.
        let keys: [String]
        var cursorValues: [DatabaseValueConvertible?] = []
        if let sort = query.sort {
            let c = Self.column(sort.column)
            keys = ["(\(c) IS NOT NULL)", "ifnull(\(c), 0)", "window_start", "seq"]
            if let after = query.after {
                cursorValues = [after.sortValue == .null ? 0 : 1, after.sortValue == .null ? 0 : after.sortValue.databaseValue]
            }
        } else {
            keys = ["window_start", "seq"]
        }
        let descending = query.sort?.descending ?? false
        if let after = query.after {
            cursorValues += [after.windowStart, after.seq]
            conditions.append("(\(keys.joined(separator: ", "))) \(descending ? "<" : ">") (\(keys.map { _ in "?" }.joined(separator: ", ")))")
            arguments += cursorValues
        }
        let whereSQL = conditions.joined(separator: " AND ")
        let order = keys.map { $0 + (descending ? " DESC" : "") }.joined(separator: ", ")
        let sortColumn = query.sort.map { Self.column($0.column) } ?? "NULL"
        let fetched = try Row.fetchAll(db, sql: """
            SELECT cells, \(sortColumn), window_start, seq FROM dataset_row WHERE \(whereSQL) ORDER BY \(order) LIMIT ?
            """, arguments: StatementArguments(arguments + [query.limit + 1]))
        let page = fetched.prefix(query.limit)
        let rows = try page.map { try CellCoding.decode($0[0]) }
        var next: RowQueryCursor?
        if fetched.count > query.limit, let last = page.last {
            next = RowQueryCursor(sortValue: CellValue(last[1] as DatabaseValue), windowStart: last[2], seq: last[3])
        }
        return RowQueryPage(rows: rows, next: next, facets: try facets(db))
    }

    /// The filter conditions (with the dataset) and their arguments.
    private func filters() -> ([String], [DatabaseValueConvertible?]) {
        var conditions = ["dataset = ?"]
        var arguments: [DatabaseValueConvertible?] = [dataset]
        if let from = query.windowsFrom {
            conditions.append("window_start >= ?")
            arguments.append(from)
        }
        for f in query.filters {
            let c = Self.column(f.column)
            switch f.op {
            case .exact, .gt, .gte, .lt, .lte:
                let op = ["exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="][f.op.rawValue]!
                conditions.append("\(c) \(op) ?")
                arguments.append(f.values.first?.databaseValue)
            case .in:
                conditions.append("\(c) IN (\(f.values.map { _ in "?" }.joined(separator: ", ")))")
                arguments += f.values.map(\.databaseValue)
            case .contains:
                conditions.append("instr(lower(CAST(\(c) AS TEXT)), lower(?)) > 0")
                arguments.append(f.values.first?.databaseValue)
            case .isnull:
                conditions.append(f.values.first == .integer(0) ? "\(c) IS NOT NULL" : "\(c) IS NULL")
            }
        }
        return (conditions, arguments)
    }

    private func facets(_ db: Database) throws -> [(column: Int, values: [(value: CellValue, count: Int)], truncated: Bool)] {
        let (conditions, arguments) = filters()
        return try query.facets.map { column in
            let c = Self.column(column)
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(c) AS v, count(*) AS n FROM dataset_row WHERE \(conditions.joined(separator: " AND "))
                GROUP BY v ORDER BY n DESC, v LIMIT ?
                """, arguments: StatementArguments(arguments + [query.facetLimit + 1]))
            let values = rows.prefix(query.facetLimit).map { (value: CellValue($0[0] as DatabaseValue), count: $0[1] as Int) }
            return (column, values, rows.count > query.facetLimit)
        }
    }
}
