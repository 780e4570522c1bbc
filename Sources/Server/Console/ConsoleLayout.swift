import LantaarnModel
import Store

/// The frame of every console page: the municipality as sender, Dutch text, the console's own
/// stylesheet, a menu by role and the sign-out form (with its anti-forgery token).
struct ConsoleLayout {
    let site: PublicSite
    let session: StaffSession?

    /// Menu entries: path, label, the roles that may open it.
    static let menu: [(String, String, Set<StaffRole>)] = [
        ("/beheer", "Overzicht", Set(StaffRole.allCases)),
        ("/beheer/wijzigingen", "Wijzigingen", Set(StaffRole.allCases)),
        ("/beheer/pijplijnen", "Pijplijnen", Set(StaffRole.allCases)),
        ("/beheer/quarantaine", "Quarantaine", [.datateam, .privacy]),
        ("/beheer/sensoren", "Stille sensoren", Set(StaffRole.allCases)),
        ("/beheer/bewaarplicht", "Bewaarplicht", [.archivist, .privacy]),
        ("/beheer/audit", "Auditlog", [.admin, .privacy]),
    ]

    func render(title: String, body: String) -> String {
        var nav = ""
        if let session {
            let items = Self.menu.filter { !$0.2.isDisjoint(with: session.roles) }
                .map { "<li><a href=\"\($0.0)\">\(HTML.escape($0.1))</a></li>" }.joined()
            nav = """
            <nav aria-label="Beheermenu"><ul class="menu">\(items)</ul></nav>
            <form method="post" action="/beheer/uitloggen" class="uitloggen">
            <input type="hidden" name="csrf" value="\(HTML.escape(session.csrf))">
            <p>Ingelogd als \(HTML.escape(session.staff)) (\(HTML.escape(StaffRole.text(session.roles).replacingOccurrences(of: ",", with: ", ")))).
            <button type="submit">Uitloggen</button></p>
            </form>
            """
        }
        return """
        <!doctype html>
        <html lang="nl">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) – Beheer – \(HTML.escape(site.municipality))</title>
        <link rel="stylesheet" href="/beheer/stijl.css">
        </head>
        <body>
        <a class="skip" href="#inhoud">Direct naar de inhoud</a>
        <header><p>\(HTML.escape(site.municipality)) – beheer van Lantaarn</p>\(nav)</header>
        <main id="inhoud">
        <h1>\(HTML.escape(title))</h1>
        \(body)
        </main>
        <footer><p>Afzender: \(HTML.escape(site.municipality)). Alleen voor medewerkers. Alles wat u hier doet, komt in het auditlog.</p></footer>
        </body>
        </html>
        """
    }

    /// A table with a caption and column headers; cells are HTML (escape text with `HTML.escape`).
    static func table(_ caption: String, _ headers: [String], _ rows: [[String]], empty: String) -> String {
        guard !rows.isEmpty else { return "<p>\(HTML.escape(empty))</p>" }
        let head = headers.map { "<th scope=\"col\">\(HTML.escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined()
        // A table wider than the screen scrolls by itself, reachable by keyboard (as on the public pages).
        return "<div class=\"scroll\" tabindex=\"0\" role=\"region\" aria-label=\"\(HTML.escape(caption)), tabel\"><table><caption>\(HTML.escape(caption))</caption>"
            + "<thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table></div>"
    }

    static func time(_ ms: Int64?) -> String {
        ms.map { ISO8601.format(milliseconds: $0).replacingOccurrences(of: "T", with: " ") } ?? "–"
    }
}
