import LantaarnModel
import Store

/// `/dashboards/luchtkwaliteit`: PM2,5 per wijk over the last day, one chart per
/// wijk with its data table and the download link next to it.
struct AirQualityDashboard {
    static let dataset = "luchtkwaliteit-per-wijk-uur"
    /// WHO 2021 daily guideline for PM2.5, µg/m³.
    static let whoGuideline = 15.0
    /// Hours shown.
    static let hours = 24

    let releases: any ReleaseStore
    let site: PublicSite

    struct Series {
        var code: String
        var name: String
        var points: [(start: Int64, mean: Double, count: Int64)]
    }

    func render() throws -> String {
        // Only a public dataset is shown (its access rights may have been changed since).
        let summary = try releases.dataset(named: Self.dataset).flatMap { $0.metadata.isPublic ? $0 : nil }
        let series = try summary.map { try load($0) } ?? []
        var body = """
        <h1>Luchtkwaliteit in uw wijk</h1>
        <p>Sensoren op lantaarnpalen meten fijnstof (PM2,5). Hier ziet u per wijk het gemiddelde per uur van de laatste \(Self.hours) uur.
        De rode stippellijn is het advies van de Wereldgezondheidsorganisatie (WHO): gemiddeld niet meer dan \(HTML.dutch(Self.whoGuideline, decimals: 0)) microgram per kubieke meter per dag.</p>

        """
        if let summary {
            let updated = summary.updatedAt.map(LocalTime.dateTime) ?? "onbekend"
            body += """
            <p class="meta">Bijgewerkt op \(updated). Gemaakt door de rekenregel <code>\(HTML.escape(summary.metadata.pipeline))</code>.
            Download alle cijfers: <a href="/datasets/\(Self.dataset).csv">CSV</a> of <a href="/datasets/\(Self.dataset).json">JSON</a>.</p>

            """
        }
        if series.isEmpty {
            body += "<p>Er zijn nog geen metingen verwerkt. Kom over een paar minuten terug.</p>\n"
        } else {
            body += "<div class=\"grid\">\n"
            for (i, s) in series.enumerated() { body += figure(s, index: i) }
            body += "</div>\n"
        }
        return PageLayout(site: site).render(title: "Luchtkwaliteit per wijk", body: body)
    }

    private func figure(_ s: Series, index: Int) -> String {
        let last = s.points.last!
        let highest = s.points.max { $0.mean < $1.mean }!
        let above = s.points.filter { $0.mean > Self.whoGuideline }.count
        let summaryText = "Fijnstof PM2,5 in \(s.name): het laatste uurgemiddelde is \(HTML.dutch(last.mean)) µg/m³; "
            + "het hoogste was \(HTML.dutch(highest.mean)) µg/m³ om \(LocalTime.hourMinute(highest.start)). "
            + (above == 0 ? "Geen enkel uur lag boven het WHO-advies." : "\(above) van de \(s.points.count) uren lagen boven het WHO-advies.")
        let chart = LineChartSVG(points: s.points.map { (LocalTime.hourMinute($0.start), $0.mean) },
                                 title: "Fijnstof PM2,5 per uur in \(s.name)", summary: summaryText,
                                 reference: (Self.whoGuideline, "WHO-advies \(HTML.dutch(Self.whoGuideline, decimals: 0))"),
                                 id: "grafiek-\(index)")
        var rows = ""
        for p in s.points {
            rows += "<tr><td>\(LocalTime.hourMinute(p.start))</td><td class=\"num\">\(HTML.dutch(p.mean))</td><td class=\"num\">\(p.count)</td></tr>\n"
        }
        return """
        <figure>
        <figcaption>\(HTML.escape(s.name)) <span class="meta">(\(HTML.escape(s.code)))</span></figcaption>
        \(chart.render())
        <p>\(HTML.escape(summaryText))</p>
        <details><summary>Tabel met de cijfers</summary>
        <table><caption class="meta">PM2,5 in µg/m³, gemiddelde per uur</caption>
        <thead><tr><th scope="col">Uur</th><th scope="col" class="num">Gemiddelde</th><th scope="col" class="num">Metingen</th></tr></thead>
        <tbody>
        \(rows)</tbody></table></details>
        <p><a href="/datasets/\(Self.dataset).csv">Download de cijfers (CSV)</a></p>
        </figure>

        """
    }

    /// Reads the pm25 rows of the last `hours` published hours, per wijk.
    private func load(_ summary: DatasetSummary) throws -> [Series] {
        let columns = summary.metadata.columns.map(\.name)
        guard let iCode = columns.firstIndex(of: "wijk_code"), let iName = columns.firstIndex(of: "wijk_naam"),
              let iStart = columns.firstIndex(of: "periode_start"), let iQuantity = columns.firstIndex(of: "grootheid"),
              let iMean = columns.firstIndex(of: "gemiddelde"), let iCount = columns.firstIndex(of: "aantal"),
              let end = summary.coverage?.end else { return [] }
        let from = end - Int64(Self.hours) * TimeBucket.hour
        var byWijk: [String: Series] = [:]
        var cursor: RowCursor?
        repeat {
            let page = try releases.rows(dataset: summary.metadata.name, after: cursor, limit: 5000)
            for row in page.rows {
                guard case .text("pm25") = row[iQuantity], case .text(let code) = row[iCode], case .text(let name) = row[iName],
                      case .text(let startText) = row[iStart], let start = ISO8601.parse(startText), start >= from else { continue }
                let mean: Double
                switch row[iMean] {
                case .number(let d): mean = d
                case .integer(let n): mean = Double(n)
                default: continue
                }
                guard case .integer(let count) = row[iCount] else { continue }
                byWijk[code, default: Series(code: code, name: name, points: [])].points.append((start, mean, count))
            }
            cursor = page.next
        } while cursor != nil
        return byWijk.values.sorted { $0.code < $1.code }.map { s in
            var sorted = s
            sorted.points.sort { $0.start < $1.start }
            return sorted
        }
    }
}
