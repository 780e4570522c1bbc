import Foundation
import LantaarnModel
import Store

/// Which version of each pipeline is in force under four-eyes: a definition runs only when a
/// second member of staff approved exactly that file (pinned by its SHA-256). A file changed on
/// disk and not (yet) approved leaves the last approved version running, read from the archive
/// of pipeline versions; a new pipeline that was never approved does not run.
///
/// Four-eyes starts with the first staff account (`lantaarn staff add`). Versions that were in
/// use before that (archived earlier) count as approved, so adding accounts stops nothing that ran;
/// with no account at all, every file runs as it is (a single-person demo or test).
public struct PipelineApprovals: Sendable {
    let approvals: any ApprovalStore
    let staff: any StaffStore
    let archive: any PipelineVersionArchive

    public init(approvals: any ApprovalStore, staff: any StaffStore, archive: any PipelineVersionArchive) {
        self.approvals = approvals
        self.staff = staff
        self.archive = archive
    }

    /// A pipeline whose file on disk is not the version in force.
    public struct Waiting: Sendable {
        public let onDisk: PipelineDefinition
        /// The approved version that runs instead; `nil`: none, so the pipeline does not run.
        public let inForce: PipelineDefinition?
    }

    /// What runs, and what waits for approval.
    public struct Resolution: Sendable {
        public var running: [PipelineDefinition]
        public var waiting: [Waiting]
    }

    /// When four-eyes began (the first account's creation); `nil` while there is no account.
    public func fourEyesSince() throws -> Int64? {
        try staff.staff().map(\.createdAt).min()
    }

    /// Resolves the pipelines on disk to those in force.
    public func resolve(_ onDisk: [PipelineDefinition]) throws -> Resolution {
        guard let since = try fourEyesSince() else { return Resolution(running: onDisk, waiting: []) }
        let approved = try approvals.approvedContent(kind: .pipeline)
        var resolution = Resolution(running: [], waiting: [])
        for p in onDisk {
            let versions = try archive.pipelineVersions(p.name)
            let inForce = Self.inForce(approved: approved[p.name] ?? [], versions: versions, since: since)
            if inForce?.sha256 == p.versionHash {
                resolution.running.append(p)
                continue
            }
            let fallback = try inForce.map { try PipelineDefinition.load(path: p.file, contents: Data($0.definition.utf8)) }
            resolution.waiting.append(Waiting(onDisk: p, inForce: fallback))
            if let fallback { resolution.running.append(fallback) }
        }
        return resolution
    }

    /// The archived version of `name` in force: the one approved last, or used before four-eyes
    /// began, whichever came later.
    public func inForce(_ name: String) throws -> PipelineVersionRecord? {
        guard let since = try fourEyesSince() else { return try archive.pipelineVersions(name).last }
        return Self.inForce(approved: try approvals.approvedContent(kind: .pipeline)[name] ?? [],
                            versions: try archive.pipelineVersions(name), since: since)
    }

    static func inForce(approved: [(hash: String, at: Int64)], versions: [PipelineVersionRecord], since: Int64) -> PipelineVersionRecord? {
        let before = versions.last { $0.firstSeen < since }.map { (record: $0, at: $0.firstSeen) }
        let decided = approved.last.flatMap { a in versions.first { $0.sha256 == a.hash }.map { (record: $0, at: a.at) } }
        return [before, decided].compactMap { $0 }.max { $0.at < $1.at }?.record
    }
}

/// Where the scheduler gets the pipelines to run, asked again at every round (so an approval
/// takes effect from the next window on, without a restart).
public protocol PipelineSource: Sendable {
    func currentPipelines() -> [PipelineDefinition]
}

extension PipelineCatalog: PipelineSource {
    public func currentPipelines() -> [PipelineDefinition] { pipelines }
}
