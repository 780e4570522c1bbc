import Foundation
import LantaarnModel
@testable import Pipelines
import Store
import Testing

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path

func scratchDirectory(_ name: String) throws -> String {
    let path = NSTemporaryDirectory() + "lantaarn-\(name)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

struct PipelineDefinitionTests {
    @Test func repositoryPipelinesAreValid() throws {
        let catalog = try PipelineCatalog(directory: repoRoot + "/Pipelines")
        let air = try #require(catalog.pipeline(named: "luchtkwaliteit-per-wijk-uur"))
        #expect(air.quantities == ["pm25", "pm10"])
        #expect(air.aggregate?.functions == [.count, .mean, .min, .max])
        #expect(air.window == TimeBucket.hour)
        let noise = try #require(catalog.pipeline(named: "geluid-per-wijk-uur"))
        #expect(noise.aggregate?.functions.contains(.energeticMean) == true)
        #expect(noise.versionHash.count == 64)
    }

    static let valid = """
    name: p
    version: "1"
    owner: team
    purpose: iets nuttigs
    purpose_code: luchtkwaliteit
    legal_basis: taak van algemeen belang
    maturity_level: 1
    schedule: "5 * * * *"
    input: {quantities: [pm25], window: 1h}
    stages:
      - generalise: {space: wijk, time: 1h}
      - aggregate: {functions: [mean]}
    output: {dataset: p-out, title: T, description: D, license: CC0-1.0, retention: {selectielijst: "20.1.7"}, theme: Lucht, frequency: hourly,
             spatial: GM0392, access_rights: public, classification: openbaar}
    register: {publication_category: C, considerations: afgewogen, impact_assessments: geen DPIA nodig}
    """

    @Test(arguments: [
        ("maturity_level: 1", "maturity_level: 4", "maturity_level", "automated decisions"),
        ("purpose: iets nuttigs", "purpose: \"  \"", "purpose", "doelbinding"),
        ("schedule: \"5 * * * *\"", "schedule: \"5 * *\"", "schedule", "5"),
        ("window: 1h", "window: 7m", "input.window", "divides a day"),
        ("functions: [mean]", "functions: [median]", "stages[1].aggregate.functions[0]", "unknown function"),
        ("dataset: p-out", "dataset: P Out", "output.dataset", "lowercase"),
        ("owner: team\n", "", "owner", "missing required field"),
        // Retention from the Selectielijst 2020: a term that contradicts the resultaat, destroying
        // what is to be kept, an unknown resultaat, and a free duration without its grounds.
        ("{selectielijst: \"20.1.7\"}", "{selectielijst: \"20.1.7\", keep: 10y}", "output.retention.keep", "resultaat 20.1.7 (Informeren, Uitgevoerd: proactief beschikbaargestelde (open) datasets) says: destroy after 1 jaar"),
        ("{selectielijst: \"20.1.7\"}", "{selectielijst: \"20.1.6\", keep: 5y}", "output.retention.keep", "blijvend bewaren"),
        ("{selectielijst: \"20.1.7\"}", "{selectielijst: \"20.9\"}", "output.retention.selectielijst", "'20.9' is not a resultaat"),
        ("{selectielijst: \"20.1.7\"}", "{selectielijst: \"7.1.20\"}", "output.retention.selectielijst", "no usable term"),
        ("{selectielijst: \"20.1.7\"}", "10y", "output.retention_basis", "on what grounds"),
        ("{selectielijst: \"20.1.7\"}", "soon", "output.retention", "name a Selectielijst resultaat"),
        // The national algorithm register: what cannot be derived is asked for.
        ("register: {publication_category: C, considerations: afgewogen, impact_assessments: geen DPIA nodig}", "", "register", "publication_category"),
        ("publication_category: C", "publication_category: D", "register.publication_category", "A (hoog-risico AI-systeem)"),
        ("impact_assessments: geen DPIA nodig", "impact_assessments: \" \"", "register.impact_assessments", "DPIA"),
    ])
    func invalidDefinitionsExplainWhereAndWhat(_ find: String, _ replace: String, _ path: String, _ fragment: String) throws {
        let dir = try scratchDirectory("pipeline")
        try FileManager.default.createDirectory(atPath: dir + "/mappings", withIntermediateDirectories: true)
        for name in ["donl-themes.json", "doelen.yaml", "selectielijst-2020.json"] {
            try FileManager.default.copyItem(atPath: repoRoot + "/Pipelines/mappings/" + name, toPath: dir + "/mappings/" + name)
        }
        let file = dir + "/p.yaml"
        try Self.valid.replacingOccurrences(of: find, with: replace).write(toFile: file, atomically: true, encoding: .utf8)
        do {
            _ = try PipelineDefinition.load(path: file)
            Issue.record("accepted an invalid pipeline (\(replace))")
        } catch let error as PipelineError {
            #expect(error.file == file)
            #expect(error.path == path, "\(error)")
            #expect(error.reason.contains(fragment), "\(error)")
        }
    }
}

struct CronScheduleTests {
    @Test func firesOnMatchingMinutes() throws {
        let hourly = try CronSchedule("5 * * * *")
        let t = ISO8601.parse("2026-11-22T10:05:00Z")!
        #expect(hourly.fires(at: t))
        #expect(!hourly.fires(at: t + 60_000))
        #expect(hourly.next(after: t) == ISO8601.parse("2026-11-22T11:05:00Z"))
        let every5 = try CronSchedule("*/5 * * * *")
        #expect(every5.next(after: ISO8601.parse("2026-11-22T10:06:30Z")!) == ISO8601.parse("2026-11-22T10:10:00Z"))
        // 2026-11-22 is a Sunday (0); Monday 09:00 comes next.
        let mondays = try CronSchedule("0 9 * * 1")
        #expect(mondays.next(after: t) == ISO8601.parse("2026-11-23T09:00:00Z"))
        #expect(throws: CronError.self) { try CronSchedule("60 * * * *") }
        #expect(throws: CronError.self) { try CronSchedule("* * *") }
    }

    /// Fuzzing (pipeline-yaml) crashed on `/ * * * *`: a field with no value before the '/'.
    /// Empty values, steps and list items are errors that say what is missing.
    @Test(arguments: ["/ * * * *", "/5 * * * *", "5/ * * * *", ", * * * *", "1,,2 * * * *", "* */0 * * *", "* * 1-/2 * *"])
    func missingPartsAreErrors(_ text: String) {
        #expect(throws: CronError.self) { try CronSchedule(text) }
    }

    @Test func errorsSayWhatIsMissing() throws {
        #expect { try CronSchedule("/ * * * *") } throws: { "\($0)".contains("minute field '/': a value is missing") }
        #expect { try CronSchedule("5/ * * * *") } throws: { "\($0)".contains("the step after '/' must be a whole number above 0") }
        // Steps on a number run to the end of the range, as in Vixie cron.
        #expect(try CronSchedule("50/5 * * * *").next(after: ISO8601.parse("2026-11-22T10:51:00Z")!) == ISO8601.parse("2026-11-22T10:55:00Z"))
    }
}

struct AggregateStageTests {
    func row(_ wijk: String?, _ bucket: Int64, count: Int, sum: Double, min: Double, max: Double, energy: Double? = nil) -> AggregateRow {
        AggregateRow(bucketStart: bucket, group: wijk, quantity: "pm25", count: count, sum: sum, min: min, max: max,
                     energeticMean: energy, quantiles: [])
    }

    @Test func mapsStoreAggregatesToPublishedColumns() {
        let stage = AggregateStage(bucket: TimeBucket.hour, functions: [.count, .mean, .min, .max, .sum])
        let rows = stage.rows([row("WK039201", 0, count: 3, sum: 60, min: 10, max: 30), row(nil, 0, count: 1, sum: 1000, min: 1000, max: 1000),
                               row("WK039202", TimeBucket.hour, count: 1, sum: 7, min: 7, max: 7)]) { $0 == "WK039201" ? "Oude Stad" : "X" }
        #expect(rows.count == 2, "rows without a wijk are not published")
        #expect(rows[0] == [.text("WK039201"), .text("Oude Stad"), .text("1970-01-01T00:00:00Z"), .text("1970-01-01T01:00:00Z"),
                            .text("pm25"), .integer(3), .number(20), .number(10), .number(30), .number(60)])
        #expect(rows[1][2] == .text("1970-01-01T01:00:00Z"))
        #expect(stage.columns(suppressed: false).map(\.name) == ["wijk_code", "wijk_naam", "periode_start", "periode_eind", "grootheid",
                                              "aantal", "gemiddelde", "minimum", "maximum", "som"])
    }

    @Test func energeticMeanIsRequestedFromTheStore() {
        let stage = AggregateStage(bucket: TimeBucket.hour, functions: [.energeticMean])
        #expect(stage.query(quantities: ["laeq"], window: TimeWindow(start: 0, end: 1)).energeticMean)
        #expect(stage.rows([row("WK039201", 0, count: 2, sum: 120, min: 50, max: 70, energy: 67.03)]) { $0 }[0][5] == .number(67.03))
        #expect(!AggregateStage(bucket: TimeBucket.hour, functions: [.mean]).query(quantities: ["pm25"], window: TimeWindow(start: 0, end: 1)).energeticMean)
    }
}
