import LantaarnModel
import Store

/// Keeps only the input rows a pipeline is about: some sensors, some wijken, some
/// hoofdcategorieën of meldingen, some ANPR cameras. Runs before anything is aggregated, and
/// for readings it is pushed down into the store query, so left-out chunks are never read.
/// Several filter stages narrow together (every one must keep a row).
public struct FilterStage: Stage, Hashable {
    static let kind = "filter"
    static let role = StageRole.rowLevel
    static let inputs = Set(PipelineDefinition.Input.Kind.allCases)
    static let fields: [String: YAMLSourceMap.Schema] = ["sensors": .any, "wijken": .any, "hoofdcategorie": .any, "cameras": .any]

    public var sensors: Set<String>?
    public var wijken: Set<String>?
    public var hoofdcategorieen: Set<String>?
    public var cameras: Set<String>?

    struct Raw: Decodable {
        var sensors: [String]?
        var wijken: [String]?
        var hoofdcategorie: [String]?
        var cameras: [String]?
    }

    public init(sensors: Set<String>? = nil, wijken: Set<String>? = nil, hoofdcategorieen: Set<String>? = nil, cameras: Set<String>? = nil) {
        self.sensors = sensors
        self.wijken = wijken
        self.hoofdcategorieen = hoofdcategorieen
        self.cameras = cameras
    }

    init(_ raw: Raw, context: StageParseContext) throws {
        let (input, fail) = (context.input, context.fail)
        let given: [(String, [String]?)] = [("sensors", raw.sensors), ("wijken", raw.wijken), ("hoofdcategorie", raw.hoofdcategorie), ("cameras", raw.cameras)]
        let allowed: Set<String> = switch input {
        case .readings: ["sensors", "wijken"]
        case .meldingen: ["wijken", "hoofdcategorie"]
        case .anpr: ["cameras"]
        }
        for (field, values) in given where values != nil {
            guard allowed.contains(field) else {
                throw fail(field, "a \(input.name) pipeline cannot filter on \(field); use \(allowed.sorted().joined(separator: " or "))")
            }
            guard !(values ?? []).isEmpty else { throw fail(field, "name at least one value, or leave the field out") }
        }
        guard given.contains(where: { $0.1 != nil }) else {
            throw fail(nil, "say what to keep: \(allowed.sorted().joined(separator: ", "))")
        }
        for (i, code) in (raw.wijken ?? []).enumerated() where WijkCode(code) == nil {
            throw fail("wijken[\(i)]", "'\(code)' is not a CBS wijk code (\(CBSCode.wijk.shape))")
        }
        self.init(sensors: raw.sensors.map(Set.init), wijken: raw.wijken.map { Set($0.compactMap { WijkCode($0)?.rawValue }) },
                  hoofdcategorieen: raw.hoofdcategorie.map(Set.init), cameras: raw.cameras.map(Set.init))
    }

    /// Narrows a store query (sensors and wijken), intersecting with what it already keeps.
    public func narrow(_ query: inout AggregateQuery) {
        if let sensors { query.sensors = query.sensors.map { $0.intersection(sensors) } ?? sensors }
        if let wijken {
            let codes = Set(wijken.compactMap(WijkCode.init))
            query.wijken = query.wijken.map { $0.intersection(codes) } ?? codes
        }
    }

    /// Whether a melding passes.
    public func keeps(_ m: Melding) -> Bool {
        (wijken.map { set in m.wijk.map(set.contains) ?? false } ?? true)
            && (hoofdcategorieen.map { $0.contains(m.hoofdcategorie ?? "onbekend") } ?? true)
    }

    /// Whether an ANPR sighting at `camera` passes.
    public func keeps(camera: String) -> Bool { cameras?.contains(camera) ?? true }

    var parameters: [(String, JSONValue)] {
        [("sensors", sensors), ("wijken", wijken), ("hoofdcategorie", hoofdcategorieen), ("cameras", cameras)].compactMap { name, set in
            set.map { (name, JSONValue.array($0.sorted().map(JSONValue.string))) }
        }
    }

    func dutch(quantities: [String]) -> String {
        var parts: [String] = []
        if let sensors { parts.append("alleen de sensoren \(sensors.sorted().joined(separator: ", "))") }
        if let wijken { parts.append("alleen de wijken \(wijken.sorted().joined(separator: ", "))") }
        if let hoofdcategorieen { parts.append("alleen de hoofdcategorieën \(hoofdcategorieen.sorted().joined(separator: ", "))") }
        if let cameras { parts.append("alleen de camera's \(cameras.sorted().joined(separator: ", "))") }
        return "Gebruikt " + parts.joined(separator: " en ") + "."
    }
}
