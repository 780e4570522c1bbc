import LantaarnModel
import Store

/// Makes place and time coarser before anything is counted: a point becomes its wijk (or
/// the whole gemeente), a timestamp the start of its bucket. For readings this is the
/// grouping of the store query; no sensor or exact time survives it.
public struct GeneraliseStage: Sendable, Hashable {
    /// The area every row is reduced to.
    public enum Space: String, Sendable, Hashable, CaseIterable {
        case wijk, gemeente

        var grouping: AggregateQuery.Grouping { self == .wijk ? .wijk : .none }
        var dutch: String { self == .wijk ? "wijk" : "gemeente" }
    }

    public var space: Space
    /// Bucket length in milliseconds.
    public var time: Int64

    struct Raw: Decodable {
        var space: String
        var time: String
    }

    public init(space: Space = .wijk, time: Int64) {
        self.space = space
        self.time = time
    }

    init(_ raw: Raw, window: Int64, file: String, path: String) throws {
        guard let space = Space(rawValue: raw.space) else {
            let hint = raw.space == "buurt" || raw.space == "grid"
                ? "readings are placed in a wijk at ingest; buurt and grid cells are not stored for readings, so use wijk or gemeente"
                : "use wijk or gemeente"
            throw PipelineError(file: file, path: "\(path).space", reason: "unknown area '\(raw.space)'; \(hint)")
        }
        guard let time = DurationText.milliseconds(raw.time), time > 0, window % time == 0 else {
            throw PipelineError(file: file, path: "\(path).time", reason: "use a duration that divides the input window, such as 1h")
        }
        self.init(space: space, time: time)
    }

    var parameters: [(String, JSONValue)] {
        [("space", .string(space.rawValue)), ("time_ms", .number(Double(time)))]
    }

    var dutch: String {
        "Maakt plaats en tijd grover: elke meting telt alleen nog mee voor haar \(space.dutch) en voor het blok van \(DurationText.dutch(time)) waarin zij viel. Losse sensoren en precieze tijden gaan niet verder."
    }
}
