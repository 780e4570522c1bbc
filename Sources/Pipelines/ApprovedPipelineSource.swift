import Foundation
import Logging
import Synchronization

/// The scheduler's pipelines under four-eyes: `Pipelines/` read again at every round and
/// resolved by ``PipelineApprovals``. A pipeline waiting for approval is logged once per version;
/// a folder that no longer loads (a file being edited) keeps the last resolution running.
public final class ApprovedPipelineSource: PipelineSource {
    private let directory: String
    private let approvals: PipelineApprovals
    private let logger: Logger
    private let state: Mutex<(last: [PipelineDefinition], told: Set<String>)>

    /// `initial`: what runs until the first round resolves (the catalogue `serve` started with).
    public init(directory: String, approvals: PipelineApprovals, initial: [PipelineDefinition], logger: Logger) {
        self.directory = directory
        self.approvals = approvals
        self.logger = logger
        state = Mutex((initial, []))
    }

    public func currentPipelines() -> [PipelineDefinition] {
        do {
            let resolution = try approvals.resolve(try PipelineCatalog(directory: directory).pipelines)
            state.withLock { s in
                s.last = resolution.running.sorted { $0.name < $1.name }
                for w in resolution.waiting where s.told.insert("\(w.onDisk.name) \(w.onDisk.versionHash)").inserted {
                    logger.warning("pipeline changed on disk and not approved; the approved version keeps running", metadata: [
                        "pipeline.name": "\(w.onDisk.name)", "pipeline.sha256": "\(w.onDisk.versionHash.prefix(12))",
                        "pipeline.running": "\(w.inForce.map { String($0.versionHash.prefix(12)) } ?? "none")",
                        "hint": "lantaarn pipeline propose \(w.onDisk.name), then another member of staff approves it",
                    ])
                }
            }
        } catch {
            logger.error("pipelines could not be read; the previous ones keep running", metadata: ["error": "\(error)"])
        }
        return state.withLock { $0.last }
    }
}
