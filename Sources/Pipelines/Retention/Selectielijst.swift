import Foundation
import LantaarnModel

/// The Selectielijst gemeenten en intergemeentelijke organen 2020 (VNG), as shipped in
/// `mappings/selectielijst-2020.json` next to the pipelines (written by `scripts/selectielijst`
/// from VNG's own fixture). A pipeline's retention may name one of its resultaten; the list then
/// says whether the rows are destroyed, and after how long, or kept permanently.
public struct Selectielijst: Sendable {
    /// The file next to the pipeline files.
    public static let file = "mappings/selectielijst-2020.json"

    /// What the list says becomes of the records of a resultaat.
    public enum Waardering: String, Sendable {
        case vernietigen
        case blijvendBewaren = "blijvend_bewaren"

        public var dutch: String { self == .vernietigen ? "vernietigen" : "blijvend bewaren" }
    }

    /// One resultaat: `20.1` (procestype 20, resultaat 1) or a specific one, `20.1.7`.
    public struct Resultaat: Sendable, Hashable {
        public var code: String
        public var procestype: String
        public var resultaat: String
        public var omschrijving: String
        /// `nil` for the two resultaten the list marks as lapsed (no waardering).
        public var waardering: Waardering?
        /// ISO 8601 (`P1Y`, `P1Y6M`, `P42D`); `nil` for records kept permanently.
        public var bewaartermijn: String?

        /// "20.1.7 (Informeren, Uitgevoerd: proactief beschikbaargestelde (open) datasets)".
        public var label: String {
            "\(code) (\(procestype), \(resultaat)\(omschrijving.isEmpty ? "" : ": \(omschrijving)"))"
        }

        /// The retention basis the destruction log and the policy pages name.
        public var basis: String {
            let outcome = switch (waardering, bewaartermijn.flatMap(ISODuration.init)) {
            case (.vernietigen, let term?): "vernietigen na \(term.dutch)"
            case (.blijvendBewaren, _): "blijvend bewaren"
            default: "geen waardering"
            }
            return "Selectielijst gemeenten en intergemeentelijke organen 2020, resultaat \(label): \(outcome)"
        }
    }

    public var resultaten: [String: Resultaat]

    /// The list next to `pipelineFile`; a missing or unreadable file is an error that says so.
    public static func load(nextTo pipelineFile: String) throws(SelectielijstError) -> Selectielijst {
        let path = ((pipelineFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent(file)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SelectielijstError("the Selectielijst is missing: \(path) cannot be read; copy Pipelines/\(file) next to this pipeline")
        }
        guard let root = try? JSONParser.parse([UInt8](data)), let items = root["resultaten"]?.arrayValue else {
            throw SelectielijstError("\(path) is not the Selectielijst (no \"resultaten\" list); write it again with scripts/selectielijst")
        }
        var resultaten: [String: Resultaat] = [:]
        for item in items {
            guard let code = item["code"]?.stringValue else { continue }
            resultaten[code] = Resultaat(
                code: code, procestype: item["procestype"]?.stringValue ?? "", resultaat: item["resultaat"]?.stringValue ?? "",
                omschrijving: item["omschrijving"]?.stringValue ?? "",
                waardering: item["waardering"]?.stringValue.flatMap(Waardering.init(rawValue:)),
                bewaartermijn: item["bewaartermijn"]?.stringValue)
        }
        return Selectielijst(resultaten: resultaten)
    }
}

public struct SelectielijstError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// An ISO 8601 duration of years, months and days, as the Selectielijst gives its terms.
/// A year is 365 days and a month a twelfth of one, as `DurationText` counts them.
public struct ISODuration: Sendable, Hashable {
    public var years = 0, months = 0, days = 0

    public init?(_ text: String) {
        var rest = Substring(text.trimmingSpaces())
        guard rest.first == "P", rest.count > 1 else { return nil }
        rest = rest.dropFirst()
        var seen = ""
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let n = Int(digits), n <= 1000 else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = rest.first, !seen.contains(unit) else { return nil }
            switch unit {
            case "Y": guard seen.isEmpty else { return nil }; years = n
            case "M": guard !seen.contains("D") else { return nil }; months = n
            case "D": days = n
            default: return nil
            }
            seen.append(unit)
            rest = rest.dropFirst()
        }
    }

    public var milliseconds: Int64 {
        Int64(years) * 365 * 86_400_000 + Int64(months) * (365 * 86_400_000 / 12) + Int64(days) * 86_400_000
    }

    /// `10y`, `42d`, or the ISO text when it has months: what the dataset's metadata shows.
    public var short: String {
        switch (years, months, days) {
        case (let y, 0, 0) where y > 0: "\(y)y"
        case (0, 0, let d): "\(d)d"
        default: "P" + (years > 0 ? "\(years)Y" : "") + (months > 0 ? "\(months)M" : "") + (days > 0 ? "\(days)D" : "")
        }
    }

    /// "1 jaar en 6 maanden", "42 dagen".
    public var dutch: String {
        var parts: [String] = []
        if years > 0 { parts.append("\(years) jaar") }
        if months > 0 { parts.append(months == 1 ? "1 maand" : "\(months) maanden") }
        if days > 0 || parts.isEmpty { parts.append(days == 1 ? "1 dag" : "\(days) dagen") }
        return parts.joined(separator: " en ")
    }
}
