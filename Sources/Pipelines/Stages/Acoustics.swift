import Foundation
import LantaarnModel

/// Sound levels average as energy, not as decibels.
public enum Acoustics {
    /// 10·log10(mean(10^(L/10))): the energetic mean of levels in dB; `nil` for none.
    public static func energeticMean(_ levels: some Collection<Double>) -> Double? {
        guard !levels.isEmpty else { return nil }
        return 10 * log10(levels.reduce(0) { $0 + pow(10, $1 / 10) } / Double(levels.count))
    }

    /// The day, evening and night levels and Lden of one Dutch calendar day (Directive
    /// 2002/49/EC, as the Netherlands applies it): day 07-19, evening 19-23 (+5 dB), night
    /// 23-07 (+10 dB), each the energetic mean of the readings in it, local time.
    /// Lden = 10·log10((12·10^(Ld/10) + 4·10^((Le+5)/10) + 8·10^((Ln+10)/10)) / 24).
    /// `nil` when a period has no readings (Lden needs all three).
    public struct Lden: Sendable, Equatable {
        public var day: Double, evening: Double, night: Double, lden: Double
    }

    /// Lden over readings of any span (a day window of a pipeline): each reading counts in the
    /// period of its own Dutch local hour (day 07-19, evening 19-23, night 23-07). `nil`
    /// when a period has no readings.
    public static func lden(_ readings: [(timestamp: Int64, level: Double)]) -> Lden? {
        var day: [Double] = [], evening: [Double] = [], night: [Double] = []
        for r in readings {
            let local = r.timestamp + DutchTime.offset(utcMilliseconds: r.timestamp)
            switch Int((local % 86_400_000 + 86_400_000) % 86_400_000 / 3_600_000) {
            case 7..<19: day.append(r.level)
            case 19..<23: evening.append(r.level)
            default: night.append(r.level)
            }
        }
        return combine(day, evening, night)
    }

    private static func combine(_ day: [Double], _ evening: [Double], _ night: [Double]) -> Lden? {
        guard let d = energeticMean(day), let e = energeticMean(evening), let n = energeticMean(night) else { return nil }
        let combined = 10 * log10((12 * pow(10, d / 10) + 4 * pow(10, (e + 5) / 10) + 8 * pow(10, (n + 10) / 10)) / 24)
        return Lden(day: d, evening: e, night: n, lden: combined)
    }

    /// Lden of the readings (UTC milliseconds, dB) for the night that ends the local day
    /// beginning at `dayStart` (local midnight, UTC milliseconds): the day and evening of
    /// that date and the night from 23:00 to 07:00 next morning.
    public static func lden(_ readings: [(timestamp: Int64, level: Double)], dayStart: Int64) -> Lden? {
        let hour: Int64 = 3_600_000
        var day: [Double] = [], evening: [Double] = [], night: [Double] = []
        for r in readings {
            let localHour = (r.timestamp + DutchTime.offset(utcMilliseconds: r.timestamp) - (dayStart + DutchTime.offset(utcMilliseconds: dayStart))) / hour
            switch localHour {
            case 7..<19: day.append(r.level)
            case 19..<23: evening.append(r.level)
            case 23..<31: night.append(r.level)
            default: continue
            }
        }
        return combine(day, evening, night)
    }
}
