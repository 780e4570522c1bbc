import LantaarnModel
import Store

/// How long a pipeline's published rows are kept, and on what grounds: a Selectielijst 2020
/// resultaat (which decides between destruction after its bewaartermijn and permanent
/// keeping), or a duration with a stated basis.
public struct DatasetRetention: Sendable {
    /// The purge's policy; `nil`: the rows are kept permanently (blijvend bewaren).
    public var policy: RetentionPolicy?
    /// The resultaat the retention follows, when it names one.
    public var resultaat: Selectielijst.Resultaat?
    /// Why the rows are kept this long: the resultaat, or the stated basis.
    public var basis: String

    /// Kept permanently.
    public var isPermanent: Bool { policy == nil }

    /// For the dataset's metadata: `1y`, `P1Y6M`, or `blijvend` for permanent keeping.
    public var text: String { policy?.text ?? "blijvend" }

    /// "1 jaar", "1 jaar en 6 maanden" or "blijvend (archief)", for the public pages.
    public var dutch: String {
        guard let policy else { return "blijvend (daarna naar het archief)" }
        return ISODuration(policy.text.hasPrefix("P") ? policy.text : "").map(\.dutch) ?? DurationText.dutch(policy.keep)
    }
}

/// `retention` in a pipeline file: a duration (`10y`, with `retention_basis`) or a Selectielijst
/// resultaat, `{selectielijst: "20.1.7"}`, optionally with the term it implies (`keep: 1y`).
enum RawRetention: Decodable {
    case duration(String)
    case selectielijst(code: String, keep: String?)

    private enum Keys: String, CodingKey { case selectielijst, keep }

    init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self = .duration(text)
            return
        }
        let fields = try decoder.container(keyedBy: Keys.self)
        self = .selectielijst(code: try fields.decode(String.self, forKey: .selectielijst),
                              keep: try fields.decodeIfPresent(String.self, forKey: .keep))
    }

    /// The checked retention; `fail(path, reason)` makes the error for the pipeline file.
    func resolved(basis statedBasis: String?, pipelineFile: String,
                  fail: (String, String) -> PipelineError) throws -> DatasetRetention {
        let stated = statedBasis?.trimmingSpaces() ?? ""
        switch self {
        case .duration(let text):
            guard let policy = RetentionPolicy(keep: text, basis: stated) else {
                throw fail("output.retention", "use a duration such as 10y or 90d (at most 1000y), or name a Selectielijst resultaat: retention: {selectielijst: \"20.1.7\"}")
            }
            guard !stated.isEmpty else {
                throw fail("output.retention_basis", "say on what grounds the rows are kept \(text): name a Selectielijst 2020 resultaat instead (retention: {selectielijst: \"20.1.7\"}), or give the legal basis or decision in retention_basis")
            }
            return DatasetRetention(policy: policy, resultaat: nil, basis: stated)
        case .selectielijst(let code, let keep):
            let list: Selectielijst
            do { list = try Selectielijst.load(nextTo: pipelineFile) } catch { throw fail("output.retention.selectielijst", error.description) }
            let trimmed = code.trimmingSpaces()
            guard let resultaat = list.resultaten[trimmed] else {
                throw fail("output.retention.selectielijst", "'\(trimmed)' is not a resultaat of the Selectielijst 2020; give procestype and resultaat number, such as 20.1 or 20.1.7 (\(Selectielijst.file))")
            }
            let basis = resultaat.basis + (stated.isEmpty ? "" : "; \(stated)")
            switch (resultaat.waardering, resultaat.bewaartermijn.flatMap(ISODuration.init)) {
            case (.blijvendBewaren, _):
                if let keep {
                    throw fail("output.retention.keep", "resultaat \(resultaat.label) is to be kept permanently (blijvend bewaren); destroying the rows after \(keep) is not allowed: remove keep, or name a resultaat with a bewaartermijn")
                }
                return DatasetRetention(policy: nil, resultaat: resultaat, basis: basis)
            case (.vernietigen, let term?) where term.milliseconds > 0:
                if let keep, DurationText.milliseconds(keep) != term.milliseconds {
                    throw fail("output.retention.keep", "resultaat \(resultaat.label) says: destroy after \(term.dutch) (\(term.short)); keep: \(keep) contradicts it: remove keep, or name the resultaat that fits")
                }
                let policy = RetentionPolicy(milliseconds: term.milliseconds, text: term.short, basis: basis)
                return DatasetRetention(policy: policy, resultaat: resultaat, basis: basis)
            default:
                throw fail("output.retention.selectielijst", "resultaat \(resultaat.label) gives no usable term (lapsed, or a bewaartermijn of nothing); name another resultaat")
            }
        }
    }
}
