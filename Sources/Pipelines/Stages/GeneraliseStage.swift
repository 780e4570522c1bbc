import LantaarnModel
import Store

/// Makes place and time coarser before anything is counted: a sensor's point becomes its
/// wijk or buurt, a CBS grid square, or the whole gemeente; a timestamp the start of its
/// bucket. For readings this is the grouping of the store query; no sensor or exact time
/// survives it.
public struct GeneraliseStage: Stage, Hashable {
    static let kind = "generalise"
    static let role = StageRole.rowLevel
    static let inputs: Set<PipelineDefinition.Input.Kind> = [.readings]
    static let fields: [String: YAMLSourceMap.Schema] = ["space": .any, "time": .any, "cell": .any]

    /// The area every row is reduced to.
    public enum Space: Sendable, Hashable {
        /// The wijk each reading was placed in at ingest (boundaries of its own date).
        case wijk
        /// The buurt of the sensor's mounting point (imported buurt boundaries of the window's date).
        case buurt
        case gemeente
        /// A square of the CBS grid (vierkantstatistieken) in RD New, of this many metres.
        case grid(Int)

        /// Grid sizes CBS publishes.
        static let gridSizes = [100, 500, 1000]

        /// The area as published: column prefix (`wijk_code`, `vierkant_code`).
        public var name: String {
            switch self {
            case .wijk: "wijk"
            case .buurt: "buurt"
            case .gemeente: "gemeente"
            case .grid: "vierkant"
            }
        }

        var dutch: String {
            switch self {
            case .wijk, .buurt, .gemeente: name
            case .grid(let m): "vierkant van \(m) bij \(m) meter"
            }
        }

        var codeDescription: String {
            switch self {
            case .wijk: "CBS-code van de wijk"
            case .buurt: "CBS-code van de buurt"
            case .gemeente: "CBS-code van de gemeente"
            case .grid(let m): "Code van het CBS-vierkant van \(m) m: E en N zijn de RD-coördinaten van de hoek linksonder, in hectometers"
            }
        }

        var nameDescription: String {
            switch self {
            case .grid: "Het vierkant in woorden"
            default: "Naam van de \(name)"
            }
        }
    }

    public var space: Space
    /// Bucket length in milliseconds.
    public var time: Int64

    struct Raw: Decodable {
        var space: String
        var time: String
        /// Grid square size (`500m`, `1km`), only with `space: grid`.
        var cell: String?
    }

    public init(space: Space = .wijk, time: Int64) {
        self.space = space
        self.time = time
    }

    static func refusal(for input: PipelineDefinition.Input) -> String {
        "\(input.name) pipelines generalise in their own stage (by wijk and week, or per hour of departure); generalise is for readings"
    }

    init(_ raw: Raw, context: StageParseContext) throws {
        let fail = context.fail
        let space: Space
        switch raw.space {
        case "wijk": space = .wijk
        case "buurt": space = .buurt
        case "gemeente": space = .gemeente
        case "grid":
            let sizes = Space.gridSizes.map { $0 % 1000 == 0 ? "\($0 / 1000)km" : "\($0)m" }.joined(separator: ", ")
            guard let cell = raw.cell else {
                throw fail(nil, "a grid needs its square size: add 'cell: 500m' (CBS sizes: \(sizes))")
            }
            guard let metres = Self.metres(cell), Space.gridSizes.contains(metres) else {
                throw fail("cell", "use a CBS grid size: \(sizes)")
            }
            space = .grid(metres)
        default:
            throw fail("space", "unknown area '\(raw.space)'; use wijk, buurt, gemeente or grid")
        }
        if raw.cell != nil, raw.space != "grid" {
            throw fail("cell", "cell is the size of a grid square; remove it or use space: grid")
        }
        guard let time = DurationText.milliseconds(raw.time), time > 0, context.window % time == 0 else {
            throw fail("time", "use a duration that divides the input window, such as 1h")
        }
        self.init(space: space, time: time)
    }

    /// `500m`, `1km` in metres.
    private static func metres(_ text: String) -> Int? {
        if text.hasSuffix("km"), let n = Int(text.dropLast(2)) { return n * 1000 }
        if text.hasSuffix("m"), let n = Int(text.dropLast()) { return n }
        return nil
    }

    var parameters: [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = [("space", .string(space.name == "vierkant" ? "grid" : space.name))]
        if case .grid(let m) = space { fields.append(("cell_m", .number(Double(m)))) }
        return fields + [("time_ms", .number(Double(time)))]
    }

    func dutch(quantities: [String]) -> String {
        "Maakt plaats en tijd grover: elke meting telt alleen nog mee voor haar \(space.dutch) en voor het blok van \(DurationText.dutch(time)) waarin zij viel. Losse sensoren en precieze tijden gaan niet verder."
    }
}
