import Foundation
import LantaarnModel
import Store

/// All pipelines in a folder (`Pipelines/*.yaml`), one per file.
public struct PipelineCatalog: Sendable {
    /// Pipelines sorted by name.
    public let pipelines: [PipelineDefinition]

    /// Loads and checks every pipeline file. The first invalid file stops the load with its error.
    public init(directory: String) throws {
        var seen: [String: String] = [:]
        var list: [PipelineDefinition] = []
        for file in try Self.files(in: directory) {
            let p = try PipelineDefinition.load(path: file)
            if let other = seen[p.name] {
                throw PipelineError(file: file, path: "name", reason: "pipeline '\(p.name)' is also defined in \(other)")
            }
            seen[p.name] = file
            list.append(p)
        }
        pipelines = list.sorted { $0.name < $1.name }
    }

    /// The pipeline files (`*.yaml`, `*.yml`) in `directory`, sorted.
    static func files(in directory: String) throws -> [String] {
        try YAMLSourceMap.files(in: directory, folder: "pipeline", option: "--pipelines DIR pointing at Pipelines/")
    }

    /// Checks every pipeline file in `directory` on its own: each file's definition or its error.
    public static func check(directory: String) throws -> [(file: String, result: Result<PipelineDefinition, PipelineError>)] {
        try files(in: directory).map { ($0, check(file: $0)) }
    }

    /// Checks one pipeline file.
    public static func check(file: String) -> Result<PipelineDefinition, PipelineError> {
        do { return .success(try PipelineDefinition.load(path: file)) } catch let e as PipelineError {
            return .failure(e)
        } catch {
            return .failure(PipelineError(file: file, path: "", reason: "\(error)"))
        }
    }

    /// Creates a catalogue from definitions already loaded.
    public init(pipelines: [PipelineDefinition]) {
        self.pipelines = pipelines.sorted { $0.name < $1.name }
    }

    /// Retention of every pipeline's output dataset, for the purge; a dataset kept permanently
    /// (blijvend bewaren) has none, so the purge keeps it.
    public var datasetRetention: [String: RetentionPolicy] {
        Dictionary(pipelines.compactMap { p in p.output.retention.policy.map { (p.output.dataset, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// The pipeline called `name`.
    public func pipeline(named name: String) -> PipelineDefinition? {
        pipelines.first { $0.name == name }
    }
}
