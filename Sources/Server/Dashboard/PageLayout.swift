/// The frame every public page shares: the municipality as sender, Dutch text, no external assets.
struct PageLayout {
    let site: PublicSite

    func render(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="nl">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) – \(HTML.escape(site.municipality))</title>
        <link rel="stylesheet" href="/static/lantaarn.css">
        </head>
        <body>
        <a class="skip" href="#inhoud">Direct naar de inhoud</a>
        <header>\(site.logoPath.map { "<img src=\"\($0)\" alt=\"Logo \(HTML.escape(site.municipality))\" height=\"48\">" } ?? "")<p>\(HTML.escape(site.municipality))</p></header>
        <main id="inhoud">
        \(body)
        </main>
        <footer>
        <p>Afzender: \(HTML.escape(site.municipality)). Vragen? Mail naar <a href="mailto:\(HTML.escape(site.contactEmail))">\(HTML.escape(site.contactEmail))</a>.</p>
        <p><a href="/dashboards">Dashboards</a> · <a href="/datasets">Alle open data</a> · <a href="/algoritmes">Algoritmeregister</a> · <a href="/privacy">Privacyverklaring</a> · <a href="/proclaimer">Proclaimer</a></p>
        </footer>
        </body>
        </html>
        """
    }
}
