import Foundation
import Geo
@testable import Ingest
@testable import Pipelines
@testable import Server

/// The YAML the data team writes: pipelines, dashboards and the sensor register, each input
/// handed to the loader as a file's contents (with a scratch file per input, 32 % of the time
/// went to the kernel).
enum DefinitionTargets {
    static let all: [FuzzTarget] = [
        FuzzTarget(name: "pipeline-yaml", covers: "Pipelines/*.yaml: the pipeline loader and its checks", maxLength: 4_096,
                   run: { bytes in _ = try? PipelineDefinition.load(path: "fuzz-pipeline.yaml", contents: Data(bytes)) },
                   seeds: { $0.repository("Pipelines", ".yaml") + $0.repository("Tests/Fixtures/pipelines/bad", ".yaml") }),
        FuzzTarget(name: "dashboard-yaml", covers: "Dashboards/*.yaml: the dashboard loader, checked against the shipped pipelines", maxLength: 4_096,
                   run: { bytes in
                       guard let dashboard = try? DashboardFile.load(path: "fuzz-dashboard.yaml", contents: Data(bytes)) else { return }
                       _ = DashboardCatalog.check(dashboard, pipelines: shippedPipelines)
                   },
                   seeds: { $0.repository("Dashboards", ".yaml") }),
        FuzzTarget(name: "sensor-yaml", covers: "Sensors/*.yaml: the sensor register", maxLength: 4_096,
                   run: { bytes in
                       guard let sensors = try? SensorFile.parse(path: "fuzz-sensors.yaml", contents: Data(bytes)) else { return }
                       _ = SensorRegistry(sensors: sensors, boundaries: boundaries)
                   },
                   seeds: { $0.repository("Sensors", ".yaml") }),
    ]

    /// The pipelines in `Pipelines/` under the working directory (the repository in `make fuzz`
    /// and `make test`); none when it is elsewhere.
    private static let shippedPipelines: [PipelineDefinition] =
        (try? PipelineCatalog(directory: FileManager.default.currentDirectoryPath + "/Pipelines").pipelines) ?? []

    private static let boundaries = try! DefaultBoundaries.haarlemWijken()
}
