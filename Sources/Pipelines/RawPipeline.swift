import Foundation
import LantaarnModel
import Store

/// The YAML shape of a pipeline file, before validation.
struct RawPipeline: Decodable {
    var name: String
    var version: String
    var owner: String
    var purpose: String
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
        var window: String
    }

    struct Stage: Decodable {
        var aggregate: AggregateStage.Raw?
        var meldingen: MeldingenStage.Raw?
        var meldingen_forecast: MeldingenForecastStage.Raw?
        var meldingen_tiles: MeldingenTilesStage.Raw?
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
            throw fail("output.retention", "use a duration such as 10y or 90d")
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
        guard !stages.isEmpty else { throw fail("stages", "add at least one stage") }
        let calendar: WindowCalendar
        var aggregates: [AggregateStage] = []
        var meldingenStage: PipelineDefinition.MeldingenKind?
        if input.meldingen == true {
            guard input.window == "1w" else { throw fail("input.window", "meldingen pipelines run per week: use 1w (Monday 00:00 Dutch time)") }
            guard input.quantities == nil else { throw fail("input.quantities", "a meldingen pipeline reads no sensor quantities") }
            guard stages.count == 1 else { throw fail("stages", "a meldingen pipeline has exactly one stage") }
            if let raw = stages[0].meldingen {
                meldingenStage = .weekly(try MeldingenStage(raw, file: file, path: "stages[0].meldingen"))
            } else if let raw = stages[0].meldingen_forecast {
                meldingenStage = .forecast(try MeldingenForecastStage(raw, file: file, path: "stages[0].meldingen_forecast"))
            } else if let raw = stages[0].meldingen_tiles {
                meldingenStage = .tiles(try MeldingenTilesStage(raw, pipelineFile: file, path: "stages[0].meldingen_tiles"))
            } else {
                throw fail("stages[0]", "a meldingen pipeline has a 'meldingen', 'meldingen_forecast' or 'meldingen_tiles' stage")
            }
            calendar = .dutchWeek
        } else {
            guard let window = DurationText.milliseconds(input.window), window >= TimeBucket.minute,
                  (86_400_000 % window == 0) else {
                throw fail("input.window", "use a duration that divides a day, such as 15m, 1h or 1d")
            }
            guard let quantities = input.quantities, !quantities.isEmpty else { throw fail("input.quantities", "name at least one quantity") }
            aggregates = try stages.enumerated().map { i, stage -> AggregateStage in
                guard let raw = stage.aggregate else {
                    throw fail("stages[\(i)]", "unknown stage kind; known kinds: aggregate (readings), meldingen (with input meldingen: true)")
                }
                return try AggregateStage(raw, window: window, file: file, path: "stages[\(i)].aggregate")
            }
            guard aggregates.count == 1 else { throw fail("stages", "exactly one aggregate stage is supported for now") }
            calendar = .fixed(window)
        }
        return PipelineDefinition(
            name: name, version: version, owner: owner, purpose: purpose, legalBasis: legal_basis,
            maturityLevel: maturity_level, schedule: cron, quantities: input.quantities ?? [], window: calendar.length,
            calendar: calendar, stages: aggregates, meldingen: meldingenStage,
            output: .init(dataset: output.dataset, title: output.title, description: output.description,
                          license: output.license, retention: retention, theme: theme,
                          frequency: "http://publications.europa.eu/resource/authority/frequency/\(frequency)", spatial: output.spatial,
                          accessRights: "http://publications.europa.eu/resource/authority/access-right/\(access)",
                          classification: output.classification),
            file: file, versionHash: hash)
    }

    static func isSlug(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}
