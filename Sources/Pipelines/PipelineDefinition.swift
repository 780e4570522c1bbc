import Foundation
import LantaarnModel
import Store
import Yams

/// A pipeline as the data team writes it in `Pipelines/NAME.yaml`.
public struct PipelineDefinition: Sendable {
    public var name: String
    public var version: String
    public var owner: String
    /// Doelbinding: what the output is for.
    public var purpose: String
    public var legalBasis: String
    /// 0-3; level 4 (automated decisions) is refused.
    public var maturityLevel: Int
    public var schedule: CronSchedule
    /// Quantities read from the store (readings pipelines).
    public var quantities: [String]
    /// Length of one run window, milliseconds (nominal for weeks).
    public var window: Int64
    /// How time is cut into run windows.
    public var calendar: WindowCalendar
    /// Stages of a readings pipeline.
    public var stages: [AggregateStage]
    /// The stage of a meldingen pipeline (input `meldingen: true`).
    public var meldingen: MeldingenKind?

    /// What a meldingen pipeline computes.
    public enum MeldingenKind: Sendable, Hashable {
        /// Weekly counts, backlog and handling time per wijk × hoofdcategorie.
        case weekly(MeldingenStage)
        /// Forecasts per wijk × hoofdcategorie, and the week's early-warning alerts.
        case forecast(MeldingenForecastStage)
        /// Red, orange and green tiles per hoofdcategorie.
        case tiles(MeldingenTilesStage)

        var columns: [ColumnSpec] {
            switch self {
            case .weekly(let s): s.columns
            case .forecast(let s): s.columns
            case .tiles(let s): s.columns
            }
        }
    }
    public var output: OutputSpec
    /// File the definition came from.
    public var file: String
    /// SHA-256 of the file's bytes: the exact version that produced a release.
    public var versionHash: String

    /// Columns of the published dataset.
    public var columns: [ColumnSpec] { meldingen?.columns ?? stages[0].columns }

    /// Output dataset and its public metadata.
    public struct OutputSpec: Sendable {
        public var dataset: String
        public var title: String
        public var description: String
        public var license: String
        /// How long the published rows are kept, and why.
        public var retention: RetentionPolicy
        /// DCAT-AP-NL: theme URI (data.overheid.nl taxonomy), frequency URI, spatial coverage
        /// (gemeente code), access-rights URI, and the classification.
        public var theme: String
        public var frequency: String
        public var spatial: String
        public var accessRights: String
        public var classification: String
    }

    /// Loads and checks one pipeline file. Errors name the file, line and column, the YAML
    /// path and what to fix; a field the pipeline format does not have is an error.
    public static func load(path: String) throws -> PipelineDefinition {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw PipelineError(file: path, path: "", reason: "cannot read the file as UTF-8 text")
        }
        let map = PipelineSourceMap(text)
        func located(_ e: PipelineError) -> PipelineError {
            guard e.line == nil, e.file == path, let at = map.position(of: e.path) else { return e }
            var located = e
            (located.line, located.column) = (at.line, at.column)
            return located
        }
        if let unknown = map.unknownField() {
            let name = String(unknown.path.split(separator: ".").last ?? "")
            let hint = PipelineSourceMap.closest(name.replacingOccurrences(of: #"\[\d+\]"#, with: "", options: .regularExpression), in: unknown.known)
                .map { "; did you mean '\($0)'?" } ?? "; known fields here: \(unknown.known.joined(separator: ", "))"
            throw PipelineError(file: path, path: unknown.path, reason: "unknown field '\(name)'\(hint)", line: unknown.line, column: unknown.column)
        }
        let raw: RawPipeline
        do {
            raw = try YAMLDecoder().decode(RawPipeline.self, from: text)
        } catch let error as DecodingError {
            throw located(PipelineError(file: path, path: error.yamlPath, reason: error.plainReason))
        } catch let error as YamlError {
            throw PipelineError(file: path, path: "", reason: "not valid YAML: \(error)")
        } catch {
            throw PipelineError(file: path, path: "", reason: "not valid YAML: \(error)")
        }
        do {
            return try raw.validated(file: path, hash: SHA256.hex(data))
        } catch let error as PipelineError {
            throw located(error)
        }
    }
}

/// A pipeline file is wrong: where (file:line:column and YAML path), what, and how to fix it.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var path: String
    public var reason: String
    public var line: Int?
    public var column: Int?

    public init(file: String, path: String, reason: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.path = path
        self.reason = reason
        self.line = line
        self.column = column
    }

    public var description: String {
        let place = line.map { "\(file):\($0):\(column ?? 1)" } ?? file
        return path.isEmpty ? "\(place): \(reason)" : "\(place): \(path): \(reason)"
    }
}
