import LantaarnModel

/// The OData query options of a SensorThings request: `$top`, `$skip`, `$count`, `$orderby`,
/// `$filter`, `$expand`, `$select` and the server's own `$skiptoken` (in `@iot.nextLink`).
struct STAOptions {
    static let defaultTop = 100
    static let maxTop = 1_000
    /// Largest `$skip`: beyond it, follow `@iot.nextLink` (and no sum can overflow).
    static let maxSkip = 1_000_000_000_000

    var top = defaultTop
    var skip = 0
    var count = false
    /// (property, descending) pairs, in order.
    var orderBy: [(property: String, descending: Bool)] = []
    var filter: STAFilter?
    var expand: [String] = []
    var select: [String] = []
    var skipToken: String?

    init(_ query: QueryString) throws {
        let known: Set<String> = ["$top", "$skip", "$count", "$orderby", "$filter", "$expand", "$select", "$skiptoken", "$resultFormat"]
        for (name, _) in query.pairs where !known.contains(name) {
            throw APIError(.badRequest, "unknown query option '\(name.prefix(40))'; SensorThings here knows \(known.sorted().joined(separator: ", "))")
        }
        if let text = try query.value("$top") {
            guard let n = Int(text), (0...Self.maxTop).contains(n) else {
                throw APIError(.badRequest, "$top must be a whole number from 0 to \(Self.maxTop); follow @iot.nextLink for more")
            }
            top = n
        }
        if let text = try query.value("$skip") {
            guard let n = Int(text), (0...Self.maxSkip).contains(n) else {
                throw APIError(.badRequest, "$skip must be a whole number from 0 to \(Self.maxSkip); follow @iot.nextLink to page further")
            }
            skip = n
        }
        if let text = try query.value("$count") {
            guard let b = ["true": true, "false": false][text] else { throw APIError(.badRequest, "$count must be true or false") }
            count = b
        }
        if let text = try query.value("$orderby") {
            orderBy = try text.split(separator: ",").map { part in
                let words = part.split(separator: " ").map(String.init)
                guard let property = words.first, words.count <= 2, property.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "@" || $0 == "." }) else {
                    throw APIError(.badRequest, "$orderby: write PROPERTY or PROPERTY asc|desc, separated by commas")
                }
                let direction = words.count == 2 ? words[1].lowercased() : "asc"
                guard direction == "asc" || direction == "desc" else { throw APIError(.badRequest, "$orderby: direction is asc or desc") }
                return (property, direction == "desc")
            }
        }
        if let text = try query.value("$filter") { filter = try STAFilter.parse(text) }
        if let text = try query.value("$expand") {
            expand = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            if let nested = expand.first(where: { $0.contains("(") || $0.contains("/") }) {
                throw APIError(.badRequest, "$expand: '\(nested.prefix(40))' has nested options or paths, which this read-only subset does not support; expand one level, e.g. $expand=Datastreams")
            }
        }
        if let text = try query.value("$select") { select = text.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        if let format = try query.value("$resultFormat"), format != "default" {
            throw APIError(.badRequest, "$resultFormat: only the default format is served")
        }
        skipToken = try query.value("$skiptoken")
    }
}
