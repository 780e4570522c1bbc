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
    let store: StoreBackend
    /// Imported boundary sets; while no wijk or buurt set is imported, the configured
    /// boundary file (or the bundled Haarlem wijken) stands in.
    let boundaries: BoundaryCatalog
    let logger: Logger

    init(settings: Settings, label: String = "lantaarn") throws {
        self.settings = settings
        logger = Logger(label: label)
        store = try StoreBackend.open(settings, logger: logger)
        boundaries = try Self.catalog(store: store.boundaries, settings: settings)
    }

    /// The stored boundary sets, plus the default wijken when nothing finer than gemeente is stored.
    static func catalog(store: any BoundaryStore, settings: Settings) throws -> BoundaryCatalog {
        var sets = try store.boundarySets().map(BoundarySet.init(stored:))
        if !sets.contains(where: { $0.level != .gemeente }) {
            if let file = settings.boundaryFile {
                sets.append(try DefaultBoundaries.load(path: file, level: .wijk, gemeente: settings.gemeente, vintage: settings.boundaryVintage))
            } else {
                sets.append(try DefaultBoundaries.haarlemWijken())
            }
        }
        return BoundaryCatalog(sets)
    }

    func registry() throws -> SensorRegistry {
        let registry = try SensorRegistry.load(directory: settings.sensorDirectory, boundaries: boundaries)
        let outside = registry.sensors.keys.filter { registry.placeBySensor[$0]?.latest == nil }.sorted()
        if !outside.isEmpty {
            logger.warning("sensors outside every known wijk; their readings count as 'wijk unknown'",
                           metadata: ["sensor.ids": "\(outside)"])
        }
        return registry
    }

    /// The validator of incoming readings: the registry, and the readings' retention (a reading
    /// already older than that is refused).
    func validator(registry: SensorRegistry) -> ReadingValidator {
        ReadingValidator(registry: registry, retention: settings.readingsRetention)
    }

    /// The validator over the registry as loaded now.
    func validator() throws -> ReadingValidator {
        validator(registry: try registry())
    }

    /// Meldingen loading, with the BOR_MELD mapping in `Pipelines/mappings/`.
    func meldingIngest() throws -> MeldingIngest {
        let mapping = (settings.pipelineDirectory as NSString).appendingPathComponent("mappings/bor_meld.yaml")
        return MeldingIngest(store: store.meldingen, boundaries: boundaries, categories: try CategoryMapping(mappingFile: mapping),
                             keepText: settings.meldingTextRetention != nil)
    }

    /// Completed downloads kept by `serve` (`data/exports/`), emptied by every purge.
    var exportsDirectory: String { (settings.dataDirectory as NSString).appendingPathComponent("exports") }

    /// The pipelines in `Pipelines/`; every version not seen before is archived in the store.
    /// The pseudonym keys (data directory `keys/`, 0700; each key 0600).
    func keyring() throws -> PseudonymKeyring {
        try PseudonymKeyring(directory: (settings.dataDirectory as NSString).appendingPathComponent("keys"))
    }

    func pipelines() throws -> PipelineCatalog {
        let catalog = try PipelineCatalog(directory: settings.pipelineDirectory)
        for p in catalog.pipelines {
            guard let data = FileManager.default.contents(atPath: p.file), SHA256.hex(data) == p.versionHash else { continue }
            try store.releases.archivePipelineVersion(PipelineVersionRecord(pipeline: p.name, sha256: p.versionHash, version: p.version,
                                                                   definition: String(decoding: data, as: UTF8.self),
                                                                   firstSeen: Clock.nowMilliseconds()))
        }
        return catalog
    }

    /// Four-eyes over this store's approvals and archive of pipeline versions.
    var pipelineApprovals: PipelineApprovals {
        PipelineApprovals(approvals: store.staff, staff: store.staff, archive: store.releases)
    }

    /// The pipelines in force: under four-eyes, the approved version of each (a file changed and
    /// not approved leaves its approved version in force; a pipeline never approved is not run).
    func pipelinesInForce() throws -> (catalog: PipelineCatalog, waiting: [PipelineApprovals.Waiting]) {
        let resolution = try pipelineApprovals.resolve(try pipelines().pipelines)
        return (PipelineCatalog(pipelines: resolution.running), resolution.waiting)
    }

    /// The pipeline `name` as in force, for commands that publish by hand; says so when the
    /// file's version waits for approval.
    func pipelineInForce(_ name: String) throws -> PipelineDefinition {
        let (catalog, waiting) = try pipelinesInForce()
        let change = waiting.first { $0.onDisk.name == name }
        if let change {
            Console.line(change.inForce == nil
                ? "\(name): this version has not been approved; 'lantaarn pipeline propose \(name)', then another member of staff approves it"
                : "\(name): the file's version (sha256 \(change.onDisk.versionHash.prefix(12))) waits for approval; running the approved version (sha256 \(change.inForce!.versionHash.prefix(12)))")
        }
        guard let p = catalog.pipeline(named: name) else {
            if change != nil { throw CLIError("\(name) has no approved version, so it does not run") }
            throw CLIError("no pipeline '\(name)'; known: \(try pipelines().pipelines.map(\.name).joined(separator: ", "))")
        }
        return p
    }

    /// The pipeline runner; sensors' mounting points (for buurt and grid squares) come from
    /// the registry. A registry that does not load stops only the pipelines that need positions
    /// (they say so when they run), not the others.
    /// The store's domains a pipeline run reads from and publishes to.
    var pipelineStores: PipelineStores {
        PipelineStores(readings: store.readings, releases: store.releases, meldingen: store.meldingen, anpr: store.anpr)
    }

    func runner() -> PipelineRunner {
        var positions: [String: GeoPoint] = [:]
        do {
            positions = try SensorRegistry.load(directory: settings.sensorDirectory, boundaries: boundaries).sensors
                .mapValues { GeoPoint(lon: $0.longitude, lat: $0.latitude) }
        } catch {
            logger.warning("sensor positions unavailable; pipelines that generalise to buurt or grid cannot run",
                           metadata: ["error": "\(error)"])
        }
        return PipelineRunner(stores: pipelineStores, boundaries: boundaries, positions: positions, logger: logger)
    }
}
