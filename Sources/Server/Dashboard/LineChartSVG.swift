/// A server-rendered SVG line chart with an accessible name and description.
/// The numbers it shows are also in the table next to it, for screen readers and copying.
struct LineChartSVG {
    /// (time label, value) points in time order.
    var points: [(label: String, value: Double)]
    /// Accessible title, e.g. "PM2,5 in Oude Stad".
    var title: String
    /// One-sentence summary for the text alternative.
    var summary: String
    /// Reference line (e.g. a WHO guideline) and its label, if any.
    var reference: (value: Double, label: String)?
    /// Unique id prefix for `aria-labelledby`.
    var id: String

    func render() -> String {
        let width = 320.0, height = 180.0, left = 36.0, right = 8.0, top = 10.0, bottom = 24.0
        let values = points.map(\.value) + (reference.map { [$0.value] } ?? [])
        let maxV = max((values.max() ?? 1) * 1.1, 1)
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ i: Int) -> Double { points.count > 1 ? left + plotW * Double(i) / Double(points.count - 1) : left + plotW / 2 }
        func y(_ v: Double) -> Double { top + plotH * (1 - v / maxV) }
        var svg = """
        <svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-labelledby="\(id)-t \(id)-d" xmlns="http://www.w3.org/2000/svg">
        <title id="\(id)-t">\(HTML.escape(title))</title><desc id="\(id)-d">\(HTML.escape(summary))</desc>
        <line x1="\(left)" y1="\(top + plotH)" x2="\(width - right)" y2="\(top + plotH)" stroke="#767676"/>
        <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(top + plotH)" stroke="#767676"/>
        <text x="\(left - 4)" y="\(top + 4)" font-size="10" text-anchor="end" fill="#333">\(HTML.dutch(maxV, decimals: 0))</text>
        <text x="\(left - 4)" y="\(top + plotH)" font-size="10" text-anchor="end" fill="#333">0</text>

        """
        if let reference {
            let ry = y(reference.value)
            svg += """
            <line x1="\(left)" y1="\(fmt(ry))" x2="\(width - right)" y2="\(fmt(ry))" stroke="#b00020" stroke-dasharray="4 3"/>
            <text x="\(width - right)" y="\(fmt(ry - 3))" font-size="10" text-anchor="end" fill="#b00020">\(HTML.escape(reference.label))</text>

            """
        }
        if !points.isEmpty {
            let path = points.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(fmt(x(i))),\(fmt(y(p.value)))" }.joined(separator: " ")
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"#00538a\" stroke-width=\"2\"/>\n"
            for (i, p) in points.enumerated() {
                svg += "<circle cx=\"\(fmt(x(i)))\" cy=\"\(fmt(y(p.value)))\" r=\"2.5\" fill=\"#00538a\"/>\n"
            }
            svg += "<text x=\"\(left)\" y=\"\(height - 6)\" font-size=\"10\" fill=\"#333\">\(HTML.escape(points.first!.label))</text>\n"
            svg += "<text x=\"\(width - right)\" y=\"\(height - 6)\" font-size=\"10\" text-anchor=\"end\" fill=\"#333\">\(HTML.escape(points.last!.label))</text>\n"
        }
        return svg + "</svg>"
    }

    private func fmt(_ v: Double) -> String { String((v * 10).rounded() / 10) }
}
