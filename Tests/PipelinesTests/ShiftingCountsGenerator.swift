import Foundation
import LantaarnModel

/// Weekly counts that are not from the forecast model's family (Poisson with a trend and yearly
/// harmonics): a level that jumps now and then (a new housing block, a changed reporting app, a
/// street that is rebuilt), holiday dips (Christmas and New Year, six summer weeks) and
/// overdispersed noise (a gamma-Poisson mixture, variance above the mean).
struct ShiftingCountsGenerator {
    var weeks = 104, series = 200

    func generate(seed: UInt64 = 2026) -> [[Double]] {
        var rng = SplitMix64(seed: seed)
        return (0..<series).map { _ in
            var level = 3 + rng.unit() * 12
            let shifts = Set((0..<(1 + Int(rng.unit() * 3))).map { _ in 8 + Int(rng.unit() * Double(weeks - 16)) })
            let summerDip = 0.45 + rng.unit() * 0.3, christmasDip = 0.3 + rng.unit() * 0.3
            let summerStart = 27 + Int(rng.unit() * 4)
            return (0..<weeks).map { t in
                if shifts.contains(t) { level *= 0.55 + rng.unit() * 1.1 }
                let week = t % 52
                var mean = level
                if (summerStart..<summerStart + 6).contains(week) { mean *= summerDip }
                if week >= 51 || week == 0 { mean *= christmasDip }
                // Gamma(shape 4) times the mean: variance mean + mean²/4.
                let gamma = (0..<4).reduce(0.0) { acc, _ in acc - log(max(rng.unit(), 1e-300)) } / 4
                return Double(rng.poisson(mean * gamma))
            }
        }
    }
}
