import Foundation
import LantaarnModel

/// A generated history of meldingen with known seasonality and injected spikes:
/// `weeks` weeks × `wijken` wijken × `categories` categories, from Monday 2024-01-01.
struct MeldingHistoryGenerator {
    var weeks = 104, wijken = 20, categories = 10
    static let start = ISO8601.parse("2024-01-01T00:00:00+01:00")!
    static let week: Int64 = 7 * 86_400_000

    struct Series {
        var wijk: String, category: String
        var means: [Double]
        var counts: [Double]
        /// Week index of the injected spike, if any.
        var spike: Int?
    }

    /// The series (per wijk × category) and the meldingen behind them.
    func generate(seed: UInt64 = 2024) -> (series: [Series], meldingen: [Melding]) {
        var rng = SplitMix64(seed: seed)
        func unit() -> Double { rng.unit() }
        func poisson(_ mean: Double) -> Int { rng.poisson(mean) }
        var series: [Series] = []
        var meldingen: [Melding] = []
        for w in 0..<wijken {
            let wijk = String(format: "WK0392%02d", w + 1)
            for c in 0..<categories {
                let base = 2 + unit() * 10, amplitude = 0.2 + unit() * 0.4, phase = Double(c) * 5.2
                let trend = (unit() - 0.5) * 0.2
                let means = (0..<weeks).map { t in
                    base * exp(amplitude * cos(2 * .pi * (Double(t) - phase) / 52)) * (1 + trend * Double(t) / 52)
                }
                var counts = means.map { Double(poisson($0)) }
                var spike: Int?
                if unit() < 0.5 {
                    let t = 56 + Int(unit() * Double(weeks - 56))
                    counts[t] += (2 * means[t]).rounded() + 6
                    spike = t
                }
                series.append(Series(wijk: wijk, category: "categorie-\(c)", means: means, counts: counts, spike: spike))
                for (t, n) in counts.enumerated() {
                    for k in 0..<Int(n) {
                        let at = Self.start + Int64(t) * Self.week + 7_200_000 + Int64(unit() * Double(Self.week - 14_400_000))   // clear of the DST hour
                        var m = Melding(source: "test", sourceID: "\(wijk)-\(c)-\(t)-\(k)", category: "categorie-\(c)", createdAt: at)
                        m.wijk = wijk
                        m.hoofdcategorie = "categorie-\(c)"
                        meldingen.append(m)
                    }
                }
            }
        }
        return (series, meldingen)
    }
}
