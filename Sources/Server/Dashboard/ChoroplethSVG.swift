import Foundation

/// A server-rendered choropleth map: each area coloured by the class of its value. Classes are
/// quantiles (about as many areas in each), colours a sequential colour-blind-safe scheme, and
/// areas without a value are hatched. The legend is HTML next to it (see ``legend``).
struct ChoroplethSVG {
    struct Classes {
        /// Class per area code.
        var byCode: [String: Int]
        /// Lowest and highest value in each class.
        var ranges: [(low: Double, high: Double)]
        var colours: [String]
    }

    var shapes: [AreaShapes.Shape]
    var values: [String: Double]
    var classes: Classes
    var title: String
    var summary: String
    var id: String
    var width = 320.0

    /// Quantile classes of `values`: sorted, cut into `count` groups of about equal size; equal
    /// values always share a class, so there may be fewer classes than asked.
    static func classes(_ values: [String: Double], count: Int) -> Classes {
        let sorted = values.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
        var byCode: [String: Int] = [:]
        var ranges: [(low: Double, high: Double)] = []
        var previous: Double?
        for (rank, entry) in sorted.enumerated() {
            let wanted = min(count - 1, rank * count / max(sorted.count, 1))
            if entry.value != previous, ranges.count <= wanted {
                ranges.append((entry.value, entry.value))
            }
            ranges[ranges.count - 1].high = entry.value
            byCode[entry.key] = ranges.count - 1
            previous = entry.value
        }
        return Classes(byCode: byCode, ranges: ranges, colours: ChartPalette.sequential(max(ranges.count, 3)))
    }

    func render() -> String {
        let f = ChartScale.fmt
        let all = shapes.flatMap { $0.rings.flatMap { $0 } }
        guard let minLon = all.map(\.lon).min(), let maxLon = all.map(\.lon).max(),
              let minLat = all.map(\.lat).min(), let maxLat = all.map(\.lat).max() else { return "" }
        // Equirectangular at the map's middle latitude: fine for a municipality.
        let k = cos((minLat + maxLat) / 2 * .pi / 180)
        let margin = 4.0
        let scale = (width - 2 * margin) / max((maxLon - minLon) * k, 1e-9)
        let height = min((maxLat - minLat) * scale + 2 * margin, width * 1.4)
        let s = min(scale, (height - 2 * margin) / max(maxLat - minLat, 1e-9))
        func point(_ p: (lon: Double, lat: Double)) -> String { "\(f(margin + (p.lon - minLon) * k * s)),\(f(margin + (maxLat - p.lat) * s))" }
        var svg = """
        <svg class="chart map" viewBox="0 0 \(f(width)) \(f(height))" role="img" aria-labelledby="\(id)-t \(id)-d" xmlns="http://www.w3.org/2000/svg">
        <title id="\(id)-t">\(HTML.escape(title))</title><desc id="\(id)-d">\(HTML.escape(summary))</desc>
        <defs><pattern id="\(id)-none" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#767676" stroke-width="1.5"/></pattern></defs>

        """
        for shape in shapes {
            let fill = values[shape.code] != nil ? classes.byCode[shape.code].map { classes.colours[$0] } ?? "#fff" : "url(#\(id)-none)"
            let d = shape.rings.map { ring in "M" + ring.map(point).joined(separator: "L") + "Z" }.joined()
            let text = values[shape.code].map { "\(shape.name): \(HTML.dutch($0))" } ?? "\(shape.name): geen gegevens"
            svg += "<path d=\"\(d)\" fill=\"\(fill)\" fill-rule=\"evenodd\" stroke=\"#333\" stroke-width=\"0.8\"><title>\(HTML.escape(text))</title></path>\n"
        }
        return svg + "</svg>"
    }

    /// The legend as an HTML list: one swatch per class with its range and unit, and the hatch.
    func legend(unit: String, decimals: Int, areaWords: (one: String, many: String)) -> String {
        var out = "<ul class=\"legend\" aria-label=\"Legenda\">"
        for (i, r) in classes.ranges.enumerated() {
            let range = r.low == r.high ? HTML.dutch(r.low, decimals: decimals) : "\(HTML.dutch(r.low, decimals: decimals)) tot en met \(HTML.dutch(r.high, decimals: decimals))"
            let count = classes.byCode.values.filter { $0 == i }.count
            out += "<li><svg width=\"18\" height=\"14\" aria-hidden=\"true\"><rect width=\"18\" height=\"14\" fill=\"\(classes.colours[i])\" stroke=\"#333\"/></svg> \(range) \(HTML.escape(unit)) <span class=\"meta\">(\(count) \(count == 1 ? areaWords.one : areaWords.many))</span></li>"
        }
        if shapes.contains(where: { values[$0.code] == nil }) {
            out += "<li><svg width=\"18\" height=\"14\" aria-hidden=\"true\"><rect width=\"18\" height=\"14\" fill=\"url(#\(id)-none)\" stroke=\"#333\"/></svg> geen gegevens</li>"
        }
        return out + "</ul>"
    }
}
