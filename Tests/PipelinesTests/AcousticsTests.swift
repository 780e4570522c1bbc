import Foundation
import LantaarnModel
import Geo
@testable import Pipelines
import Store
import Testing

/// Energetic mean and Lden against values worked out by hand (to 0.01 dB).
struct AcousticsTests {
    @Test func energeticMean() {
        // 10·log10((10^6 + 10^7) / 2) = 10·log10(5.5e6) = 67.404 dB, not the arithmetic 65.
        #expect(abs(Acoustics.energeticMean([60, 70])! - 67.40) < 0.01)
        #expect(abs(Acoustics.energeticMean([50, 50, 50, 50])! - 50) < 1e-9)
        #expect(abs(Acoustics.energeticMean([40, 50, 60])! - 55.68) < 0.01)   // 10·log10((1e4+1e5+1e6)/3)
        #expect(Acoustics.energeticMean([Double]()) == nil)
    }

    /// One reading a minute over a Dutch day, in summer time (the night crosses midnight).
    @Test func ldenOfADay() {
        let dayStart = ISO8601.parse("2024-07-01T00:00:00+02:00")!
        func day(_ level: (Int) -> Double) -> [(timestamp: Int64, level: Double)] {
            (0..<(31 * 60)).map { m in (dayStart + Int64(m) * 60_000, level(m / 60)) }   // 00:00 to 07:00 next day
        }
        // A constant 60 dB: Lden = 60 + 10·log10((12 + 4·10^0.5 + 8·10) / 24) = 66.40 dB.
        let constant = Acoustics.lden(day { _ in 60 }, dayStart: dayStart)!
        #expect(abs(constant.lden - 66.40) < 0.01 && constant.day == 60 && constant.evening == 60 && constant.night == 60)
        // Day 65, evening 60 (+5), night 50 (+10): 10·log10((12·10^6.5 + 4·10^6.5 + 8·10^6) / 24) = 63.88 dB.
        let varied = Acoustics.lden(day { h in (7..<19).contains(h) ? 65 : (19..<23).contains(h) ? 60 : 50 }, dayStart: dayStart)!
        #expect(abs(varied.day - 65) < 1e-9 && abs(varied.evening - 60) < 1e-9 && abs(varied.night - 50) < 1e-9)
        #expect(abs(varied.lden - 63.88) < 0.01, "\(varied.lden)")
        // Without night readings there is no Lden.
        #expect(Acoustics.lden(day { _ in 60 }.filter { $0.timestamp < dayStart + 23 * 3_600_000 }, dayStart: dayStart) == nil)
    }
}

/// The Lden pipeline publishes the hand-computed value for each Dutch day (local midnight to
/// midnight), also on the 25-hour day when summer time ends.
struct LdenPipelineTests {
    @Test(arguments: [("2026-11-20", 24), ("2026-10-25", 25), ("2026-03-29", 23)])
    func ldenPerWijkPerDutchDay(date: String, hours: Int) throws {
        let pipeline = try PipelineDefinition.load(path: repoRoot + "/Pipelines/geluid-lden-per-wijk-dag.yaml")
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("lden"))
        let start = DutchTime.dayStart(try #require(ISO8601.parse(date + "T12:00:00Z")))
        // One reading a minute from two hours before the local day to two hours after it; the
        // level follows the Dutch local hour (day 65, evening 60, night 50 dB).
        let readings = (-120..<(hours * 60 + 120)).map { m -> Reading in
            let ts = start + Int64(m) * 60_000
            let localHour = Int(((ts + DutchTime.offset(utcMilliseconds: ts)) % 86_400_000) / 3_600_000)
            let level: Double = (7..<19).contains(localHour) ? 65 : (19..<23).contains(localHour) ? 60 : 50
            return Reading(series: SeriesKey(sensorID: "n", quantity: "laeq"), timestamp: ts, value: level, wijk: WijkCode("WK039201"))
        }
        try store.readings.append(IngestBatch(readings: readings, quarantined: [], source: "t", offset: 1))
        let runner = PipelineRunner(stores: store.pipelineStores, boundaries: try DefaultBoundaries.haarlemWijken(), logger: .init(label: "t"))
        let results = try runner.run(pipeline, over: TimeWindow(start: start + 3_600_000, end: start + 2 * 3_600_000))
        #expect(results.map(\.window) == [TimeWindow(start: start, end: start + Int64(hours) * 3_600_000)])
        let row = try #require(try store.releases.rows(dataset: "geluid-lden-per-wijk-dag", after: nil, limit: 10).rows.first)
        let columns = PipelineRunner.metadata(for: pipeline).columns.map(\.name)
        func cell(_ name: String) throws -> CellValue { row[try #require(columns.firstIndex(of: name))] }
        #expect(try cell("aantal") == .integer(Int64(hours * 60)), "exactly the readings of the local day")
        #expect(try cell("periode_start") == .text(ISO8601.format(milliseconds: start)))
        #expect(try cell("periode_eind") == .text(ISO8601.format(milliseconds: start + Int64(hours) * 3_600_000)))
        // 10·log10((12·10^6.5 + 4·10^((60+5)/10) + 8·10^((50+10)/10)) / 24) = 63.88 dB.
        guard case .number(let value) = try cell("lden") else { Issue.record("no lden: \(row)"); return }
        #expect(abs(value - 63.88) < 0.01, "\(value)")
    }
}
