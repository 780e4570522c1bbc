import Foundation
import LantaarnModel
import Testing

struct ISO8601Tests {
    @Test func parsesUTCAndOffsets() {
        #expect(ISO8601.parse("2026-11-22T10:00:00Z") == 1_795_341_600_000)
        #expect(ISO8601.parse("2026-11-22T11:00:00+01:00") == 1_795_341_600_000)
        #expect(ISO8601.parse("2026-11-22T09:30:00-0030") == 1_795_341_600_000)
        #expect(ISO8601.parse("2026-11-22T10:00:00.250Z") == 1_795_341_600_250)
        #expect(ISO8601.parse("2026-11-22 10:00:00Z") == 1_795_341_600_000)
        #expect(ISO8601.parse("2026-11-22") == 1_795_305_600_000)
        #expect(ISO8601.parse("2024-02-29T00:00:00Z") != nil)
    }

    @Test(arguments: ["", "gisteren", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-22T24:00:00Z",
                      "2026-11-22T10:00:00ZZ", "2026-11-22T10:00:00.Z", "2026-11-22T10", "26-11-22"])
    func rejectsInvalid(_ text: String) {
        #expect(ISO8601.parse(text) == nil)
    }

    @Test func formatRoundTrips() {
        for ms: Int64 in [0, 1_795_341_600_000, 1_795_341_600_250, 951_782_400_000, -86_400_000] {
            #expect(ISO8601.parse(ISO8601.format(milliseconds: ms)) == ms)
        }
        #expect(ISO8601.format(milliseconds: 1_795_341_600_000) == "2026-11-22T10:00:00Z")
    }

    /// The digit-writing formatter against Foundation's own, over years 1583-9999 (Foundation's
    /// calendar is Julian before the Gregorian reform; ours is proleptic Gregorian throughout).
    /// Foundation formats whole seconds (a Double holds those exactly); the milliseconds are ours.
    @Test func formatAgreesWithFoundation() {
        let foundation = ISO8601DateFormatter()
        var random = SystemRandomNumberGenerator()
        let first = ISO8601.parse("1583-01-01T00:00:00Z")!, last = ISO8601.parse("9999-12-31T23:59:59.999Z")!
        let instants = (0..<20_000).map { _ in Int64.random(in: first...last, using: &random) } + [first, last, 0, -1, 1, 999, 1000]
        for ms in instants {
            let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
            let millis = ms - seconds * 1000
            var theirs = foundation.string(from: Date(timeIntervalSince1970: Double(seconds)))
            if millis != 0 { theirs = String(theirs.dropLast()) + "." + String(String(millis + 1000).dropFirst()) + "Z" }
            let ours = ISO8601.format(milliseconds: ms)
            #expect(ours == theirs, "\(ms)")
            #expect(ISO8601.parse(ours) == ms, "\(ms)")
        }
        #expect(ISO8601.format(milliseconds: last + 1) == "10000-01-01T00:00:00Z")
        #expect(ISO8601.format(milliseconds: ISO8601.parse("0001-01-01T00:00:00Z")! - 1) == "0000-12-31T23:59:59.999Z")
    }
}

struct TimeTests {
    @Test func bucketFloorHandlesNegativeTimes() {
        #expect(TimeBucket.floor(3_599_999, size: TimeBucket.hour) == 0)
        #expect(TimeBucket.floor(-1, size: TimeBucket.hour) == -TimeBucket.hour)
    }

    @Test func windowBuckets() {
        let w = TimeWindow(start: 1_000, end: 2 * TimeBucket.hour + 5)
        #expect(w.buckets(of: TimeBucket.hour).map(\.start) == [0, TimeBucket.hour, 2 * TimeBucket.hour])
    }

    @Test func durations() {
        #expect(DurationText.milliseconds("5m") == 300_000)
        #expect(DurationText.milliseconds(" 1h ") == 3_600_000)
        #expect(DurationText.milliseconds("7d") == 604_800_000)
        #expect(DurationText.milliseconds("5x") == nil)
        #expect(DurationText.milliseconds("-1h") == nil)
        // At most 1000 years; fuzzing crashed the pipeline loader on an overflow beyond that.
        #expect(DurationText.milliseconds("1000y") == DurationText.longest)
        #expect(DurationText.milliseconds("1001y") == nil)
        #expect(DurationText.milliseconds("1000000000000000000y") == nil)
        #expect(DurationText.milliseconds("9223372036854775807s") == nil)
    }

    @Test func wijkCodes() {
        #expect(WijkCode("WK039201")?.rawValue == "WK039201")
        #expect(WijkCode("WK03920") == nil)
        #expect(WijkCode("BU03920101") == nil)
        #expect(WijkCode(gemeente: "GM0392", wijk: "01")?.rawValue == "WK039201")
        #expect(WijkCode(gemeente: "0392", wijk: "7")?.rawValue == "WK039207")
        #expect(WijkCode(gemeente: "GM0392", wijk: "x") == nil)
    }
}
