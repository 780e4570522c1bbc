import Foundation
import Yams

/// The purpose register (`mappings/doelen.yaml` next to the pipelines): the purposes the data
/// team may process for, and for each input the purposes it was collected for. A pipeline may
/// only read inputs registered for its purpose (AVG purpose binding).
struct PurposeRegister: Decodable {
    struct Inputs: Decodable {
        var quantities: [String: [String]]?
        var meldingen: [String]?
        var anpr: [String]?
    }

    var purposes: [String: String]
    var inputs: Inputs

    static func path(pipelineFile: String) -> String {
        ((pipelineFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("mappings/doelen.yaml")
    }

    /// Throws unless `purposeCode` is registered and every input of `input` was collected for it.
    static func check(purposeCode: String, input: PipelineDefinition.Input, pipelineFile: String) throws {
        let file = path(pipelineFile: pipelineFile)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw PipelineError(file: pipelineFile, path: "purpose_code",
                                reason: "no purpose register at \(file); keep mappings/doelen.yaml next to the pipelines")
        }
        let register: PurposeRegister
        do { register = try YAMLDecoder().decode(PurposeRegister.self, from: data) } catch {
            throw PipelineError(file: file, path: "", reason: "the purpose register does not read: \(error)")
        }
        guard register.purposes[purposeCode] != nil else {
            throw PipelineError(file: pipelineFile, path: "purpose_code",
                                reason: "'\(purposeCode)' is not in the purpose register (mappings/doelen.yaml); registered: \(register.purposes.keys.sorted().joined(separator: ", "))")
        }
        func refuse(_ path: String, _ what: String, _ registered: [String]?) -> PipelineError {
            PipelineError(file: pipelineFile, path: path, reason: registered == nil
                ? "\(what) has no registered purposes in mappings/doelen.yaml; register it with the privacy officer first"
                : "\(what) was collected for \(registered!.sorted().joined(separator: ", ")), not for '\(purposeCode)' (purpose binding); choose a fitting purpose_code or have the privacy officer register this use")
        }
        switch input {
        case .readings(let quantities):
            for (i, q) in quantities.enumerated() {
                let registered = register.inputs.quantities?[q]
                guard registered?.contains(purposeCode) == true else { throw refuse("input.quantities[\(i)]", "quantity '\(q)'", registered) }
            }
        case .meldingen:
            guard register.inputs.meldingen?.contains(purposeCode) == true else { throw refuse("input.meldingen", "meldingen", register.inputs.meldingen) }
        case .anpr:
            guard register.inputs.anpr?.contains(purposeCode) == true else { throw refuse("input.anpr", "ANPR", register.inputs.anpr) }
        }
    }
}
