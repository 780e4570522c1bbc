import Foundation
import LantaarnModel
import Store

/// The YAML shape of a pipeline file, before validation.
struct RawPipeline: Decodable {
    var name: String
    var version: String
    var owner: String
    var purpose: String
    var purpose_code: String
    var legal_basis: String
    var maturity_level: Int
    var schedule: String
    var input: Input
    var stages: [StageItem]
    var output: Output
    var register: RawRegister?

    struct Input: Decodable {
        var quantities: [String]?
        /// Reads meldingen openbare ruimte instead of sensor readings.
        var meldingen: Bool?
        /// Reads pseudonymised ANPR sightings.
        var anpr: Bool?
        var window: String
    }

    struct Output: Decodable {
        var dataset: String
        var title: String
        var description: String
        var license: String
        /// A duration (with `retention_basis`) or a Selectielijst 2020 resultaat.
        var retention: RawRetention
        /// The grounds for a duration (required with one); with a resultaat, an optional addition.
        var retention_basis: String?
        /// OWMS theme from the data.overheid.nl taxonomy (`Lucht` or its URI).
        var theme: String
        /// Dutch keywords for the catalogue.
        var keywords: [String]?
        /// hourly, daily, weekly, monthly or yearly.
        var frequency: String
        /// Gemeente code, e.g. GM0392.
        var spatial: String
        /// public, restricted or non_public.
        var access_rights: String
        /// Why a dataset is not public (Woo: "open, tenzij"), shown in the catalogue.
        var access_reason: String?
        /// openbaar, intern or vertrouwelijk.
        var classification: String
    }

    static let frequencies = ["hourly": "HOURLY", "daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "ANNUAL"]
    static let accessRights = ["public": "PUBLIC", "restricted": "RESTRICTED", "non_public": "NON_PUBLIC"]
    static let classifications = ["openbaar", "intern", "vertrouwelijk"]

    /// The theme URI for `theme` (a term name or URI) from `mappings/donl-themes.json` next to
    /// the pipeline, with its top-level theme there.
    static func themeURI(_ theme: String, pipelineFile: String) -> (uri: String, topLevel: String)? {
        let path = ((pipelineFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("mappings/donl-themes.json")
        guard let data = FileManager.default.contents(atPath: path), let root = try? JSONParser.parse([UInt8](data)),
              let members = root.objectMembers else { return nil }
        // Each subtheme maps to [top level, "top level|subtheme"]; a top level is its own.
        var topLevel: [String: String] = [:]
        for (sub, v) in members {
            guard let top = v.arrayValue?.first?.stringValue, !top.contains("|") else { continue }
            topLevel[sub] = top
            topLevel[top] = top
        }
        let uri = theme.hasPrefix("http") ? theme : "http://standaarden.overheid.nl/owms/terms/\(theme)"
        return topLevel[uri].map { (uri, $0) }
    }

    func validated(file: String, hash: String) throws -> PipelineDefinition {
        func fail(_ path: String, _ reason: String) -> PipelineError { PipelineError(file: file, path: path, reason: reason) }
        guard !purpose.trimmingSpaces().isEmpty else { throw fail("purpose", "state the purpose (doelbinding) of this pipeline") }
        guard !legal_basis.trimmingSpaces().isEmpty else { throw fail("legal_basis", "state the legal basis") }
        guard (0...3).contains(maturity_level) else {
            throw fail("maturity_level", maturity_level == 4
                ? "level 4 (automated decisions) is not allowed; decisions need human oversight"
                : "use a level from 0 to 3")
        }
        guard Self.isSlug(output.dataset) else {
            throw fail("output.dataset", "use lowercase letters, digits and '-' only (it becomes part of the URL)")
        }
        let cron: CronSchedule
        do { cron = try CronSchedule(schedule) } catch { throw fail("schedule", "\(error)") }
        let retention = try output.retention.resolved(basis: output.retention_basis, pipelineFile: file, fail: fail)
        guard let (theme, topLevel) = Self.themeURI(output.theme, pipelineFile: file) else {
            throw fail("output.theme", "'\(output.theme)' is not a theme of the data.overheid.nl taxonomy (mappings/donl-themes.json); for example Lucht, Geluid_(thema), Afval_(thema), Verkeer_(thema)")
        }
        let keywords = (output.keywords ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let empty = keywords.firstIndex(where: \.isEmpty) { throw fail("output.keywords[\(empty)]", "a keyword cannot be empty; remove it or write the word") }
        guard let frequency = Self.frequencies[output.frequency] else {
            throw fail("output.frequency", "use one of \(Self.frequencies.keys.sorted().joined(separator: ", "))")
        }
        let spatial = CBSCode.normalised(output.spatial)
        guard CBSCode.matches(spatial, CBSCode.gemeente) else {
            throw fail("output.spatial", "give the CBS gemeente code (\(CBSCode.gemeente.shape))")
        }
        guard let access = Self.accessRights[output.access_rights] else {
            throw fail("output.access_rights", "use public, restricted or non_public")
        }
        guard Self.classifications.contains(output.classification) else {
            throw fail("output.classification", "use openbaar, intern or vertrouwelijk")
        }
        if access == "PUBLIC", output.classification != "openbaar" {
            throw fail("output.classification", "a public dataset must be classified openbaar; use access_rights: restricted for an internal one")
        }
        let reason = output.access_reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if access == "PUBLIC", !reason.isEmpty {
            throw fail("output.access_reason", "a public dataset needs no reason; remove access_reason, or make the dataset restricted")
        }
        if access != "PUBLIC", reason.isEmpty {
            throw fail("output.access_rights", "government data is open unless there is a reason (Woo: open, tenzij): say in access_reason why this dataset is not public")
        }
        guard !stages.isEmpty else { throw fail("stages", "add at least one stage") }
        func window() throws -> Int64 {
            guard let window = DurationText.milliseconds(input.window), window >= TimeBucket.minute, 86_400_000 % window == 0 else {
                throw fail("input.window", "use a duration that divides a day, such as 15m, 1h or 1d (a Dutch day, midnight to midnight)")
            }
            return window
        }
        let kind: PipelineDefinition.Input
        let calendar: WindowCalendar
        switch (input.quantities, input.meldingen == true, input.anpr == true) {
        case (nil, true, false):
            guard input.window == "1w" else { throw fail("input.window", "meldingen pipelines run per week: use 1w (Monday 00:00 Dutch time)") }
            (kind, calendar) = (.meldingen, .dutchWeek)
        case (let quantities?, false, false):
            guard !quantities.isEmpty else { throw fail("input.quantities", "name at least one quantity") }
            kind = .readings(quantities)
            calendar = .of(length: try window())
        case (nil, false, true):
            (kind, calendar) = (.anpr, .of(length: try window()))
        case (nil, false, false):
            throw fail("input", "say what the pipeline reads: quantities: [pm25, ...], meldingen: true or anpr: true")
        default:
            throw fail("input", "a pipeline reads one input: quantities, meldingen: true or anpr: true")
        }
        var parsed = try parseStages(kind, window: calendar.length, file: file)
        try StageOrder.check(parsed, input: kind, isPublic: access == "PUBLIC", file: file)
        // The suppress stage goes to the aggregating stage, which applies or declares it.
        if let at = parsed.firstIndex(where: { $0 is SuppressStage }), let suppress = parsed[at] as? SuppressStage {
            if suppress.roundToFive, kind.isPersonal {
                throw fail("stages[\(at)].suppress.round_to", "counts of people and their reports are protected with exact relations between them (totals, weeks, datasets), which rounding would break; leave round_to out")
            }
            parsed = parsed.map { ($0 as? any AggregatingStage)?.protected(by: suppress) ?? $0 }
        }
        try PurposeRegister.check(purposeCode: purpose_code, input: kind, pipelineFile: file)
        let registerFields = try RawRegister.validated(register, fail: fail)
        return PipelineDefinition(
            name: name, version: version, owner: owner, purpose: purpose, legalBasis: legal_basis,
            maturityLevel: maturity_level, schedule: cron, input: kind, window: calendar.length,
            calendar: calendar, stages: parsed, purposeCode: purpose_code,
            output: .init(dataset: output.dataset, title: output.title, description: output.description,
                          license: output.license, retention: retention, theme: theme,
                          euTheme: ThemeVocabulary.euTheme(owms: theme, topLevel: topLevel), keywords: keywords,
                          frequency: "http://publications.europa.eu/resource/authority/frequency/\(frequency)", spatial: spatial,
                          accessRights: "http://publications.europa.eu/resource/authority/access-right/\(access)",
                          accessReason: reason.isEmpty ? nil : reason, classification: output.classification),
            register: registerFields, file: file, versionHash: hash)
    }

    /// The stages in file order, each checked by its kind (``StageRegistry``); a stage item
    /// names exactly one kind, and one the input has.
    private func parseStages(_ input: PipelineDefinition.Input, window: Int64, file: String) throws -> [any Stage] {
        var out: [any Stage] = []
        for (i, item) in stages.enumerated() {
            let path = "stages[\(i)]"
            guard item.named.count == 1, let make = item.make else {
                throw PipelineError(file: file, path: path, reason: item.named.isEmpty
                    ? "name the stage kind: \(StageRegistry.names.joined(separator: ", "))"
                    : "one kind per stage, found \(item.named.joined(separator: " and ")); write each as its own '- kind:' item")
            }
            out.append(try make(StageParseContext(input: input, window: window, file: file, path: "\(path).\(item.named[0])", earlier: out)))
        }
        return out
    }

    static func isSlug(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}
