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
    /// What the pipeline reads.
    public var input: Input
    /// Length of one run window, milliseconds (nominal for weeks).
    public var window: Int64
    /// How time is cut into run windows.
    public var calendar: WindowCalendar
    /// The stages, in order (checked by `StageOrder`).
    var stages: [any Stage]
    /// Code of the purpose in the purpose register (`mappings/doelen.yaml`).
    public var purposeCode: String

    /// What a pipeline reads.
    public enum Input: Sendable, Hashable {
        /// Sensor readings of these quantities.
        case readings([String])
        /// Meldingen openbare ruimte.
        case meldingen
        /// Pseudonymised ANPR sightings.
        case anpr

        /// The input as the data team names it.
        public var name: String { kind.rawValue }

        /// Whether the input is personal data (AVG): rows about people, not sensors.
        public var isPersonal: Bool {
            if case .readings = self { return false }
            return true
        }
    }

    /// Quantities read from the store (readings pipelines).
    public var quantities: [String] {
        if case .readings(let q) = input { return q }
        return []
    }

    /// The first stage of kind `S`.
    func stage<S: Stage>(_ type: S.Type) -> S? {
        stages.first { $0 is S } as? S
    }

    /// The stage that turns rows into published cells.
    var aggregating: (any AggregatingStage)? {
        stages.first { $0 is any AggregatingStage } as? any AggregatingStage
    }

    /// The YAML kinds of the stages, in order.
    public var stageKinds: [String] { stages.map(\.kind) }

    /// The readings aggregate stage, if this is a readings pipeline.
    public var aggregate: AggregateStage? { stage(AggregateStage.self) }

    /// Disclosure control after the aggregating stage.
    public var suppress: SuppressStage? { stage(SuppressStage.self) }

    /// The travel-time stage, if this is an ANPR pipeline.
    public var travelTime: TravelTimeStage? { stage(TravelTimeStage.self) }

    /// Filter stages (all must keep a row).
    public var filters: [FilterStage] {
        stages.compactMap { $0 as? FilterStage }
    }

    /// Whether the pipeline publishes model estimates (forecasts) rather than counts.
    public var predicts: Bool {
        aggregating.map { type(of: $0).publishes == .estimates } ?? false
    }

    public var output: OutputSpec
    /// What the national algorithm register needs that cannot be derived (`register:`).
    public var register: RegisterFields
    /// File the definition came from.
    public var file: String
    /// SHA-256 of the file's bytes: the exact version that produced a release.
    public var versionHash: String

    /// Columns of the published dataset.
    public var columns: [ColumnSpec] {
        aggregating?.columns(suppressed: suppress != nil) ?? []
    }

    /// How long after a window's end its input is complete (ANPR trips that departed in it
    /// may still arrive).
    public var settle: Int64 { aggregating?.settle ?? 0 }

    /// Output dataset and its public metadata.
    public struct OutputSpec: Sendable {
        public var dataset: String
        public var title: String
        public var description: String
        public var license: String
        /// How long the published rows are kept, and why.
        public var retention: DatasetRetention
        /// DCAT-AP-NL: theme URI (data.overheid.nl taxonomy), frequency URI, spatial coverage
        /// (gemeente code), access-rights URI, and the classification.
        public var theme: String
        /// The EU data theme next to `theme` (DCAT-AP), from the taxonomy and ``ThemeVocabulary``.
        public var euTheme: String?
        /// Dutch keywords for the catalogue (may be empty).
        public var keywords: [String]
        public var frequency: String
        public var spatial: String
        public var accessRights: String
        /// Why the dataset is not public (required unless it is).
        public var accessReason: String?
        public var classification: String
    }

    /// Loads and checks one pipeline file (`contents`, when given, instead of reading `path`).
    /// Errors name the file, line and column, the YAML path and what to fix; a field the
    /// pipeline format does not have is an error.
    public static func load(path: String, contents: Data? = nil) throws -> PipelineDefinition {
        let (raw, data, map) = try YAMLSourceMap.decode(RawPipeline.self, path: path, contents: contents, schema: .pipeline) { name in
            switch name {
            case "suppress_below": "; suppression is its own stage now: add '- suppress: {k: 5}' after this one"
            case "group_by", "bucket": "; set place and time in a generalise stage before aggregate: '- generalise: {space: wijk, time: 1h}'"
            default: nil
            }
        }
        do {
            return try raw.validated(file: path, hash: SHA256.hex(data))
        } catch let error as PipelineError {
            throw error.file == path ? map.located(error) : error
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
