/// A server-rendered horizontal bar chart: one bar per category, its name on the left and its
/// value at the end of the bar (so no axis needs reading), threshold lines labelled in text.
struct BarChartSVG {
    var bars: [(name: String, value: Double)]
    var title: String
    var summary: String
    var unit: String
    var decimals: Int
    var thresholds: [DashboardPanel.Threshold] = []
    var id: String
    var width = 320.0

    /// A name in at most two lines that fit `characters` each (the second shortened with "…").
    static func lines(_ name: String, fitting characters: Int) -> [String] {
        guard name.count > characters else { return [name] }
        let words = name.split(separator: " ").map(String.init)
        var first = "", used = 0
        for word in words {
            let candidate = first.isEmpty ? word : first + " " + word
            guard candidate.count <= characters else { break }
            (first, used) = (candidate, used + 1)
        }
        if used == 0 { return [String(name.prefix(characters - 1)) + "…"] }
        let rest = words[used...].joined(separator: " ")
        let second = rest.count > characters ? String(rest.prefix(characters - 1)) + "…" : rest
        return second.isEmpty ? [first] : [first, second]
    }

    func render() -> String {
        let fontSize = 13.0, top = 20.0, bottom = thresholds.isEmpty ? 6.0 : 22.0
        let f = ChartScale.fmt
        let charWidth = fontSize * 0.56
        let longest = Double(bars.map(\.name.count).max() ?? 4)
        let labelWidth = min(longest * charWidth + 8, width * 0.42)
        let fit = max(4, Int((labelWidth - 8) / charWidth))
        let labels = bars.map { Self.lines($0.name, fitting: fit) }
        let rowHeight = labels.contains { $0.count > 1 } ? 34.0 : 26.0
        let height = top + Double(bars.count) * rowHeight + bottom
        let valueLabels = bars.map { HTML.dutch($0.value, decimals: decimals) }
        let valueWidth = Double(valueLabels.map(\.count).max() ?? 1) * fontSize * 0.6 + 8
        let left = labelWidth, plotW = width - left - valueWidth
        let low = min(0, bars.map(\.value).min() ?? 0)
        let high = max((bars.map(\.value) + thresholds.map(\.value)).max() ?? 1, low + 1e-9)
        func x(_ v: Double) -> Double { left + plotW * (v - low) / (high - low) }
        var svg = """
        <svg class="chart" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-labelledby="\(id)-t \(id)-d" xmlns="http://www.w3.org/2000/svg" font-size="\(f(fontSize))">
        <title id="\(id)-t">\(HTML.escape(title))</title><desc id="\(id)-d">\(HTML.escape(summary))</desc>
        <text x="\(f(left))" y="\(f(fontSize))" fill="\(ChartPalette.text)">\(HTML.escape(unit))</text>

        """
        for (i, bar) in bars.enumerated() {
            let rowY = top + Double(i) * rowHeight
            let barStart = x(min(0, bar.value)), barEnd = x(max(0, bar.value))
            let label = labels[i]
            let firstY = rowY + rowHeight / 2 + fontSize * 0.35 - (label.count > 1 ? fontSize * 0.55 : 0)
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(firstY))\" text-anchor=\"end\" fill=\"\(ChartPalette.text)\">"
            for (k, line) in label.enumerated() {
                svg += k == 0 ? HTML.escape(line) : "<tspan x=\"\(f(left - 6))\" dy=\"\(f(fontSize * 1.1))\">\(HTML.escape(line))</tspan>"
            }
            svg += "</text>"
            svg += "<rect x=\"\(f(barStart))\" y=\"\(f(rowY + 4))\" width=\"\(f(max(barEnd - barStart, 1)))\" height=\"\(f(rowHeight - 8))\" fill=\"\(ChartPalette.series[0])\"/>"
            svg += "<text x=\"\(f(barEnd + 4))\" y=\"\(f(rowY + rowHeight / 2 + fontSize * 0.35))\" fill=\"\(ChartPalette.text)\">\(valueLabels[i])</text>\n"
        }
        svg += "<line x1=\"\(f(x(0)))\" y1=\"\(f(top))\" x2=\"\(f(x(0)))\" y2=\"\(f(top + Double(bars.count) * rowHeight))\" stroke=\"\(ChartPalette.axis)\"/>\n"
        for t in thresholds {
            let tx = x(t.value)
            svg += "<line x1=\"\(f(tx))\" y1=\"\(f(top))\" x2=\"\(f(tx))\" y2=\"\(f(height - bottom + 4))\" stroke=\"\(ChartPalette.threshold)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            svg += "<text x=\"\(f(min(tx, width - 2)))\" y=\"\(f(height - 4))\" text-anchor=\"end\" fill=\"\(ChartPalette.threshold)\">\(HTML.escape(t.label))</text>\n"
        }
        return svg + "</svg>"
    }
}
