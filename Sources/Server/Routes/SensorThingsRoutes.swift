import Foundation
import Hummingbird
import LantaarnModel
import Store

/// OGC SensorThings API v1.1, read-only subset, under `/sta/v1.1`: Things (lampposts),
/// Locations, Sensors, ObservedProperties, Datastreams (sensor × quantity) and Observations
/// (raw readings), with `$top`, `$skip`, `$count`, `$orderby`, `$filter`, `$expand`,
/// `$select` and `@iot.nextLink`. Only sensors the registry marks public are served.
struct SensorThingsRoutes {
    let deps: ServerDependencies
    static let prefix = "/sta/v1.1"

    func register(on router: Router<LantaarnRequestContext>) {
        router.get(RouterPath(Self.prefix)) { request, _ -> Response in
            let root = deps.baseURL(request) + Self.prefix
            let value = STAEntities.Kind.allCases.map { kind -> JSONValue in
                .object([("name", .string(kind.rawValue)), ("url", .string("\(root)/\(kind.rawValue)"))])
            }
            return Self.json(.object([
                ("value", .array(value)),
                ("serverSettings", .object([("conformance", .array([
                    .string("http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel"),
                    .string("http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities"),
                    .string("http://www.opengis.net/spec/iot_sensing/1.1/req/request-data"),
                ]))])),
            ]))
        }
        router.get(RouterPath("\(Self.prefix)/:segment")) { request, context -> Response in
            try await answer(request, context, segments: [try context.parameters.require("segment")])
        }
        router.get(RouterPath("\(Self.prefix)/:segment/:navigation")) { request, context -> Response in
            try await answer(request, context, segments: [try context.parameters.require("segment"), try context.parameters.require("navigation")])
        }
    }

    private func answer(_ request: Request, _ context: LantaarnRequestContext, segments raw: [String]) async throws -> Response {
        if let refusal = deps.rateLimiter?.refusal(context.remoteAddress) { return refusal }
        guard let store = deps.observations else {
            throw APIError(.notFound, "SensorThings is not available on this server")
        }
        let query = try QueryString(request.uri.query)
        let options = try STAOptions(query)
        let segments = try raw.map(Self.segment)
        let entities = STAEntities(root: deps.baseURL(request) + Self.prefix, sensors: deps.sensors) { sensor, quantity in
            (try? store.observationSpan(sensorID: sensor, quantity: quantity)) ?? nil
        }
        let here = deps.baseURL(request) + (request.uri.path)

        // Observations: from the store, a page at a time.
        let first = segments[0]
        if first.kind == .Observations {
            if let id = first.id {
                let (datastream, reading, at) = try Self.observation(id, entities: entities, store: store)
                if segments.count == 2 {
                    guard segments[1].name == "Datastream" else { throw Self.unknownNavigation(segments[1].name, of: .Observations) }
                    return Self.json(try single(.Datastreams, datastream, entities, options))
                }
                return Self.json(Self.select(entities.observation(datastream, reading, atTimestamp: at), options.select))
            }
            guard segments.count == 1 else { throw APIError(.badRequest, "address one observation as Observations('ID')") }
            return Self.json(try observations(entities.datastreams.map(\.id), entities, store, options, here: here, query: query))
        }
        guard let kind = first.kind else {
            throw APIError(.notFound, "unknown collection '\(first.name.prefix(40))'; use \(STAEntities.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let id = first.id else {
            guard segments.count == 1 else { throw APIError(.badRequest, "address one entity before a navigation, e.g. Things('ID')/Datastreams") }
            return Self.json(try collection(kind, entities.ids(kind), entities, options, here: here, query: query))
        }
        guard entities.exists(kind, id) else {
            throw APIError(.notFound, "no \(kind.rawValue) with id '\(id.prefix(80))'")
        }
        guard segments.count == 2 else { return Self.json(try single(kind, id, entities, options)) }
        let navigation = segments[1].name
        if kind == .Datastreams, navigation == "Observations" {
            return Self.json(try observations([id], entities, store, options, here: here, query: query))
        }
        guard let (target, ids, isSingle) = entities.related(kind, id, navigation) else { throw Self.unknownNavigation(navigation, of: kind) }
        if isSingle, let only = ids.first { return Self.json(try single(target, only, entities, options)) }
        return Self.json(try collection(target, ids, entities, options, here: here, query: query))
    }

    // MARK: entities from the registry

    private func single(_ kind: STAEntities.Kind, _ id: String, _ entities: STAEntities, _ options: STAOptions) throws -> JSONValue {
        Self.select(try expanded(kind, id, entities, options.expand), options.select)
    }

    private func collection(_ kind: STAEntities.Kind, _ ids: [String], _ entities: STAEntities, _ options: STAOptions,
                            here: String, query: QueryString) throws -> JSONValue {
        var list = ids.map { entities.entity(kind, $0) }
        if let filter = options.filter { list = list.filter(filter.matches) }
        if !options.orderBy.isEmpty {
            list.sort { a, b in
                for (property, descending) in options.orderBy {
                    if let first = Self.precedes(a[property], b[property]) { return first != descending }
                }
                return false
            }
        }
        let total = list.count
        let page = list.dropFirst(options.skip).prefix(options.top)
        var fields: [(String, JSONValue)] = []
        if options.count { fields.append(("@iot.count", .number(Double(total)))) }
        if options.skip + options.top < total {
            fields.append(("@iot.nextLink", .string(Self.link(here, query, replacing: ["$skip": String(options.skip + options.top)]))))
        }
        let values = try page.map { entity -> JSONValue in
            let id = entity["@iot.id"]?.stringValue ?? ""
            return Self.select(try expanded(kind, id, entities, options.expand), options.select)
        }
        fields.append(("value", .array(values)))
        return .object(fields)
    }

    private func expanded(_ kind: STAEntities.Kind, _ id: String, _ entities: STAEntities, _ expand: [String]) throws -> JSONValue {
        guard case .object(var fields) = entities.entity(kind, id) else { return .null }
        for navigation in expand {
            guard STAEntities.expandable(kind).contains(navigation), let (target, ids, isSingle) = entities.related(kind, id, navigation) else {
                throw APIError(.badRequest, "$expand: \(kind.rawValue) can expand \(STAEntities.expandable(kind).joined(separator: ", ")), not '\(navigation.prefix(40))'")
            }
            let inline = ids.map { entities.entity(target, $0) }
            fields.append((navigation, isSingle ? (inline.first ?? .null) : .array(inline)))
        }
        return .object(fields)
    }

    // MARK: observations from the store

    /// A page of observations of `datastreams` (in that order, each in time order), after
    /// `$skiptoken` (`INDEX.EPOCHMS.N`), with the filter's time and value bounds pushed into the store.
    private func observations(_ datastreams: [String], _ entities: STAEntities, _ store: any ObservationStore, _ options: STAOptions,
                              here: String, query: QueryString) throws -> JSONValue {
        var descending = false
        for (property, desc) in options.orderBy {
            guard property == "phenomenonTime" || property == "resultTime" else {
                throw APIError(.badRequest, "$orderby: observations are ordered by phenomenonTime (asc or desc)")
            }
            descending = desc
        }
        if !options.orderBy.isEmpty, datastreams.count > 1 {
            throw APIError(.badRequest, "$orderby on all observations is not supported; order one datastream's: Datastreams('ID')/Observations?$orderby=phenomenonTime desc")
        }
        if !options.expand.isEmpty, options.expand != ["Datastream"] {
            throw APIError(.badRequest, "$expand: observations can expand Datastream only")
        }
        var bounds = ObservationQuery(sensorID: "", quantity: "")
        bounds.descending = descending
        if let filter = options.filter { try Self.push(filter, into: &bounds) }
        var start = (index: 0, cursor: ObservationCursor?.none)
        if let token = options.skipToken {
            let parts = token.split(separator: ".", omittingEmptySubsequences: false).compactMap { Int64($0) }
            guard parts.count == 3, parts[0] >= 0, parts[0] < datastreams.count, parts[2] >= 0, parts[2] < Int32.max,
                  parts[1] > Int64.min / 4, parts[1] < Int64.max / 4 else {
                throw APIError(.badRequest, "$skiptoken is not one this server gave out; follow @iot.nextLink, or start without it")
            }
            start = (Int(parts[0]), ObservationCursor(timestamp: parts[1], atTimestamp: Int(parts[2])))
        }
        var values: [JSONValue] = []
        var skip = options.skip
        var nextToken: String?
        var total = 0
        let streams = datastreams.compactMap { id in entities.datastreams.first { $0.id == id } }
        for (index, d) in streams.enumerated() {
            var q = bounds
            q.sensorID = d.sensor.id
            q.quantity = d.quantity
            if options.count { total += try store.observationCount(q) }
            guard index >= start.index, nextToken == nil else { continue }
            if index == start.index { q.after = start.cursor }
            if skip > 0 {
                let count = try store.observationCount(q)
                if skip >= count { skip -= count; continue }
                q.skip = skip
                skip = 0
            }
            q.limit = options.top - values.count
            guard q.limit > 0 else {
                nextToken = "\(index).\(Int64.min / 2).0"
                if descending { nextToken = "\(index).\(Int64.max / 2).0" }
                continue
            }
            let page = try store.observations(q)
            var previous: (ts: Int64, at: Int)? = q.after.map { ($0.timestamp, $0.atTimestamp - 1) }
            for reading in page.readings {
                let at = previous.map { $0.ts == reading.timestamp ? $0.at + 1 : 0 } ?? 0
                previous = (reading.timestamp, at)
                var observation = entities.observation(d.id, reading, atTimestamp: at)
                if options.expand == ["Datastream"], case .object(var fields) = observation {
                    fields.append(("Datastream", entities.entity(.Datastreams, d.id)))
                    observation = .object(fields)
                }
                values.append(Self.select(observation, options.select))
            }
            if let next = page.next { nextToken = "\(index).\(next.timestamp).\(next.atTimestamp)" }
        }
        var fields: [(String, JSONValue)] = []
        if options.count { fields.append(("@iot.count", .number(Double(total)))) }
        if let nextToken {
            fields.append(("@iot.nextLink", .string(Self.link(here, query, replacing: ["$skiptoken": nextToken], removing: ["$skip"]))))
        }
        fields.append(("value", .array(values)))
        return .object(fields)
    }

    /// Moves `and`-joined comparisons of phenomenonTime/resultTime with times and of result
    /// with numbers into the store query; anything else is refused (this is a subset).
    private static func push(_ filter: STAFilter, into q: inout ObservationQuery) throws {
        let unsupported = APIError(.badRequest, "$filter on observations: use comparisons (eq, gt, ge, lt, le) of phenomenonTime or resultTime with a time and of result with a number, joined with 'and'")
        switch filter {
        case .and(let a, let b):
            try push(a, into: &q)
            try push(b, into: &q)
        case .compare(let property, let op, .time(let t)) where property == "phenomenonTime" || property == "resultTime":
            switch op {
            case .eq: q.window = TimeWindow(start: max(q.window.start, t), end: min(q.window.end, t + 1))
            case .gt: q.window.start = max(q.window.start, t + 1)
            case .ge: q.window.start = max(q.window.start, t)
            case .lt: q.window.end = min(q.window.end, t)
            case .le: q.window.end = min(q.window.end, t + 1)
            case .ne: throw unsupported
            }
            if q.window.end < q.window.start { q.window.end = q.window.start }
        case .compare("result", let op, .number(let v)):
            var range = q.values ?? ObservationQuery.ValueRange()
            func tightenLower(_ bound: Double, inclusive: Bool) {
                if let lower = range.lower, lower > bound || (lower == bound && !range.lowerInclusive) { return }
                range.lower = bound
                range.lowerInclusive = inclusive
            }
            func tightenUpper(_ bound: Double, inclusive: Bool) {
                if let upper = range.upper, upper < bound || (upper == bound && !range.upperInclusive) { return }
                range.upper = bound
                range.upperInclusive = inclusive
            }
            switch op {
            case .eq: tightenLower(v, inclusive: true); tightenUpper(v, inclusive: true)
            case .gt: tightenLower(v, inclusive: false)
            case .ge: tightenLower(v, inclusive: true)
            case .lt: tightenUpper(v, inclusive: false)
            case .le: tightenUpper(v, inclusive: true)
            case .ne: throw unsupported
            }
            q.values = range
        default:
            throw unsupported
        }
    }

    private static func observation(_ id: String, entities: STAEntities, store: any ObservationStore) throws -> (String, Reading, Int) {
        let missing = APIError(.notFound, "no observation '\(id.prefix(120))'; its id is DATASTREAM@EPOCHMS as listed")
        guard let at = id.lastIndex(of: "@") else { throw missing }
        let datastream = String(id[..<at])
        let rest = id[id.index(after: at)...].split(separator: ".", omittingEmptySubsequences: false)
        guard let d = entities.datastreams.first(where: { $0.id == datastream }), (1...2).contains(rest.count),
              let ts = Int64(rest[0]), let n = rest.count == 2 ? Int(rest[1]) : 0, n >= 0, ts < Int64.max / 2, ts > Int64.min / 2 else { throw missing }
        var q = ObservationQuery(sensorID: d.sensor.id, quantity: d.quantity)
        q.window = TimeWindow(start: ts, end: ts + 1)
        q.skip = n
        q.limit = 1
        guard let reading = try store.observations(q).readings.first else { throw missing }
        return (datastream, reading, n)
    }

    // MARK: helpers

    /// `Things`, `Things('id')` or `Things(12)`, percent-decoded.
    static func segment(_ raw: String) throws -> (name: String, id: String?, kind: STAEntities.Kind?) {
        // The request guard has checked every escape of the path already.
        guard case .success(let text) = PercentDecoding.decode(raw, plusAsSpace: false) else {
            throw APIError(.badRequest, "the path has a malformed percent-escape or is not UTF-8 once decoded")
        }
        guard let open = text.firstIndex(of: "(") else { return (text, nil, STAEntities.Kind(rawValue: text)) }
        guard text.hasSuffix(")") else { throw APIError(.badRequest, "'\(text.prefix(60))' is not NAME('ID')") }
        let name = String(text[..<open])
        var id = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        if id.hasPrefix("'"), id.hasSuffix("'"), id.count >= 2 {
            id = String(id.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
        } else if Int64(id) == nil {
            throw APIError(.badRequest, "an id is a number or a 'quoted' text, not \(id.prefix(60))")
        }
        return (name, id, STAEntities.Kind(rawValue: name))
    }

    private static func unknownNavigation(_ name: String, of kind: STAEntities.Kind) -> APIError {
        APIError(.notFound, "\(kind.rawValue) have no '\(name.prefix(40))'")
    }

    /// Whether `a` sorts before `b` (absent values first, then numbers, then texts); `nil` when equal.
    private static func precedes(_ a: JSONValue?, _ b: JSONValue?) -> Bool? {
        func rank(_ v: JSONValue?) -> Int {
            switch v {
            case .number?: 1
            case .string?: 2
            default: 0
            }
        }
        switch (a, b) {
        case (.number(let x)?, .number(let y)?): return x == y ? nil : x < y
        case (.string(let x)?, .string(let y)?): return x == y ? nil : x < y
        default: return rank(a) == rank(b) ? nil : rank(a) < rank(b)
        }
    }

    private static func select(_ entity: JSONValue, _ properties: [String]) -> JSONValue {
        guard !properties.isEmpty, case .object(let fields) = entity else { return entity }
        return .object(fields.filter { key, _ in properties.contains(key) || (key == "@iot.id" && properties.contains("id")) })
    }

    /// This URL with some options replaced or removed (for `@iot.nextLink`).
    static func link(_ here: String, _ query: QueryString, replacing: [String: String], removing: Set<String> = []) -> String {
        var pairs = query.pairs.filter { replacing[$0.name] == nil && !removing.contains($0.name) }
        pairs += replacing.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        return here + "?" + pairs.map { Self.encode($0.name) + "=" + Self.encode($0.value) }.joined(separator: "&")
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~$'():,/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func json(_ value: JSONValue) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(string: JSONWriter.string(value))))
    }
}
