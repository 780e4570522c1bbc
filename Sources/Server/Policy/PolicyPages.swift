import LantaarnModel
import Pipelines

/// `/privacy` and `/proclaimer` in plain Dutch (B1). The privacy statement is generated from
/// what Lantaarn itself knows: the pipelines (purpose, legal basis, what they read and publish,
/// how long), the retention of raw inputs in `lantaarn.yaml`, and the site's contact details;
/// with one annex per application (sensors, meldingen, travel times, this website).
struct PolicyPages {
    let site: PublicSite
    let privacy: PrivacyFacts
    let pipelines: [PipelineDefinition]

    func privacyStatement() -> String {
        let m = HTML.escape(site.municipality)
        var body = """
        <h1>Privacyverklaring open data</h1>
        <p>\(m) meet met sensoren in de openbare ruimte en verwerkt meldingen van inwoners. Daar maken we open data van.
        Op deze pagina leest u welke gegevens we daarvoor bewaren, waarom, en hoe lang. De gemeente is verantwoordelijk voor deze verwerking.</p>
        <h2>In het kort</h2>
        <ul>
        <li>In de open data staan geen persoonsgegevens. We tellen en middelen per wijk, en laten groepen weg die te klein zijn.</li>
        <li>Deze website plaatst geen cookies. Er zijn geen trackers en geen diensten van andere bedrijven.</li>
        <li>Van uw bezoek bewaren we alleen een ingekort IP-adres (het laatste deel is weggelaten), het adres van de pagina en het tijdstip.
        Wat u in een zoekvak of filter typt, komt niet in dat logboek.</li>
        <li>Alle gegevens blijven bij de gemeente. Er is geen leverancier die ze krijgt.</li>
        </ul>
        <h2>Uw rechten</h2>
        <p>U mag vragen welke gegevens we over u hebben, en vragen om ze te verbeteren of te verwijderen. U mag ook bezwaar maken.
        Stuur daarvoor een e-mail naar <a href="mailto:\(HTML.escape(site.contactEmail))">\(HTML.escape(site.contactEmail))</a>.\(contactLine())</p>
        """
        if let officer = site.privacyOfficer {
            body += "<p>Vragen over privacy? De functionaris gegevensbescherming is bereikbaar via <a href=\"mailto:\(HTML.escape(officer))\">\(HTML.escape(officer))</a>.</p>\n"
        }
        body += """
        <p>Bent u het niet eens met hoe we met uw gegevens omgaan? Dan kunt u een klacht indienen bij de Autoriteit Persoonsgegevens.</p>
        <h2>Bijlagen: per toepassing</h2>
        <p>Hieronder staat per toepassing wat we bewaren. De rekenregels die er open data van maken, staan ook in het
        <a href="/algoritmes">algoritmeregister</a>.</p>
        """
        body += annex(title: "Sensoren op lantaarnpalen",
                      kept: "Per sensor: het tijdstip en de meetwaarde (bijvoorbeeld fijnstof, geluid, licht of het aantal voorbijgangers per minuut), en of de meting betrouwbaar lijkt. Sensoren die mensen tellen, slaan geen beelden of apparaatnummers op: alleen aantallen.",
                      personal: false, retention: privacy.readings, input: { if case .readings = $0 { true } else { false } })
        body += annex(title: "Meldingen openbare ruimte",
                      kept: "Per melding: de categorie, de wijk en buurt, het tijdstip en de status. Naam, e-mailadres, telefoonnummer en het precieze adres van de melder bewaren we hier niet."
                        + (privacy.meldingText.map { " De tekst van de melding bewaren we alleen intern, nadat e-mailadressen, telefoonnummers en kentekens eruit zijn gehaald, en niet langer dan \(Self.period($0.keep))." } ?? " De tekst van de melding bewaren we niet."),
                      personal: true, retention: privacy.meldingen, input: { $0 == .meldingen })
        body += annex(title: "Reistijden uit kentekencamera's",
                      kept: "Een kenteken wordt direct bij binnenkomst vervangen door een code (pseudoniem) die elke week verandert. Het kenteken zelf bewaren we niet. De sleutel van een week vernietigen we \(Self.period(privacy.pseudonymKeys.keep)) na die week; daarna is een code niet meer terug te leiden. In de open data staan alleen reistijden van groepen auto's.",
                      personal: true, retention: privacy.pseudonymKeys, input: { $0 == .anpr })
        body += """
        <section>
        <h3>Deze website</h3>
        <dl>
        <dt>Wat we bewaren</dt><dd>Per bezoek: het ingekorte IP-adres, de pagina, het tijdstip en of het gelukt is. Geen cookies, geen zoekvragen in het logboek, geen gegevens van andere bedrijven.</dd>
        <dt>Waarom</dt><dd>Om storingen en misbruik op te sporen.</dd>
        <dt>Hoe lang</dt><dd>Zo kort als het beheer van de server toelaat.</dd>
        </dl>
        </section>
        <p>Technische buffer: ontvangen berichten van sensoren bewaren we \(Self.period(privacy.ingestLog.keep)), zodat we ze opnieuw kunnen verwerken als er iets misgaat.</p>
        """
        return PageLayout(site: site).render(title: "Privacyverklaring", body: body)
    }

    func proclaimer() -> String {
        let m = HTML.escape(site.municipality)
        let body = """
        <h1>Proclaimer</h1>
        <p>Deze website is van \(m). We doen ons best om de informatie en de open data juist, volledig en actueel te houden.
        Toch kan er iets niet kloppen: een sensor kan verkeerd meten, of een melding kan later anders worden ingedeeld.
        Aan de gegevens op deze website kunt u geen rechten ontlenen.</p>
        <h2>Open data</h2>
        <p>U mag de open data vrij gebruiken, ook voor commerciële doelen. De licentie staat bij elke dataset. Bij elke versie van een dataset
        staat een controlegetal (SHA-256) en hoe de versie is gemaakt. Zo kunt u nagaan of u dezelfde gegevens heeft als wij.</p>
        <h2>Metingen</h2>
        <p>De sensoren zijn geen officiële meetstations. Hun metingen geven een beeld per wijk, maar zijn minder nauwkeurig dan die van officiële meetnetten.</p>
        <h2>Links en verantwoording</h2>
        <p>Deze website laadt niets van andere websites. Hoe de cijfers worden berekend, staat in het <a href="/algoritmes">algoritmeregister</a>.
        Hoe we met gegevens omgaan, staat in de <a href="/privacy">privacyverklaring</a>.</p>
        <h2>Contact</h2>
        <p>Ziet u een fout, of heeft u een vraag? Mail naar <a href="mailto:\(HTML.escape(site.contactEmail))">\(HTML.escape(site.contactEmail))</a>.\(contactLine())</p>
        """
        return PageLayout(site: site).render(title: "Proclaimer", body: body)
    }

    private func contactLine() -> String {
        var out = ""
        if let phone = site.phone { out += " U kunt ook bellen: \(HTML.escape(phone))." }
        if let address = site.address { out += " Ons postadres is \(HTML.escape(address))." }
        return out
    }

    /// One application: what is kept, whether it is personal data, how long, and each pipeline that reads it.
    private func annex(title: String, kept: String, personal: Bool, retention: PrivacyFacts.Retention,
                       input matches: (PipelineDefinition.Input) -> Bool) -> String {
        let uses = pipelines.filter { matches($0.input) }.sorted { $0.name < $1.name }
        var out = "<section>\n<h3>\(HTML.escape(title))</h3>\n<dl>\n"
        out += "<dt>Wat we bewaren</dt><dd>\(HTML.escape(kept))</dd>\n"
        out += "<dt>Persoonsgegevens?</dt><dd>\(personal ? "Ja, daarom gelden extra regels: alleen voor de doelen hieronder, en zo kort mogelijk." : "Nee, het gaat om metingen van apparaten.")</dd>\n"
        out += "<dt>Hoe lang</dt><dd>\(Self.period(retention.keep))\(retention.basis.isEmpty ? "" : " (grondslag: \(HTML.escape(retention.basis)))"). Daarna vernietigen we de gegevens en leggen we dat vast.</dd>\n"
        out += "<dt>Cookies</dt><dd>Geen.</dd>\n"
        if uses.isEmpty {
            out += "<dt>Doelen</dt><dd>Op dit moment gebruikt geen rekenregel deze gegevens.</dd>\n"
        } else {
            out += "<dt>Doelen</dt><dd><ul>\n"
            for p in uses {
                out += "<li><a href=\"/algoritmes#alg-\(HTML.escape(p.name))\">\(HTML.escape(p.name))</a>: \(HTML.escape(p.purpose)) "
                out += "Grondslag: \(HTML.escape(p.legalBasis)). "
                out += p.output.accessRights.hasSuffix("/PUBLIC")
                    ? "Resultaat: open dataset <a href=\"/datasets?q=\(HTML.escape(p.output.dataset))\">\(HTML.escape(p.output.dataset))</a>, bewaard: \(HTML.escape(p.output.retention.dutch)).</li>\n"
                    : "Resultaat: interne dataset \(HTML.escape(p.output.dataset)), niet openbaar, bewaard: \(HTML.escape(p.output.retention.dutch)).</li>\n"
            }
            out += "</ul></dd>\n"
        }
        return out + "</dl>\n</section>\n"
    }

    /// `5y` → "5 jaar", `7d` → "1 week".
    static func period(_ text: String) -> String {
        DurationText.milliseconds(text).map(DurationText.dutch) ?? text
    }
}
