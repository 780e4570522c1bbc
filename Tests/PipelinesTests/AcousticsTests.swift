import Foundation
import LantaarnModel
import Pipelines
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
