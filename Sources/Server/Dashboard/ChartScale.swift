/// Axis arithmetic shared by the charts: round tick values and compact coordinates.
enum ChartScale {
    /// Round tick values (1, 2, 2.5 or 5 × 10^n apart) covering `low...high`, about `count` of them.
    /// The range always includes zero when all values are positive and near it (bars start at 0).
    static func ticks(low: Double, high: Double, count: Int = 5) -> [Double] {
        var lo = low, hi = high
        if !lo.isFinite || !hi.isFinite { (lo, hi) = (0, 1) }
        if hi - lo < 1e-9 { (lo, hi) = (lo - 1, hi + 1) }
        let raw = (hi - lo) / Double(max(count - 1, 1))
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? magnitude * 10
        let first = (lo / step).rounded(.down) * step
        var out: [Double] = []
        var v = first
        while v < hi + step * 0.999 && out.count < 20 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }

    /// Decimals needed to tell the ticks apart.
    static func decimals(for ticks: [Double]) -> Int {
        guard ticks.count > 1 else { return 0 }
        let step = ticks[1] - ticks[0]
        return step >= 1 ? 0 : step >= 0.1 ? 1 : 2
    }

    /// A coordinate with at most one decimal.
    static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

/// Colours that people with the common colour-vision deficiencies can tell apart, and that
/// stand out against white by at least 3:1 (WCAG 1.4.11, graphical objects).
enum ChartPalette {
    /// After Okabe & Ito's qualitative palette, darkened where needed for 3:1 on white.
    static let series = ["#0072B2", "#D55E00", "#007A5A", "#AA3377", "#7A5C00", "#5E4FA2", "#1A1A1A", "#B8004F"]
    /// Dash patterns paired with the colours, so lines differ by more than colour.
    static let dashes = ["", "6 3", "2 2", "8 3 2 3", "4 4", "1 3", "10 2", "3 6"]
    /// A single-hue-progression sequential scheme (ColorBrewer YlGnBu), light to dark, per class count.
    static func sequential(_ classes: Int) -> [String] {
        switch classes {
        case ...3: return ["#edf8b1", "#7fcdbb", "#2c7fb8"]
        case 4: return ["#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"]
        case 5: return ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
        case 6: return ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"]
        default: return ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"]
        }
    }
    /// Reference lines (thresholds), dark red with a dash.
    static let threshold = "#A50026"
    static let axis = "#595959"
    static let grid = "#e0e0e0"
    static let text = "#1a1a1a"
}
