import Foundation

/// Early warning for accumulating problems: a week's count far above what the series'
/// own history leads to expect (a Poisson tail probability against the seasonal model),
/// or several categories of one wijk rising together ("gestapelde problematiek").
/// Alerts are advice for a person to look at; nothing acts on them.
public struct EarlyWarning: Sendable, Hashable {
    /// Upper-tail probability below which one series' week alerts. The default 0.0001 keeps
    /// false alerts to a few weeks a year over 200 series (wijk × category) while catching
    /// ≥ 90% of doublings (MeldingAnalyticsTests).
    public var alpha: Double
    /// And only when the count exceeds the expectation by at least this much.
    public var minimumExcess: Double
    /// Tail probability below which a category counts as rising, for the stacked alert.
    public var risingAlpha: Double
    /// Rising categories in one wijk and week that make a stacked alert.
    public var stackedCategories: Int

    public init(alpha: Double = 0.0001, minimumExcess: Double = 3, risingAlpha: Double = 0.05, stackedCategories: Int = 3) {
        self.alpha = alpha
        self.minimumExcess = minimumExcess
        self.risingAlpha = risingAlpha
        self.stackedCategories = stackedCategories
    }

    /// One week of one series, judged.
    public struct Judgement: Sendable {
        public var week: Int
        public var observed: Double
        public var expected: Double
        /// P(X ≥ observed) under Poisson(expected).
        public var tail: Double
        public var alert: Bool
    }

    /// Judges every week from `from` on against a model fitted on the weeks before it,
    /// leaving earlier alerted weeks out of the fit (a spike must not raise the baseline).
    /// The model is refitted every `refit` weeks.
    public func judge(_ series: [Double], from: Int = CountForecast.season, refit: Int = 4) -> [Judgement] {
        var alerted = Set<Int>()
        var model: PoissonSeasonal?
        var out: [Judgement] = []
        for t in from..<series.count {
            if model == nil || (t - from) % refit == 0 {
                model = PoissonSeasonal(Array(series[..<t])) { !alerted.contains($0) }
            }
            let expected = model!.mean(at: t)
            let tail = Self.poissonTail(series[t], mean: expected)
            let alert = tail < alpha && series[t] >= expected + minimumExcess
            if alert { alerted.insert(t) }
            out.append(Judgement(week: t, observed: series[t], expected: expected, tail: tail, alert: alert))
        }
        return out
    }

    /// Weeks (indexes into each judgement list) where at least `stackedCategories` of a wijk's
    /// categories rise together.
    public func stacked(_ categories: [[Judgement]]) -> [Int] {
        var rising: [Int: Int] = [:]
        for judgements in categories {
            for j in judgements where j.tail < risingAlpha && j.observed > j.expected { rising[j.week, default: 0] += 1 }
        }
        return rising.filter { $0.value >= stackedCategories }.keys.sorted()
    }

    /// P(X ≥ k) for X ~ Poisson(mean), summed in log space from k upwards.
    public static func poissonTail(_ k: Double, mean: Double) -> Double {
        guard k > 0 else { return 1 }
        guard mean > 0 else { return 0 }
        let start = Int(k.rounded(.up))
        var logTerm = Double(start) * log(mean) - mean - lgamma(Double(start) + 1)
        var sum = 0.0
        var i = start
        while true {
            let term = exp(logTerm)
            sum += term
            i += 1
            logTerm += log(mean) - log(Double(i))
            if term < sum * 1e-15 || i > start + 10_000 { break }
        }
        return min(1, sum)
    }
}
