import Foundation

/// Weekly forecasts of counts (meldingen per wijk × category), and the rolling-origin
/// backtest that decides, per series, whether the model beats the seasonal naive baseline.
public enum CountForecast {
    /// Weeks in a season (a year of weeks).
    public static let season = 52

    public enum Method: String, Sendable {
        /// The count of the same week a year earlier.
        case seasonalNaive = "seasonal-naive"
        /// Poisson regression with a linear trend and two yearly Fourier harmonics
        /// (log μ = a + b·t + Σ c·cos + d·sin), fitted by iteratively reweighted least squares.
        case poissonSeasonal = "poisson-seasonal"
    }

    /// Forecasts `horizon` weeks after `history` with `method`.
    public static func forecast(_ history: [Double], horizon: Int, method: Method) -> [Double] {
        switch method {
        case .seasonalNaive:
            return (0..<horizon).map { h in
                let t = history.count + h - season
                return t >= 0 && t < history.count ? history[t] : (history.last ?? 0)
            }
        case .poissonSeasonal:
            let model = PoissonSeasonal(history)
            return (0..<horizon).map { model.mean(at: history.count + $0) }
        }
    }

    /// A backtest's result for one series.
    public struct Backtest: Sendable {
        /// Mean absolute error per method on the scoring origins (which the choice never saw).
        public var mae: [Method: Double]
        /// `mae` divided by the in-sample MAE of the seasonal naive forecast (Hyndman & Koehler).
        public var mase: [Method: Double]
        /// The method kept: the model only where its MAE beats the baseline on the selection
        /// origins, which all lie before the scoring origins.
        public var chosen: Method
        /// Forecast origins the choice was made on, and those `mae`/`mase` are measured on.
        public var selectionOrigins: [Int]
        public var scoringOrigins: [Int]
    }

    /// Rolling origin: from week `firstOrigin` on, every `step` weeks, forecast `horizon` weeks
    /// ahead from the history before the origin, and compare with what happened. The origins are
    /// split in time: the method is chosen on the earlier half, and scored on the later half, so
    /// the reported error is out of sample for the choice as well as for the fit. With a single
    /// origin nothing can be chosen without scoring on the same weeks: the baseline is kept.
    public static func backtest(_ series: [Double], firstOrigin: Int = 60, step: Int = 4, horizon: Int = 4) -> Backtest {
        let origins = Array(stride(from: firstOrigin, through: series.count - horizon, by: step))
        let split = origins.count / 2
        let selection = Array(origins[..<split]), scoring = Array(origins[split...])
        func errors(_ origins: [Int]) -> [Method: Double] {
            var errors: [Method: [Double]] = [:]
            for origin in origins {
                let history = Array(series[..<origin])
                for method in [Method.seasonalNaive, .poissonSeasonal] {
                    let predicted = forecast(history, horizon: horizon, method: method)
                    for h in 0..<horizon { errors[method, default: []].append(abs(series[origin + h] - predicted[h])) }
                }
            }
            return errors.mapValues { $0.reduce(0, +) / Double(max($0.count, 1)) }
        }
        let chooseOn = errors(selection)
        let mae = errors(scoring)
        let naiveScale = (season..<series.count).map { abs(series[$0] - series[$0 - season]) }
        let scale = max(naiveScale.reduce(0, +) / Double(max(naiveScale.count, 1)), 1e-9)
        let mase = mae.mapValues { $0 / scale }
        let chosen: Method = (chooseOn[.poissonSeasonal] ?? .infinity) < (chooseOn[.seasonalNaive] ?? .infinity) ? .poissonSeasonal : .seasonalNaive
        return Backtest(mae: mae, mase: mase, chosen: chosen, selectionOrigins: selection, scoringOrigins: scoring)
    }
}

/// log μ_t = β·x_t with x_t = [1, t/52, cos 2πt/52, sin 2πt/52, cos 4πt/52, sin 4πt/52].
struct PoissonSeasonal {
    private var beta: [Double]
    static let features = 6

    static func x(_ t: Int) -> [Double] {
        let w = 2 * Double.pi * Double(t) / Double(CountForecast.season)
        return [1, Double(t) / Double(CountForecast.season), cos(w), sin(w), cos(2 * w), sin(2 * w)]
    }

    /// Fits by IRLS on the weeks of `y` that `use` allows (all by default).
    init(_ y: [Double], use: ((Int) -> Bool)? = nil) {
        let rows = y.indices.filter { use?($0) ?? true }
        let mean = rows.isEmpty ? 0 : rows.reduce(0.0) { $0 + y[$1] } / Double(rows.count)
        beta = [log(mean + 0.5)] + Array(repeating: 0, count: Self.features - 1)
        guard rows.count >= Self.features * 2 else { return }
        for _ in 0..<30 {
            var a = [[Double]](repeating: [Double](repeating: 0, count: Self.features), count: Self.features)
            var b = [Double](repeating: 0, count: Self.features)
            for t in rows {
                let xt = Self.x(t)
                let eta = zip(beta, xt).reduce(0) { $0 + $1.0 * $1.1 }
                let mu = exp(min(eta, 30))
                let z = eta + (y[t] - mu) / mu
                for i in 0..<Self.features {
                    b[i] += mu * xt[i] * z
                    for j in 0..<Self.features { a[i][j] += mu * xt[i] * xt[j] }
                }
            }
            for i in 0..<Self.features { a[i][i] += 1e-6 }   // a touch of ridge keeps short series solvable
            guard let next = Self.solve(a, b) else { return }
            let change = zip(next, beta).reduce(0) { max($0, abs($1.0 - $1.1)) }
            beta = next
            if change < 1e-8 { break }
        }
    }

    func mean(at t: Int) -> Double { exp(min(zip(beta, Self.x(t)).reduce(0) { $0 + $1.0 * $1.1 }, 30)) }

    /// Gaussian elimination with partial pivoting.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        var m = a, v = b
        let n = v.count
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0][col]) < abs(m[$1][col]) }!
            guard abs(m[pivot][col]) > 1e-12 else { return nil }
            m.swapAt(col, pivot)
            v.swapAt(col, pivot)
            for r in (col + 1)..<n {
                let f = m[r][col] / m[col][col]
                for c in col..<n { m[r][c] -= f * m[col][c] }
                v[r] -= f * v[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = v[r]
            for c in (r + 1)..<n { s -= m[r][c] * x[c] }
            x[r] = s / m[r][r]
        }
        return x
    }
}
