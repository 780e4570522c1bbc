import ArgumentParser
import Foundation
import LantaarnModel
import Pipelines
import Store

extension PipelineCommand {
    /// `lantaarn pipeline propose NAME --note TEXT`: files the file's version of a pipeline for
    /// four-eyes approval, with the diff against the version in force, a Dutch summary and a
    /// preview of the latest closed window (computed, not published).
    struct Propose: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Propose the version of a pipeline in Pipelines/ for approval by another member of staff (four-eyes).",
            discussion: "Needs your personal token (role datateam). The version in force keeps running until the proposal is approved.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var identity: StaffIdentityOptions
        @Argument(help: "Pipeline name.") var name: String
        @Option(name: .long, help: "What changes and why, in a sentence or two (shown to the approver).") var note: String

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.pipeline")
            let desk = runtime.store.approvalDesk
            guard try desk.inForce() else {
                throw CLIError("four-eyes is not in force: there are no staff accounts, so every pipeline file runs as it is ('lantaarn staff add' starts it)")
            }
            let who = try identity.require(runtime.store, for: "proposing a pipeline version")
            let catalog = try runtime.pipelines()
            guard let p = catalog.pipeline(named: name) else {
                throw ValidationError("no pipeline '\(name)'; known: \(catalog.pipelines.map(\.name).joined(separator: ", "))")
            }
            let current = try runtime.pipelineApprovals.inForce(name)
            guard current?.sha256 != p.versionHash else {
                Console.line("\(name): this version (sha256 \(p.versionHash.prefix(12))) is already in force; nothing to propose")
                return
            }
            guard let data = FileManager.default.contents(atPath: p.file), SHA256.hex(data) == p.versionHash else {
                throw CLIError("\(p.file) changed while it was read; run the command again")
            }
            let old = try current.map { (try PipelineDefinition.load(path: p.file, contents: Data($0.definition.utf8)), $0.definition) }
            Console.progress("\(name): computing the preview of the latest closed window...")
            let preview: String
            do {
                preview = try runtime.runner().preview(p).text()
            } catch {
                preview = "Geen voorbeeld: \(error)"
            }
            Console.line("")
            let proposal = PipelineChange.proposal(p, definition: String(decoding: data, as: UTF8.self), inForce: old,
                                                   datasetExists: try runtime.store.releases.dataset(named: p.output.dataset) != nil,
                                                   note: note, preview: preview, by: who.name, at: Clock.nowMilliseconds())
            let change = try desk.propose(proposal, roles: who.roles)
            Console.line("change #\(change.id) proposed: \(proposal.summary)")
            Console.line("another member of staff with the role approver decides: 'lantaarn approvals show \(change.id)', then approve or reject")
        }
    }
}
