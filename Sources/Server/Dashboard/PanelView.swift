import LantaarnModel

/// One panel as HTML: heading, caption, the chart (inline SVG) with its text alternative, the
/// numbers as a table (collapsed), freshness, the pipeline that made them and the downloads,
/// all together in one section.
struct PanelView {
    let panel: DashboardPanel
    /// Position on the page, for unique ids.
    let index: Int
    let data: PanelRows?
    let maps: any BoundaryMaps
    let now: Int64

    private var id: String { "p\(index)" }
    private var unit: String { panel.unit ?? panel.value.flatMap { data?.unit(of: $0) } ?? "" }

    func render() -> String {
        var out = "<section class=\"panel panel-\(panel.kind.rawValue)\(isWide ? " wide" : "")\" aria-labelledby=\"\(id)-h\">\n<h2 id=\"\(id)-h\">\(HTML.escape(panel.title))</h2>\n"
        if let caption = panel.caption { out += "<p>\(HTML.escape(caption))</p>\n" }
        guard let data else {
            return out + "<p class=\"empty\">Deze cijfers zijn nog niet gepubliceerd. Kom later terug.</p>\n</section>\n"
        }
        let body: String?
        switch panel.kind {
        case .line: body = line(data)
        case .bar: body = bar(data)
        case .map: body = map(data)
        case .table: body = table(data)
        case .kpi: body = kpi(data)
        case .tiles: body = tiles(data)
        }
        out += body ?? "<p class=\"empty\">Er zijn voor deze periode geen cijfers. Kom later terug.</p>\n"
        if let withheld = withheldCount(data), withheld > 0 {
            out += "<p class=\"meta\">\(withheld) \(withheld == 1 ? "cijfer is" : "cijfers zijn") niet gepubliceerd omdat \(withheld == 1 ? "het" : "ze") te klein \(withheld == 1 ? "is" : "zijn") (privacy). Totalen kunnen daardoor lager zijn dan het echte aantal.</p>\n"
        }
        if data.truncated { out += "<p class=\"meta\">Alleen de eerste \(PanelRows.maxRows) rijen zijn gebruikt.</p>\n" }
        return out + meta(data) + "</section>\n"
    }

    /// Tables, tiles and small multiples take the whole width of a wide screen; one chart does not.
    private var isWide: Bool {
        switch panel.kind {
        case .table, .tiles: true
        case .line: panel.layout == .smallMultiples && panel.series != nil
        default: false
        }
    }

    /// Rows whose value was left empty (suppressed small numbers), which a sum leaves out.
    private func withheldCount(_ data: PanelRows) -> Int? {
        guard panel.kind != .table, panel.kind != .tiles, let i = panel.value.flatMap(data.column) else { return nil }
        return data.rows.filter { $0[i] == .null }.count
    }

    // MARK: - Freshness, source and downloads

    private func meta(_ data: PanelRows) -> String {
        let s = data.summary, name = HTML.escape(s.metadata.name)
        var text = "<p class=\"meta\">Bijgewerkt op \(s.updatedAt.map(LocalTime.dateTime) ?? "onbekend")."
        if let end = s.coverage?.end {
            text += " Cijfers tot \(LocalTime.dateTime(end))."
            if let expected = Self.expectedInterval(s.metadata.frequency), now - end > 3 * expected + 3_600_000 {
                text += " <strong>Let op: er zijn al \(DurationText.dutch((now - end) / 3_600_000 * 3_600_000)) geen nieuwe cijfers.</strong>"
            }
        }
        let pipeline = HTML.escape(s.metadata.pipeline)
        text += " Gemaakt door de rekenregel <a href=\"/algoritmes#alg-\(pipeline)\">\(pipeline)</a>.</p>\n"
        text += "<p class=\"downloads\">Download de cijfers: "
        if let release = s.latestReleaseID {
            text += "<a href=\"/datasets/\(name)/releases/\(release).csv\">nieuwste versie (CSV)</a> · "
        }
        text += "<a href=\"/datasets/\(name).csv\">alles (CSV)</a> · <a href=\"/datasets/\(name).json\">alles (JSON)</a></p>\n"
        return text
    }

    /// How often a dataset is expected to change, from its DCAT frequency.
    static func expectedInterval(_ frequency: String?) -> Int64? {
        guard let f = frequency?.split(separator: "/").last else { return nil }
        switch f {
        case "HOURLY": return 3_600_000
        case "DAILY": return 86_400_000
        case "WEEKLY": return 7 * 86_400_000
        case "MONTHLY": return 31 * 86_400_000
        default: return nil
        }
    }

    // MARK: - Kinds

    private func line(_ data: PanelRows) -> String? {
        let series = PanelValues.series(panel, data).filter { !$0.points.isEmpty }
        guard !series.isEmpty else { return nil }
        let lines = series.enumerated().map { LineChartSVG.Line(name: $1.name, points: $1.points, style: $0) }
        var out = ""
        let summary = lineSummary(series)
        if panel.layout == .lines || lines.count == 1 {
            let shown = lines.count > ChartPalette.series.count ? Array(lines.prefix(ChartPalette.series.count)) : lines
            out += LineChartSVG(lines: shown, title: panel.title, summary: summary, unit: unit, thresholds: panel.thresholds,
                                fromZero: panel.fromZero, id: id).render() + "\n"
            if shown.count > 1 || lines[0].points.contains(where: { $0.lower != nil }) { out += legend(shown) }
            if shown.count < lines.count { out += "<p class=\"meta\">De grafiek toont de eerste \(shown.count) van \(lines.count) reeksen; de tabel toont ze allemaal.</p>\n" }
        } else {
            // Small multiples share one value axis, so heights compare across charts.
            let range = LineChartSVG.range(lines, thresholds: panel.thresholds, fromZero: panel.fromZero)
            out += "<div class=\"multiples\">\n"
            for (i, line) in lines.enumerated() {
                let one = LineChartSVG.Line(name: line.name, points: line.points, style: 0)
                out += "<figure><figcaption>\(HTML.escape(line.name))</figcaption>"
                out += LineChartSVG(lines: [one], title: "\(panel.title): \(line.name)", summary: lineSummary([series[i]]), unit: unit,
                                    thresholds: panel.thresholds, range: range, id: "\(id)-\(i)", width: 300, height: 170).render()
                out += "</figure>\n"
            }
            out += "</div>\n"
        }
        out += "<p>\(HTML.escape(summary))</p>\n"
        return out + lineTable(series)
    }

    private func legend(_ lines: [LineChartSVG.Line]) -> String {
        var out = "<ul class=\"legend\" aria-label=\"Legenda\">"
        for line in lines {
            let colour = ChartPalette.series[line.style % ChartPalette.series.count], dash = ChartPalette.dashes[line.style % ChartPalette.dashes.count]
            out += "<li><svg width=\"28\" height=\"10\" aria-hidden=\"true\"><line x1=\"0\" y1=\"5\" x2=\"28\" y2=\"5\" stroke=\"\(colour)\" stroke-width=\"3\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/></svg> \(HTML.escape(line.name.isEmpty ? panel.title : line.name))</li>"
        }
        if lines.contains(where: { $0.points.contains { $0.lower != nil } }) {
            out += "<li><svg width=\"28\" height=\"10\" aria-hidden=\"true\"><rect width=\"28\" height=\"10\" fill=\"\(ChartPalette.series[0])\" fill-opacity=\"0.18\"/></svg> onzekerheid (de echte waarde ligt hier waarschijnlijk binnen)</li>"
        }
        return out + "</ul>\n"
    }

    /// Per series: the newest value, the highest and when, and how often a threshold was passed.
    private func lineSummary(_ series: [PanelValues.Series]) -> String {
        series.map { s in
            let last = s.points.last!, highest = s.points.max { $0.value < $1.value }!
            var text = "\(s.name.isEmpty ? "Nu" : s.name + ": nu") \(value(last.value))"
            if let lower = last.lower, let upper = last.upper {
                text += " (waarschijnlijk tussen \(HTML.dutch(lower, decimals: panel.decimals)) en \(HTML.dutch(upper, decimals: panel.decimals)))"
            }
            if s.points.count > 2 { text += ", het hoogst \(value(highest.value)) op \(time(highest.time))" }
            for t in panel.thresholds {
                let above = s.points.filter { $0.value > t.value }.count
                text += above == 0 ? "; nooit boven \(t.label)" : "; \(above) van de \(s.points.count) keer boven \(t.label)"
            }
            return text + "."
        }.joined(separator: " ")
    }

    private func lineTable(_ series: [PanelValues.Series]) -> String {
        let times = Set(series.flatMap { $0.points.map(\.time) }).sorted().suffix(500)
        let lookup = series.map { s in Dictionary(s.points.map { ($0.time, $0) }, uniquingKeysWith: { a, _ in a }) }
        let banded = series.contains { $0.points.contains { $0.lower != nil } }
        var head = "<th scope=\"col\">Tijd</th>"
        for s in series {
            let name = HTML.escape(s.name.isEmpty ? (panel.value ?? "") : s.name)
            head += "<th scope=\"col\" class=\"num\">\(name)</th>"
            if banded { head += "<th scope=\"col\" class=\"num\">\(name): ondergrens</th><th scope=\"col\" class=\"num\">\(name): bovengrens</th>" }
        }
        var body = ""
        for t in times {
            body += "<tr><th scope=\"row\">\(time(t))</th>"
            for l in lookup {
                let p = l[t]
                body += "<td class=\"num\">\(p.map { HTML.dutch($0.value, decimals: panel.decimals) } ?? "–")</td>"
                if banded {
                    body += "<td class=\"num\">\(p?.lower.map { HTML.dutch($0, decimals: panel.decimals) } ?? "–")</td><td class=\"num\">\(p?.upper.map { HTML.dutch($0, decimals: panel.decimals) } ?? "–")</td>"
                }
            }
            body += "</tr>\n"
        }
        return tableBlock(head: head, body: body)
    }

    private func bar(_ data: PanelRows) -> String? {
        var categories = PanelValues.categories(panel, data, byArea: false)
        guard !categories.isEmpty else { return nil }
        sortCategories(&categories)
        let shown = Array(categories.prefix(panel.limit))
        let top = shown.max { $0.value < $1.value }!
        var summary = "Het hoogst: \(top.name) met \(value(top.value)). "
        summary += shown.map { "\($0.name) \(value($0.value))" }.joined(separator: ", ") + "."
        var out = BarChartSVG(bars: shown.map { ($0.name, $0.value) }, title: panel.title, summary: summary, unit: unit,
                              decimals: panel.decimals, thresholds: panel.thresholds, id: id).render() + "\n"
        out += "<p>Het hoogst: \(HTML.escape(top.name)) met \(HTML.escape(value(top.value))).</p>\n"
        return out + categoryTable(shown, keyTitle: panel.series.map(Self.heading) ?? "Wijk")
    }

    private func sortCategories(_ categories: inout [PanelValues.Category]) {
        switch panel.sort {
        case nil, "-" + (panel.value ?? ""): categories.sort { ($0.value, $1.name) > ($1.value, $0.name) }
        case panel.value: categories.sort { ($0.value, $0.name) < ($1.value, $1.name) }
        default: categories.sort { $0.name < $1.name }
        }
    }

    private func map(_ data: PanelRows) -> String? {
        let categories = PanelValues.categories(panel, data, byArea: true)
        guard !categories.isEmpty else { return nil }
        let level = panel.area.hasSuffix("_code") ? String(panel.area.dropLast(5)) : panel.area
        let words = level == "wijk" ? ("wijk", "wijken") : level == "buurt" ? ("buurt", "buurten") : ("gebied", "gebieden")
        let values = Dictionary(categories.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        let sorted = categories.sorted { $0.value > $1.value }
        var summary = "Kaart van de \(words.1) met \(Self.heading(panel.value ?? "").lowercased()) per \(words.0). "
        summary += "Het hoogst: \(sorted.first!.name) (\(value(sorted.first!.value))); het laagst: \(sorted.last!.name) (\(value(sorted.last!.value)))."
        var out = ""
        if let shapes = AreaShapes.load(level: level, maps: maps) {
            let drawn = shapes.municipalityOf(values.keys)
            let missing = drawn.filter { values[$0.code] == nil }.count
            if missing > 0 { summary += " Van \(missing) \(missing == 1 ? words.0 : words.1) zijn er geen cijfers." }
            let chart = ChoroplethSVG(shapes: drawn, values: values, classes: ChoroplethSVG.classes(values, count: panel.classes),
                                      title: panel.title, summary: summary, id: id)
            out += "<div class=\"map-legend\">" + chart.render() + "\n" + chart.legend(unit: unit, decimals: panel.decimals, areaWords: words) + "</div>\n"
            out += "<p class=\"meta\">Indeling in klassen: ongeveer evenveel \(words.1) per kleur. Grenzen: CBS \(shapes.vintage).</p>\n"
        } else {
            out += "<p class=\"meta\">Er is geen kaart van de \(words.1); de cijfers staan in de tabel.</p>\n"
        }
        out += "<p>\(HTML.escape(summary))</p>\n"
        return out + categoryTable(categories.sorted { $0.name < $1.name }, keyTitle: words.0.prefix(1).uppercased() + words.0.dropFirst())
    }

    private func kpi(_ data: PanelRows) -> String? {
        guard let total = PanelValues.total(panel, data), let v = total.value else { return nil }
        var out = "<p class=\"kpi\"><span class=\"kpi-value\">\(HTML.dutch(v, decimals: panel.decimals))</span> <span class=\"kpi-unit\">\(HTML.escape(unit))</span></p>\n"
        var verdicts: [String] = []
        for t in panel.thresholds {
            let word = v > t.value ? "boven" : v == t.value ? "gelijk aan" : "onder"
            verdicts.append("<li class=\"\(v > t.value ? "above" : "below")\"><span aria-hidden=\"true\">\(v > t.value ? "▲" : "✓")</span> \(word) \(HTML.escape(t.label)) (\(HTML.escape(value(t.value))))</li>")
        }
        if !verdicts.isEmpty { out += "<ul class=\"verdicts\">\(verdicts.joined())</ul>\n" }
        if panel.series != nil {
            let groups = PanelValues.categories(panel, data, byArea: false)
            if let top = groups.max(by: { $0.value < $1.value }), groups.count > 1 {
                out += "<p>Het hoogst: \(HTML.escape(top.name)) met \(HTML.escape(value(top.value))).</p>\n"
            }
        }
        return out
    }

    private func table(_ data: PanelRows) -> String? {
        let indexes = panel.columns.compactMap { data.column($0) }
        guard indexes.count == panel.columns.count, !data.rows.isEmpty else { return nil }
        var rows = data.rows
        if let sort = panel.sort, let i = data.column(sort.hasPrefix("-") ? String(sort.dropFirst()) : sort) {
            let descending = sort.hasPrefix("-")
            rows.sort { a, b in
                let (x, y) = descending ? (b[i], a[i]) : (a[i], b[i])
                if let nx = PanelRows.number(x), let ny = PanelRows.number(y) { return nx < ny }
                return (PanelRows.text(x) ?? "") < (PanelRows.text(y) ?? "")
            }
        }
        // Numbers right-aligned, so digits line up.
        let numeric = indexes.map { i in rows.contains { PanelRows.number($0[i]) != nil } }
        let head = zip(panel.columns, numeric).map { c, isNumber -> String in
            let u = data.unit(of: c).map { " (\(HTML.escape($0)))" } ?? ""
            return "<th scope=\"col\"\(isNumber ? " class=\"num\"" : "")>\(HTML.escape(Self.heading(c)))\(u)</th>"
        }.joined()
        var body = ""
        for row in rows.prefix(panel.limit) {
            let cells: [String] = zip(indexes, numeric).map { i, isNumber in
                "<td\(isNumber ? " class=\"num\"" : "")>\(HTML.escape(cell(row[i])))</td>"
            }
            body += "<tr>" + cells.joined() + "</tr>\n"
        }
        var out = "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"\(HTML.escape(panel.title)), tabel\"><table>\n<thead><tr>\(head)</tr></thead>\n<tbody>\n\(body)</tbody></table></div>\n"
        if rows.count > panel.limit { out += "<p class=\"meta\">De tabel toont \(panel.limit) van de \(rows.count) rijen; de download bevat ze allemaal.</p>\n" }
        return out
    }

    private func tiles(_ data: PanelRows) -> String? {
        guard let iName = data.column(panel.series ?? "hoofdcategorie"), let iColour = data.column("kleur") else { return nil }
        let count = { (row: [CellValue], column: String) -> Int in data.column(column).flatMap { PanelRows.number(row[$0]) }.flatMap { Int(exactly: $0.rounded()) } ?? 0 }
        let order = ["rood": 0, "oranje": 1, "groen": 2]
        let rows = data.rows.compactMap { row -> (name: String, colour: String, row: [CellValue])? in
            guard let name = PanelRows.text(row[iName]), let colour = PanelRows.text(row[iColour]) else { return nil }
            return (name, colour, row)
        }.sorted { (order[$0.colour] ?? 3, $0.name) < (order[$1.colour] ?? 3, $1.name) }
        guard !rows.isEmpty else { return nil }
        let meaning = ["rood": "minstens één open melding is over de wettelijke termijn",
                       "oranje": "minstens één open melding is over de servicenorm",
                       "groen": "alle open meldingen zijn binnen de servicenorm"]
        var out = "<ul class=\"tiles\">\n"
        for r in rows {
            let green = count(r.row, "open_groen"), orange = count(r.row, "open_oranje"), red = count(r.row, "open_rood")
            out += "<li class=\"tile tile-\(HTML.escape(r.colour))\"><p class=\"tile-name\">\(HTML.escape(r.name))</p>"
            out += "<p class=\"tile-state\">\(HTML.escape(r.colour.prefix(1).uppercased() + r.colour.dropFirst())): \(meaning[r.colour] ?? "")</p>"
            out += "<p>\(green + orange + red) open: \(green) op tijd, \(orange) over de servicenorm, \(red) over de wettelijke termijn</p></li>\n"
        }
        return out + "</ul>\n"
    }

    // MARK: - Shared pieces

    private func categoryTable(_ categories: [PanelValues.Category], keyTitle: String) -> String {
        let head = "<th scope=\"col\">\(HTML.escape(keyTitle))</th><th scope=\"col\" class=\"num\">\(HTML.escape(Self.heading(panel.value ?? "")))\(unit.isEmpty ? "" : " (\(HTML.escape(unit)))")</th>"
        let body = categories.map { "<tr><th scope=\"row\">\(HTML.escape($0.name))</th><td class=\"num\">\(HTML.dutch($0.value, decimals: panel.decimals))</td></tr>\n" }.joined()
        return tableBlock(head: head, body: body)
    }

    private func tableBlock(head: String, body: String) -> String {
        """
        <details><summary>Tabel met de cijfers</summary>
        <div class="scroll" tabindex="0" role="region" aria-label="\(HTML.escape(panel.title)), tabel"><table>
        <thead><tr>\(head)</tr></thead>
        <tbody>
        \(body)</tbody></table></div></details>

        """
    }

    /// A time as residents read it: the date alone for days and weeks (local midnight).
    private func time(_ t: Int64) -> String {
        LocalTime.hourMinute(t) == "00:00" ? LocalTime.date(t) : LocalTime.dateTime(t)
    }

    private func value(_ v: Double) -> String {
        HTML.dutch(v, decimals: panel.decimals) + (unit.isEmpty ? "" : " " + unit)
    }

    private func cell(_ c: CellValue) -> String {
        switch c {
        case .null: return "–"
        case .number(let d): return HTML.dutch(d, decimals: panel.decimals)
        case .integer(let n): return String(n)
        case .text(let s): return ISO8601.parse(s).map(time) ?? s
        }
    }

    /// A column name as a heading: `doorlooptijd_mediaan` → `Doorlooptijd mediaan`.
    static func heading(_ column: String) -> String {
        let words = column.split(separator: "_").joined(separator: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}
