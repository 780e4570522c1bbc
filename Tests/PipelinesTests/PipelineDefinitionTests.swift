import Foundation
import LantaarnModel
@testable import Pipelines
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
        #expect(air.stages[0].functions == [.count, .mean, .min, .max])
        #expect(air.window == TimeBucket.hour)
        let noise = try #require(catalog.pipeline(named: "geluid-per-wijk-uur"))
        #expect(noise.stages[0].functions.contains(.energeticMean))
        #expect(noise.versionHash.count == 64)
    }

    static let valid = """
    name: p
    version: "1"
    owner: team
    purpose: iets nuttigs
    legal_basis: taak van algemeen belang
    maturity_level: 1
    schedule: "5 * * * *"
    input: {quantities: [pm25], window: 1h}
    stages:
      - aggregate: {group_by: [wijk], bucket: 1h, functions: [mean]}
    output: {dataset: p-out, title: T, description: D, license: CC0-1.0, retention: 1y}
    """

    @Test(arguments: [
        ("maturity_level: 1", "maturity_level: 4", "maturity_level", "automated decisions"),
        ("purpose: iets nuttigs", "purpose: \"  \"", "purpose", "doelbinding"),
        ("schedule: \"5 * * * *\"", "schedule: \"5 * *\"", "schedule", "5"),
        ("window: 1h", "window: 7m", "input.window", "divides a day"),
        ("functions: [mean]", "functions: [median]", "stages[0].aggregate.functions[0]", "unknown function"),
        ("dataset: p-out", "dataset: P Out", "output.dataset", "lowercase"),
        ("owner: team\n", "", "owner", "missing required field"),
    ])
    func invalidDefinitionsExplainWhereAndWhat(_ find: String, _ replace: String, _ path: String, _ fragment: String) throws {
        let dir = try scratchDirectory("pipeline")
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
}

struct AggregateStageTests {
    func reading(_ wijk: String?, _ q: String, _ ts: Int64, _ v: Double) -> Reading {
        Reading(series: SeriesKey(sensorID: "s", quantity: q), timestamp: ts, value: v, wijk: wijk.flatMap(WijkCode.init))
    }

    @Test func meanMinMaxCountPerWijkAndHour() {
        var agg = AggregateStage(bucket: TimeBucket.hour, functions: [.count, .mean, .min, .max, .sum]).begin()
        for (i, v) in [10.0, 20, 30].enumerated() { agg.add(reading("WK039201", "pm25", Int64(i) * 1000, v)) }
        agg.add(reading("WK039202", "pm25", TimeBucket.hour + 5, 7))
        agg.add(reading(nil, "pm25", 0, 1000))
        let rows = agg.rows { $0.rawValue == "WK039201" ? "Oude Stad" : "X" }
        #expect(agg.withoutWijk == 1 && agg.rowsIn == 5)
        #expect(rows.count == 2)
        #expect(rows[0] == [.text("WK039201"), .text("Oude Stad"), .text("1970-01-01T00:00:00Z"), .text("1970-01-01T01:00:00Z"),
                            .text("pm25"), .integer(3), .number(20), .number(10), .number(30), .number(60)])
        #expect(rows[1][2] == .text("1970-01-01T01:00:00Z"))
    }

    @Test func energeticMeanIsNotTheArithmeticMean() {
        var agg = AggregateStage(bucket: TimeBucket.hour, functions: [.energeticMean]).begin()
        agg.add(reading("WK039201", "laeq", 0, 50))
        agg.add(reading("WK039201", "laeq", 1, 70))
        guard case .number(let level) = agg.rows { _ in "" }[0][5] else { Issue.record("no level"); return }
        // 10·log10((10^5 + 10^7) / 2) = 67.0329...; the arithmetic mean would be 60.
        #expect(abs(level - 67.03291378118662) < 1e-9)
    }
}
