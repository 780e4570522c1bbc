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
    var stages: [Stage]
    var output: Output

    struct Input: Decodable {
        var quantities: [String]?
        /// Reads meldingen openbare ruimte instead of sensor readings.
        var meldingen: Bool?
        /// Reads pseudonymised ANPR sightings.
        var anpr: Bool?
        var window: String
    }

    struct Stage: Decodable {
        var filter: FilterStage.Raw?
        var pseudonymise: PseudonymiseStage.Raw?
        var generalise: GeneraliseStage.Raw?
        var scrub: ScrubStage.Raw?
        var suppress: SuppressStage.Raw?
        var travel_time: TravelTimeStage.Raw?
        var aggregate: AggregateStage.Raw?
        var meldingen: MeldingenStage.Raw?
        var meldingen_forecast: MeldingenForecastStage.Raw?
        var meldingen_tiles: MeldingenTilesStage.Raw?
        var meldingen_text: MeldingenTextStage.Raw?
    }

    struct Output: Decodable {
        var dataset: String
        var title: String
        var description: String
        var license: String
        var retention: String
        /// Legal basis or Selectielijst category of the retention; defaults to the pipeline's legal basis.
        var retention_basis: String?
        /// OWMS theme from the data.overheid.nl taxonomy (`Lucht` or its URI).
        var theme: String
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

    /// The theme URI for `theme` (a term name or URI) from `mappings/donl-themes.json` next to the pipeline.
    static func themeURI(_ theme: String, pipelineFile: String) -> String? {
        let path = ((pipelineFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("mappings/donl-themes.json")
        guard let data = FileManager.default.contents(atPath: path), let root = try? JSONParser.parse([UInt8](data)),
              let members = root.objectMembers else { return nil }
        var uris = Set(members.map(\.0))
        for (_, v) in members { for item in v.arrayValue ?? [] { if let s = item.stringValue, !s.contains("|") { uris.insert(s) } } }
        let uri = theme.hasPrefix("http") ? theme : "http://standaarden.overheid.nl/owms/terms/\(theme)"
        return uris.contains(uri) ? uri : nil
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
        guard let retention = RetentionPolicy(keep: output.retention, basis: output.retention_basis ?? legal_basis) else {
            throw fail("output.retention", "use a duration such as 10y or 90d, at most 1000y")
        }
        guard let theme = Self.themeURI(output.theme, pipelineFile: file) else {
            throw fail("output.theme", "'\(output.theme)' is not a theme of the data.overheid.nl taxonomy (mappings/donl-themes.json); for example Lucht, Geluid_(thema), Afval_(thema), Verkeer_(thema)")
        }
        guard let frequency = Self.frequencies[output.frequency] else {
            throw fail("output.frequency", "use one of \(Self.frequencies.keys.sorted().joined(separator: ", "))")
        }
        guard output.spatial.utf8.count == 6, output.spatial.hasPrefix("GM"), Int(output.spatial.dropFirst(2)) != nil else {
            throw fail("output.spatial", "give the CBS gemeente code, such as GM0392")
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
        // The suppress stage's k goes to the stages that apply it while they compute.
        if let suppress = parsed.lazy.compactMap({ if case .suppress(let s) = $0 { s } else { nil } }).first {
            if suppress.roundToFive, kind.isPersonal,
               let at = parsed.firstIndex(where: { if case .suppress = $0 { true } else { false } }) {
                throw fail("stages[\(at)].suppress.round_to", "counts of people and their reports are protected with exact relations between them (totals, weeks, datasets), which rounding would break; leave round_to out")
            }
            parsed = parsed.map { stage in
                switch stage {
                case .meldingen(var m): m.suppress = suppress; return .meldingen(m)
                case .meldingenTiles(var m): m.suppress = suppress; return .meldingenTiles(m)
                case .travelTime(var t): t.k = suppress.k; return .travelTime(t)
                default: return stage
                }
            }
        }
        try PurposeRegister.check(purposeCode: purpose_code, input: kind, pipelineFile: file)
        return PipelineDefinition(
            name: name, version: version, owner: owner, purpose: purpose, legalBasis: legal_basis,
            maturityLevel: maturity_level, schedule: cron, input: kind, window: calendar.length,
            calendar: calendar, stages: parsed, purposeCode: purpose_code,
            output: .init(dataset: output.dataset, title: output.title, description: output.description,
                          license: output.license, retention: retention, theme: theme,
                          frequency: "http://publications.europa.eu/resource/authority/frequency/\(frequency)", spatial: output.spatial,
                          accessRights: "http://publications.europa.eu/resource/authority/access-right/\(access)",
                          accessReason: reason.isEmpty ? nil : reason, classification: output.classification),
            file: file, versionHash: hash)
    }

    /// The stages in file order; a stage item names exactly one kind.
    private func parseStages(_ input: PipelineDefinition.Input, window: Int64, file: String) throws -> [PipelineStage] {
        var out: [PipelineStage] = []
        var generalise: GeneraliseStage?
        for (i, stage) in stages.enumerated() {
            let path = "stages[\(i)]"
            let kinds: [(String, Bool)] = [
                ("filter", stage.filter != nil), ("pseudonymise", stage.pseudonymise != nil), ("generalise", stage.generalise != nil),
                ("scrub", stage.scrub != nil), ("aggregate", stage.aggregate != nil), ("suppress", stage.suppress != nil),
                ("travel_time", stage.travel_time != nil), ("meldingen", stage.meldingen != nil),
                ("meldingen_forecast", stage.meldingen_forecast != nil), ("meldingen_tiles", stage.meldingen_tiles != nil),
                ("meldingen_text", stage.meldingen_text != nil),
            ]
            let named = kinds.filter(\.1).map(\.0)
            guard named.count == 1 else {
                throw PipelineError(file: file, path: path, reason: named.isEmpty
                    ? "name the stage kind: \(kinds.map(\.0).joined(separator: ", "))"
                    : "one kind per stage, found \(named.joined(separator: " and ")); write each as its own '- kind:' item")
            }
            if let raw = stage.filter { out.append(.filter(try FilterStage(raw, input: input, file: file, path: "\(path).filter"))) }
            if let raw = stage.pseudonymise { out.append(.pseudonymise(try PseudonymiseStage(raw, input: input, file: file, path: "\(path).pseudonymise"))) }
            if let raw = stage.generalise {
                guard case .readings = input else {
                    throw PipelineError(file: file, path: "\(path).generalise", reason: "\(input.name) pipelines generalise in their own stage (by wijk and week, or per hour of departure); generalise is for readings")
                }
                let g = try GeneraliseStage(raw, window: window, file: file, path: "\(path).generalise")
                generalise = g
                out.append(.generalise(g))
            }
            if let raw = stage.scrub { out.append(.scrub(try ScrubStage(raw, input: input, file: file, path: "\(path).scrub"))) }
            if let raw = stage.aggregate {
                guard case .readings = input else {
                    throw PipelineError(file: file, path: "\(path).aggregate", reason: "aggregate works on readings; \(input.name) pipelines use their own stage (meldingen, travel_time)")
                }
                guard let generalise else {
                    throw PipelineError(file: file, path: "\(path).aggregate", reason: "say first how coarse place and time become: add '- generalise: {space: wijk, time: 1h}' before aggregate")
                }
                out.append(.aggregate(try AggregateStage(raw, generalise: generalise, file: file, path: "\(path).aggregate")))
            }
            if let raw = stage.suppress { out.append(.suppress(try SuppressStage(raw, file: file, path: "\(path).suppress"))) }
            if let raw = stage.travel_time {
                guard case .anpr = input else {
                    throw PipelineError(file: file, path: "\(path).travel_time", reason: "travel_time needs ANPR input (input: {anpr: true})")
                }
                out.append(.travelTime(try TravelTimeStage(raw, file: file, path: "\(path).travel_time")))
            }
            if stage.meldingen != nil || stage.meldingen_forecast != nil || stage.meldingen_tiles != nil || stage.meldingen_text != nil {
                guard case .meldingen = input else {
                    throw PipelineError(file: file, path: path, reason: "this stage reads meldingen: use input {meldingen: true, window: 1w}")
                }
            }
            if let raw = stage.meldingen { out.append(.meldingen(try MeldingenStage(raw, file: file, path: "\(path).meldingen"))) }
            if let raw = stage.meldingen_forecast {
                out.append(.meldingenForecast(try MeldingenForecastStage(raw, file: file, path: "\(path).meldingen_forecast")))
            }
            if let raw = stage.meldingen_tiles {
                out.append(.meldingenTiles(try MeldingenTilesStage(raw, pipelineFile: file, path: "\(path).meldingen_tiles")))
            }
            if stage.meldingen_text != nil {
                // The text it shows is the text the scrub stage before it leaves (StageOrder
                // refuses the stage without one).
                let scrub = out.lazy.compactMap { if case .scrub(let s) = $0 { s } else { nil } }.first
                out.append(.meldingenText(MeldingenTextStage(scrub: scrub ?? ScrubStage())))
            }
        }
        return out
    }

    static func isSlug(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}
