import Foundation
import Geo
import Ingest
import LantaarnModel
import Logging
import Pipelines
import Store

/// What every command that touches data opens: the store, boundaries, registry and pipelines.
struct Runtime {
    let settings: Settings
    let store: SQLiteStore
    let boundaries: BoundarySet
    let logger: Logger

    init(settings: Settings, label: String = "lantaarn") throws {
        self.settings = settings
        logger = Logger(label: label)
        store = try SQLiteStore(dataDirectory: settings.dataDirectory, policy: settings.chunkPolicy)
        if let file = settings.boundaryFile {
            boundaries = try DefaultBoundaries.load(path: file, gemeente: settings.gemeente, vintage: settings.boundaryVintage)
        } else {
            boundaries = try DefaultBoundaries.haarlemWijken()
        }
    }

    func registry() throws -> SensorRegistry {
        let registry = try SensorRegistry.load(directory: settings.sensorDirectory, boundaries: boundaries)
        let outside = registry.sensors.keys.filter { registry.wijkBySensor[$0] == nil }.sorted()
        if !outside.isEmpty {
            logger.warning("sensors outside every known wijk; their readings count as 'wijk unknown'",
                           metadata: ["sensor.ids": "\(outside)"])
        }
        return registry
    }

    func pipelines() throws -> PipelineCatalog {
        try PipelineCatalog(directory: settings.pipelineDirectory)
    }

    func runner() -> PipelineRunner {
        PipelineRunner(store: store, boundaries: boundaries, logger: logger)
    }
}
