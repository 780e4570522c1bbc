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
                          license: output.license, retention: retention),
            file: file, versionHash: hash)
    }

    static func isSlug(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}
