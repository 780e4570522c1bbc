/// `/-/ingest`: which sensors are silent, and what every sensor sent since the start, in plain Dutch.
struct IngestStatusPage {
    let site: PublicSite
    let status: IngestStatus

    func render() -> String {
        let silent = status.silent
        var body = "<h1>Ontvangst van sensoren</h1>\n"
        body += "<p>Elk bericht van een sensor wordt opgeslagen, in quarantaine gezet (met de reden) of als dubbel bericht overgeslagen. "
        body += "De tellingen lopen vanaf de laatste start van Lantaarn.</p>\n"
        body += "<h2>Stille sensoren</h2>\n"
        if silent.isEmpty {
            body += "<p>Alle \(status.sensors.count) sensoren hebben het afgelopen uur iets gestuurd.</p>\n"
        } else {
            body += "<p>\(silent.count) van de \(status.sensors.count) sensoren stuurden het afgelopen uur niets:</p>\n<ul>\n"
            for s in silent {
                let when = s.lastSeen.map { "laatst gehoord \(LocalTime.dateTime($0))" } ?? "nog niets ontvangen sinds de start"
                body += "<li>\(HTML.escape(s.id)) (\(HTML.escape(s.kind))): \(when)</li>\n"
            }
            body += "</ul>\n"
        }
        body += "<h2>Alle sensoren</h2>\n<table>\n<caption>Berichten per sensor sinds de start</caption>\n"
        body += "<thead><tr><th scope=\"col\">Sensor</th><th scope=\"col\">Ontvangen</th><th scope=\"col\">Opgeslagen</th>"
        body += "<th scope=\"col\">Quarantaine</th><th scope=\"col\">Dubbel</th><th scope=\"col\">Laatst gehoord</th></tr></thead>\n<tbody>\n"
        for s in status.sensors.sorted(by: { $0.id < $1.id }) {
            body += "<tr><th scope=\"row\">\(HTML.escape(s.id))</th><td>\(s.received)</td><td>\(s.stored)</td><td>\(s.quarantined)</td>"
            body += "<td>\(s.duplicates)</td><td>\(s.lastSeen.map(LocalTime.dateTime) ?? "–")</td></tr>\n"
        }
        body += "</tbody>\n</table>\n"
        return PageLayout(site: site).render(title: "Ontvangst van sensoren", body: body)
    }
}
