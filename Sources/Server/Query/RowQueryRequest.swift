import Foundation
import LantaarnModel
import Store

/// The query API's parameters (`col__op=value`, `_sort`, `_size`, `_next`, `_facet`) read
/// against one dataset's columns, into a ``RowQuery``. Every mistake is a 400 that says what
/// was wrong and what to do.
struct RowQueryRequest {
    /// Documented limits, also in `/openapi.json`.
    static let defaultSize = 100
    static let maxSize = 1_000
    static let maxFacets = 5
    static let maxInValues = 100
    static let timeLimitMilliseconds = 2_000

    let query: RowQuery
    /// The sort as written (`col`, `-col` or empty) and a digest of the filters, tied to `_next` tokens.
    let sortKey: String
    let filterKey: String

    init(_ parameters: QueryString, columns: [ColumnSpec]) throws {
        var query = RowQuery()
        query.timeLimitMilliseconds = Self.timeLimitMilliseconds
        func column(_ name: String, for parameter: String) throws -> Int {
            guard let i = columns.firstIndex(where: { $0.name == name }) else {
                throw APIError(.badRequest, "'\(parameter)': the dataset has no column '\(name)'; its columns are \(columns.map(\.name).joined(separator: ", "))")
            }
            return i
        }
        var filterParts: [String] = []
        for (name, value) in parameters.pairs where !name.hasPrefix("_") {
            let pieces = name.components(separatedBy: "__")
            guard pieces.count <= 2, let op = pieces.count == 2 ? RowQuery.Operator(rawValue: pieces[1]) : .exact else {
                throw APIError(.badRequest, "'\(name)': unknown operator; write COLUMN__OP=VALUE with OP one of \(RowQuery.Operator.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let index = try column(pieces[0], for: name)
            query.filters.append(.init(column: index, op: op, values: try Self.values(value, op: op, column: columns[index], parameter: name)))
            filterParts.append("\(name)=\(value)")
        }
        for name in Set(parameters.pairs.map(\.name)) where name.hasPrefix("_") && !Self.controls.contains(name) {
            throw APIError(.badRequest, "unknown parameter '\(name)'; the query API knows \(Self.controls.sorted().joined(separator: ", ")) and COLUMN__OP filters")
        }
        if let size = try parameters.value("_size") {
            guard let n = Int(size), (1...Self.maxSize).contains(n) else {
                throw APIError(.badRequest, "'_size' must be a whole number from 1 to \(Self.maxSize); page on with _next for more rows")
            }
            query.limit = n
        } else {
            query.limit = Self.defaultSize
        }
        var sortKey = ""
        if let sort = try parameters.value("_sort") {
            let descending = sort.hasPrefix("-")
            let name = descending ? String(sort.dropFirst()) : sort
            query.sort = .init(column: try column(name, for: "_sort"), descending: descending)
            sortKey = sort
        }
        if let sort = try parameters.value("_sort_desc") {
            guard query.sort == nil else { throw APIError(.badRequest, "give either '_sort' or '_sort_desc', not both") }
            query.sort = .init(column: try column(sort, for: "_sort_desc"), descending: true)
            sortKey = "-" + sort
        }
        let facets = parameters.values("_facet")
        guard facets.count <= Self.maxFacets else {
            throw APIError(.badRequest, "at most \(Self.maxFacets) '_facet' columns per request")
        }
        query.facets = try facets.map { try column($0, for: "_facet") }
        self.sortKey = sortKey
        self.filterKey = String(SHA256.hex(Array(filterParts.sorted().joined(separator: "&").utf8)).prefix(12))
        if let token = try parameters.value("_next") {
            query.after = try Self.cursor(token, sortKey: sortKey, filterKey: filterKey)
        }
        self.query = query
    }

    static let controls: Set<String> = ["_size", "_sort", "_sort_desc", "_next", "_facet", "_shape"]

    /// A filter's value(s), typed by the column: numbers for number and integer columns.
    private static func values(_ text: String, op: RowQuery.Operator, column: ColumnSpec, parameter: String) throws -> [CellValue] {
        switch op {
        case .isnull:
            switch text.lowercased() {
            case "1", "true", "": return [.integer(1)]
            case "0", "false": return [.integer(0)]
            default: throw APIError(.badRequest, "'\(parameter)' takes 1 (empty) or 0 (not empty), not '\(text)'")
            }
        case .contains:
            return [.text(text)]
        case .in:
            let items = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard !text.isEmpty, items.count <= maxInValues else {
                throw APIError(.badRequest, "'\(parameter)' takes 1 to \(maxInValues) comma-separated values")
            }
            return try items.map { try typed($0, column: column, parameter: parameter) }
        default:
            return [try typed(text, column: column, parameter: parameter)]
        }
    }

    private static func typed(_ text: String, column: ColumnSpec, parameter: String) throws -> CellValue {
        switch column.type {
        case .integer, .number:
            guard let d = Double(text.trimmingCharacters(in: .whitespaces)), d.isFinite else {
                throw APIError(.badRequest, "'\(parameter)': column '\(column.name)' holds numbers and '\(text.prefix(40))' is not one; write it like 12 or 12.5")
            }
            return d == d.rounded() && abs(d) < 9e15 ? .integer(Int64(d)) : .number(d)
        case .text, .timestamp:
            return .text(text)
        }
    }

    // MARK: _next tokens

    /// A token holding the last row's position, the sort and a digest of the filters, base64url.
    static func token(_ cursor: RowQueryCursor, sortKey: String, filterKey: String) -> String {
        let json = JSONWriter.string(.array([.string(sortKey), .string(filterKey), QueryRoutes.json(cursor.sortValue),
                                             .string(String(cursor.windowStart)), .number(Double(cursor.seq))]))
        return Data(json.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func cursor(_ token: String, sortKey: String, filterKey: String) throws -> RowQueryCursor {
        let invalid = APIError(.badRequest, "'_next' is not a token this API gave out; follow the next_url of the previous page, or start without _next")
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.count <= 1_024, let data = Data(base64Encoded: base64),
              case .array(let items)? = try? JSONParser.parse(Array(data)), items.count == 5,
              let sort = items[0].stringValue, let filters = items[1].stringValue,
              let start = items[3].stringValue.flatMap({ Int64($0) }), let seq = items[4].numberValue,
              let seqInt = Int(exactly: seq) else { throw invalid }
        guard sort == sortKey, filters == filterKey else {
            throw APIError(.badRequest, "'_next' belongs to a query with other filters or another sort; keep them unchanged while paging, or start without _next")
        }
        let value: CellValue = switch items[2] {
        case .string(let s): .text(s)
        case .number(let d): d == d.rounded() && abs(d) < 9e15 ? .integer(Int64(d)) : .number(d)
        case .null: .null
        default: throw invalid
        }
        return RowQueryCursor(sortValue: value, windowStart: start, seq: seqInt)
    }
}
