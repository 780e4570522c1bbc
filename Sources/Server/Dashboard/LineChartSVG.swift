/// A server-rendered SVG line chart over time: one or more series, each in its own colour and
/// dash, an optional uncertainty band, threshold lines labelled in text, round ticks on both
/// axes and the unit on the value axis. Its numbers are also in the table next to it.
struct LineChartSVG {
    struct Line {
        var name: String
        var points: [PanelValues.Point]
        /// Index into the palette (colour and dash).
        var style: Int
    }

    var lines: [Line]
    /// Accessible title and one-sentence summary (the text alternative).
    var title: String
    var summary: String
    var unit: String
    var thresholds: [DashboardPanel.Threshold] = []
    /// Fixed value range (small multiples share one), else from the data.
    var range: (low: Double, high: Double)?
    var fromZero = true
    /// Unique id prefix for `aria-labelledby`.
    var id: String
    var width = 320.0, height = 210.0

    /// The value range of some lines with their bands and thresholds; from zero (for positive
    /// data) unless `fromZero` is off.
    static func range(_ lines: [Line], thresholds: [DashboardPanel.Threshold], fromZero: Bool) -> (low: Double, high: Double) {
        let values = lines.flatMap { $0.points.flatMap { [$0.value, $0.lower ?? $0.value, $0.upper ?? $0.value] } } + thresholds.map(\.value)
        let low = values.min() ?? 0, high = values.max() ?? 1
        return (fromZero && low >= 0 ? 0 : low, high)
    }

    func render() -> String {
        let fontSize = 13.0
        let (low, high) = range ?? Self.range(lines, thresholds: thresholds, fromZero: fromZero)
        let ticks = ChartScale.ticks(low: low, high: high, count: height < 200 ? 4 : 5)
        let yMin = ticks.first ?? 0, yMax = ticks.last ?? 1
        let decimals = ChartScale.decimals(for: ticks)
        let tickLabels = ticks.map { HTML.dutch($0, decimals: decimals) }
        let left = 8 + Double(tickLabels.map(\.count).max() ?? 1) * fontSize * 0.6, right = 10.0, top = fontSize + 14, bottom = 22.0
        let plotW = width - left - right, plotH = height - top - bottom
        let times = lines.flatMap { $0.points.map(\.time) }
        let t0 = times.min() ?? 0, t1 = max(times.max() ?? 1, t0 + 1)
        func x(_ t: Int64) -> Double { left + plotW * Double(t - t0) / Double(t1 - t0) }
        func y(_ v: Double) -> Double { top + plotH * (1 - (v - yMin) / max(yMax - yMin, 1e-9)) }
        let f = ChartScale.fmt
        var svg = """
        <svg class="chart" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-labelledby="\(id)-t \(id)-d" xmlns="http://www.w3.org/2000/svg" font-size="\(f(fontSize))">
        <title id="\(id)-t">\(HTML.escape(title))</title><desc id="\(id)-d">\(HTML.escape(summary))</desc>
        <text x="2" y="\(f(fontSize))" fill="\(ChartPalette.text)">\(HTML.escape(unit))</text>

        """
        for (tick, label) in zip(ticks, tickLabels) {
            let ty = y(tick)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(width - right))\" y2=\"\(f(ty))\" stroke=\"\(ChartPalette.grid)\"/>"
            svg += "<text x=\"\(f(left - 4))\" y=\"\(f(ty + fontSize * 0.35))\" text-anchor=\"end\" fill=\"\(ChartPalette.text)\">\(label)</text>\n"
        }
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(width - right))\" y2=\"\(f(top + plotH))\" stroke=\"\(ChartPalette.axis)\"/>\n"
        // Time labels: round local times, as many as fit without touching.
        let maxLabels = max(2, Int(plotW / (fontSize * 4.2)))
        var lastEnd = -Double.infinity
        for tick in LocalTime.axisTicks(start: t0, end: t1, count: maxLabels) {
            let tx = x(tick.time)
            let half = Double(tick.label.count) * fontSize * 0.3
            let anchorX = min(max(tx, left + half), width - right - half)
            guard anchorX - half > lastEnd + 4 else { continue }
            lastEnd = anchorX + half
            svg += "<line x1=\"\(f(tx))\" y1=\"\(f(top + plotH))\" x2=\"\(f(tx))\" y2=\"\(f(top + plotH + 4))\" stroke=\"\(ChartPalette.axis)\"/>"
            svg += "<text x=\"\(f(anchorX))\" y=\"\(f(height - 4))\" text-anchor=\"middle\" fill=\"\(ChartPalette.text)\">\(HTML.escape(tick.label))</text>\n"
        }
        for line in lines {
            let colour = ChartPalette.series[line.style % ChartPalette.series.count]
            let banded = line.points.filter { $0.lower != nil && $0.upper != nil }
            if banded.count > 1 {
                let upper = banded.map { "\(f(x($0.time))),\(f(y($0.upper!)))" }
                let lower = banded.reversed().map { "\(f(x($0.time))),\(f(y($0.lower!)))" }
                svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
            }
            let dash = ChartPalette.dashes[line.style % ChartPalette.dashes.count]
            // A gap in the data (more than twice the usual step) breaks the line.
            let steps = zip(line.points.dropFirst(), line.points).map { $0.time - $1.time }.sorted()
            let usual = steps.isEmpty ? 0 : steps[steps.count / 2]
            var path = ""
            for (i, p) in line.points.enumerated() {
                let jump = i == 0 || (usual > 0 && p.time - line.points[i - 1].time > 2 * usual)
                path += "\(jump ? "M" : "L")\(f(x(p.time))),\(f(y(p.value)))"
            }
            if !path.isEmpty {
                svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.5\" stroke-linejoin=\"round\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>\n"
            }
            if line.points.count <= 40 {
                for p in line.points { svg += "<circle cx=\"\(f(x(p.time)))\" cy=\"\(f(y(p.value)))\" r=\"3\" fill=\"\(colour)\"/>" }
                svg += "\n"
            }
        }
        for t in thresholds where t.value >= yMin && t.value <= yMax {
            let ty = y(t.value)
            let labelY = ty - 5 < top + fontSize ? ty + fontSize + 2 : ty - 5
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(ty))\" x2=\"\(f(width - right))\" y2=\"\(f(ty))\" stroke=\"\(ChartPalette.threshold)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            svg += "<text x=\"\(f(width - right - 2))\" y=\"\(f(labelY))\" text-anchor=\"end\" fill=\"\(ChartPalette.threshold)\" paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\">\(HTML.escape(t.label))</text>\n"
        }
        return svg + "</svg>"
    }
}
