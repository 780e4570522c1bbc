import LantaarnModel
import Store

/// A four-eyes proposal for a pipeline version: the diff against the version in force, a Dutch
/// summary that says what an approver must know (a new or reopened public dataset, a changed
/// purpose), and the preview.
public enum PipelineChange {
    /// - Parameters:
    ///   - definition: the text of `p`'s file (what is pinned by its SHA-256).
    ///   - inForce: the version in force now, with its text; `nil` for a new pipeline.
    ///   - datasetExists: whether `p`'s output dataset has been published before.
    ///   - note: the proposer's own explanation.
    public static func proposal(_ p: PipelineDefinition, definition: String, inForce: (PipelineDefinition, String)?, datasetExists: Bool,
                                note: String, preview: String, by: String, at: Int64) -> ChangeProposal {
        let diff = inForce.map { trimmed(LineDiff.unified($0.1, definition)).joined(separator: "\n") }
            ?? definition.split(separator: "\n", omittingEmptySubsequences: false).map { "+ " + $0 }.joined(separator: "\n")
        return ChangeProposal(kind: .pipeline, target: p.name, contentHash: p.versionHash, proposedBy: by, proposedAt: at,
                              summary: summary(p, inForce: inForce?.0, datasetExists: datasetExists, note: note), diff: diff, preview: preview)
    }

    /// The changed lines with `context` unchanged lines around each; `…` where lines are left out.
    static func trimmed(_ lines: [String], context: Int = 3) -> [String] {
        let changed = lines.indices.filter { !lines[$0].hasPrefix("  ") }
        var keep = Set<Int>()
        for i in changed { keep.formUnion(max(0, i - context)...min(lines.count - 1, i + context)) }
        var out: [String] = []
        for i in lines.indices {
            if keep.contains(i) { out.append(lines[i]) } else if out.last != "…" { out.append("…") }
        }
        return out
    }

    /// What changes, in plain Dutch.
    static func summary(_ p: PipelineDefinition, inForce old: PipelineDefinition?, datasetExists: Bool, note: String) -> String {
        let public_ = PipelineRunner.metadata(for: p).isPublic
        let dataset = p.output.dataset
        var parts: [String] = []
        if let old {
            parts.append("Pijplijn \(p.name): versie \(old.version) wordt \(p.version).")
            let wasPublic = PipelineRunner.metadata(for: old).isPublic
            if old.output.dataset != dataset {
                parts.append("Publiceert voortaan in dataset \(dataset) in plaats van \(old.output.dataset).")
            }
            if public_ && (!wasPublic || old.output.dataset != dataset) {
                parts.append(datasetExists ? "Let op: dataset \(dataset) wordt weer openbaar." : "Let op: dit is een nieuwe openbare dataset (\(dataset)).")
            } else if !public_ && wasPublic {
                parts.append("Dataset \(dataset) is daarna niet meer openbaar.")
            }
            if old.purpose != p.purpose { parts.append("Het doel verandert in: \(p.purpose)") }
            if old.legalBasis != p.legalBasis { parts.append("De grondslag verandert in: \(p.legalBasis)") }
            if old.input != p.input { parts.append("Leest voortaan \(p.input.name) in plaats van \(old.input.name).") }
        } else {
            parts.append("Nieuwe pijplijn \(p.name) (versie \(p.version)). Doel: \(p.purpose)")
            if public_ {
                parts.append(datasetExists ? "Let op: dataset \(dataset) wordt weer openbaar." : "Let op: dit is een nieuwe openbare dataset (\(dataset)).")
            } else {
                parts.append("Publiceert dataset \(dataset), niet openbaar.")
            }
        }
        if p.input.isPersonal { parts.append("De invoer zijn persoonsgegevens (\(p.input.name)).") }
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if !note.isEmpty { parts.append("Toelichting: \(note.prefix(1000))") }
        return parts.joined(separator: " ")
    }
}
