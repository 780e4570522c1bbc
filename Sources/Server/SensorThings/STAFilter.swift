import LantaarnModel

/// The part of OData's `$filter` that the SensorThings subset understands: comparisons
/// (`eq ne gt ge lt le`) of a property with a literal (number, `'text'`, ISO 8601 time, `null`,
/// `true`, `false`), combined with `and`, `or`, `not` and parentheses.
indirect enum STAFilter: Equatable {
    case compare(property: String, op: Op, value: Literal)
    case and(STAFilter, STAFilter)
    case or(STAFilter, STAFilter)
    case not(STAFilter)

    enum Op: String, CaseIterable { case eq, ne, gt, ge, lt, le }

    enum Literal: Equatable {
        case number(Double)
        case text(String)
        /// An ISO 8601 time, epoch milliseconds.
        case time(Int64)
        case bool(Bool)
        case null
    }

    /// Longest `$filter` accepted, and deepest nesting.
    static let maxLength = 1_000
    static let maxDepth = 20

    static func parse(_ text: String) throws -> STAFilter {
        guard text.utf8.count <= maxLength else {
            throw APIError(.badRequest, "$filter is longer than \(maxLength) characters")
        }
        var parser = Parser(tokens: try tokenize(text))
        let filter = try parser.expression(depth: 0)
        guard parser.atEnd else { throw parser.error("unexpected '\(parser.peek ?? "")'") }
        return filter
    }

    /// Evaluates against an entity's properties (top-level JSON fields).
    func matches(_ entity: JSONValue) -> Bool {
        switch self {
        case .and(let a, let b): return a.matches(entity) && b.matches(entity)
        case .or(let a, let b): return a.matches(entity) || b.matches(entity)
        case .not(let a): return !a.matches(entity)
        case .compare(let property, let op, let literal):
            let value = entity[property] ?? .null
            guard let order = Self.compare(value, literal) else { return op == .ne }
            switch op {
            case .eq: return order == 0
            case .ne: return order != 0
            case .gt: return order > 0
            case .ge: return order >= 0
            case .lt: return order < 0
            case .le: return order <= 0
            }
        }
    }

    /// -1, 0 or 1 comparing an entity value with a literal; `nil` when they cannot be compared.
    private static func compare(_ value: JSONValue, _ literal: Literal) -> Int? {
        func sign<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (value, literal) {
        case (.number(let a), .number(let b)): return sign(a, b)
        case (.string(let a), .text(let b)): return sign(a, b)
        case (.string(let a), .time(let b)):
            let start = a.split(separator: "/").first.map(String.init) ?? a
            return ISO8601.parse(start).map { sign($0, b) }
        case (.bool(let a), .bool(let b)): return a == b ? 0 : 1
        case (.null, .null): return 0
        default: return nil
        }
    }

    // MARK: tokens

    private static func tokenize(_ text: String) throws -> [String] {
        var tokens: [String] = []
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c == " " { i = text.index(after: i); continue }
            if c == "(" || c == ")" { tokens.append(String(c)); i = text.index(after: i); continue }
            if c == "'" {
                // A quoted string; '' is a quote inside it.
                var value = "'"
                var j = text.index(after: i)
                var closed = false
                while j < text.endIndex {
                    if text[j] == "'" {
                        let next = text.index(after: j)
                        if next < text.endIndex, text[next] == "'" { value.append("'"); j = text.index(after: next); continue }
                        closed = true
                        j = next
                        break
                    }
                    value.append(text[j])
                    j = text.index(after: j)
                }
                guard closed else { throw APIError(.badRequest, "$filter: a text value is not closed with '") }
                tokens.append(value)
                i = j
                continue
            }
            var j = i
            while j < text.endIndex, text[j] != " ", text[j] != "(", text[j] != ")", text[j] != "'" { j = text.index(after: j) }
            tokens.append(String(text[i..<j]))
            i = j
        }
        return tokens
    }

    private struct Parser {
        let tokens: [String]
        var position = 0

        var atEnd: Bool { position >= tokens.count }
        var peek: String? { atEnd ? nil : tokens[position] }

        func error(_ what: String) -> APIError {
            APIError(.badRequest, "$filter: \(what). Write comparisons such as phenomenonTime ge 2026-11-20T00:00:00Z and result gt 25, joined with and, or, not and parentheses")
        }

        mutating func next() -> String? {
            defer { position += 1 }
            return peek
        }

        mutating func expression(depth: Int) throws -> STAFilter {
            guard depth < STAFilter.maxDepth else { throw error("nested too deeply") }
            var left = try conjunction(depth: depth)
            while peek == "or" {
                position += 1
                left = .or(left, try conjunction(depth: depth))
            }
            return left
        }

        mutating func conjunction(depth: Int) throws -> STAFilter {
            var left = try unary(depth: depth)
            while peek == "and" {
                position += 1
                left = .and(left, try unary(depth: depth))
            }
            return left
        }

        mutating func unary(depth: Int) throws -> STAFilter {
            if peek == "not" {
                position += 1
                return .not(try unary(depth: depth + 1))
            }
            if peek == "(" {
                position += 1
                let inner = try expression(depth: depth + 1)
                guard next() == ")" else { throw error("a '(' is not closed") }
                return inner
            }
            guard let property = next(), property.first?.isLetter == true,
                  property.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "@" || $0 == "." || $0 == "_" }) else {
                throw error("expected a property name")
            }
            guard let opText = next(), let op = Op(rawValue: opText) else {
                throw error("expected one of eq, ne, gt, ge, lt, le after '\(property)'")
            }
            guard let literal = next() else { throw error("expected a value after '\(opText)'") }
            return .compare(property: property, op: op, value: try Self.literal(literal, error: error("'\(literal.prefix(40))' is not a value")))
        }

        static func literal(_ token: String, error: APIError) throws -> Literal {
            if token.hasPrefix("'") { return .text(String(token.dropFirst())) }
            switch token {
            case "null": return .null
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: break
            }
            if let d = Double(token), d.isFinite, token.first.map({ $0.isNumber || $0 == "-" }) == true, !token.contains("T") {
                return .number(d)
            }
            if let ms = ISO8601.parse(token) { return .time(ms) }
            throw error
        }
    }
}
