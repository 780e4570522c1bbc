import Geo
import LantaarnModel
import Logging
import Store

/// What a stage kind knows while its fields are checked.
struct StageParseContext {
    var input: PipelineDefinition.Input
    /// Length of one run window, milliseconds.
    var window: Int64
    /// The pipeline file.
    var file: String
    /// YAML path of the stage's fields, such as `stages[2].aggregate`.
    var path: String
    /// The stages before this one, in file order.
    var earlier: [any Stage]

    /// An error about `field` of the stage (the stage itself when `nil`).
    func fail(_ field: String?, _ reason: String) -> PipelineError {
        PipelineError(file: file, path: field.map { "\(path).\($0)" } ?? path, reason: reason)
    }

    /// The last stage of kind `S` before this one.
    func earlier<S: Stage>(_ type: S.Type) -> S? {
        earlier.last { $0 is S } as? S
    }
}

/// What an aggregating stage reads from during one pipeline run.
struct StageInput {
    var stores: PipelineStores
    var pipeline: PipelineDefinition
    var boundaries: BoundaryCatalog
    /// Mounting points of the sensors (the registry), for buurt and grid squares.
    var positions: [String: GeoPoint]
    var logger: Logger
    /// The pipeline's filter stages (every one must keep a row).
    let filters: [FilterStage]
    /// Area names by code over every vintage (computed once: the catalogue builds it).
    private let names: [String: String]

    init(stores: PipelineStores, pipeline: PipelineDefinition,
         boundaries: BoundaryCatalog, positions: [String: GeoPoint], logger: Logger) {
        self.stores = stores
        self.pipeline = pipeline
        self.boundaries = boundaries
        self.positions = positions
        self.logger = logger
        self.filters = pipeline.filters
        self.names = boundaries.names
    }

    /// The gemeente the pipeline publishes for (its code, such as GM0392).
    var gemeente: String { pipeline.output.spatial }

    /// The name of a wijk by code, from the boundaries in force at `t` (then any vintage).
    func wijkName(at t: Int64) -> (String) -> String {
        let (wijken, names) = (boundaries.set(.wijk, at: t), names)
        return { code in wijken?.area(code: code)?.name ?? names[code] ?? code }
    }

    /// The meldingen the pipeline's filter stages keep.
    func keeps(_ m: Melding) -> Bool {
        filters.allSatisfy { $0.keeps(m) }
    }
}

/// The rows of one window, with what the lineage says about the input.
struct StageOutput {
    var rows: [[CellValue]]
    /// Input rows (readings, meldingen, sightings) the window used.
    var rowsIn: Int
    /// Of those, the ones outside every wijk.
    var withoutWijk: Int
    /// Lineage fields of the stage (boundaries used, alerts recorded).
    var lineage: [(String, JSONValue)] = []
}
