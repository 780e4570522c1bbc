import Foundation
import HTTPTypes
import Hummingbird
import LantaarnModel
import Store

/// The operational pages: pipeline runs and stale windows, quarantine, silent sensors, legal
/// holds and the audit log.
extension ConsolePages {
    func pipelines(_ call: Call) throws -> Response {
        let runs = deps.pipelineRuns()
        let failing = Self.failing(runs)
        let canRetry = call.who.roles.contains(.datateam)
        let failingRows = failing.map { r -> [String] in
            [HTML.escape(r.pipeline), HTML.escape(ConsoleLayout.time(r.startedAt)), HTML.escape(String((r.error ?? "").prefix(300))),
             canRetry ? "<form method=\"post\" action=\"/beheer/pijplijnen/\(HTML.escape(r.pipeline))/opnieuw\">\(csrfField(call))<button type=\"submit\">Opnieuw draaien<span class=\"verborgen\"> \(HTML.escape(r.pipeline))</span></button></form>" : "–"]
        }
        let runRows = runs.prefix(50).map { r -> [String] in
            [HTML.escape(r.pipeline), HTML.escape(ConsoleLayout.time(r.startedAt)), "\(r.windows)", "\(r.rowsOut)", r.outcome == "ok" ? "gelukt" : "mislukt"]
        }
        let staleRows = try sources.staleWindows().map { s -> [String] in
            [HTML.escape(s.pipeline), HTML.escape(ConsoleLayout.time(s.window.window.start)), HTML.escape(ConsoleLayout.time(s.window.window.end)),
             "\(s.window.changes.values.reduce(0, +))", HTML.escape(ConsoleLayout.time(s.window.lastChangeAt))]
        }
        return page(session: call.who, title: "Pijplijnen", body: """
            <h2>Mislukt</h2>
            \(ConsoleLayout.table("Pijplijnen waarvan de laatste run mislukte", ["Pijplijn", "Gestart", "Fout", "Actie"], failingRows, empty: "Geen mislukte runs."))
            <h2>Verouderde vensters</h2>
            <p>Na publicatie kwamen er metingen bij of veranderden ze. De planner rekent deze vensters vanzelf opnieuw uit zodra de wijzigingen tot rust komen.</p>
            \(ConsoleLayout.table("Verouderde vensters", ["Pijplijn", "Van", "Tot", "Gewijzigde metingen", "Laatste wijziging"], staleRows, empty: "Geen verouderde vensters."))
            <h2>Laatste runs</h2>
            \(ConsoleLayout.table("De laatste 50 runs", ["Pijplijn", "Gestart", "Vensters", "Rijen gepubliceerd", "Uitkomst"], Array(runRows), empty: "Nog geen runs."))
            """)
    }

    func quarantine(_ call: Call) throws -> Response {
        let entries = try sources.quarantine()
        var byReason: [String: (count: Int, latest: Int64)] = [:]
        for e in entries {
            let key = String(e.reason.prefix(160))
            let old = byReason[key] ?? (0, 0)
            byReason[key] = (old.count + 1, max(old.latest, e.receivedAt))
        }
        let rows = byReason.sorted { $0.value.count > $1.value.count }.map { [HTML.escape($0.key), "\($0.value.count)", HTML.escape(ConsoleLayout.time($0.value.latest))] }
        let replay = call.who.roles.contains(.datateam) && !entries.isEmpty ? """
            <h2>Opnieuw controleren</h2>
            <p>Heeft u de sensorlijst aangepast? Controleer dan alle berichten opnieuw. Wat nu klopt, wordt opgeslagen. Opgeslagen waarden worden niet overschreven.</p>
            <form method="post" action="/beheer/quarantaine/opnieuw">\(csrfField(call))<p><button type="submit">Alles opnieuw controleren</button></p></form>
            """ : ""
        return page(session: call.who, title: "Quarantaine", body: "<p>Berichten die we niet konden opslaan, per reden.</p>"
                    + ConsoleLayout.table("Quarantaine per reden", ["Reden", "Aantal", "Laatste"], rows, empty: "De quarantaine is leeg.") + replay)
    }

    func silentSensors(_ call: Call) -> Response {
        guard sources.ingestsHere else {
            return page(session: call.who, title: "Stille sensoren", body: "<p>Deze server ontvangt zelf geen sensorberichten, dus weet niet welke sensoren stil zijn. Open de console op een server die berichten ontvangt (rol ingest), of kijk op <code>/-/ingest</code> daar.</p>")
        }
        let status = deps.ingestStatus()
        let rows = status.silent.map { [HTML.escape($0.id), HTML.escape($0.kind), $0.lastSeen.map { HTML.escape(ConsoleLayout.time($0)) } ?? "nooit"] }
        return page(session: call.who, title: "Stille sensoren", body: "<p>Sensoren waarvan we langer dan \(status.silentAfter / 60_000) minuten niets hoorden.</p>"
                    + ConsoleLayout.table("Stille sensoren", ["Sensor", "Soort", "Laatst gehoord"], rows, empty: "Alle sensoren zijn te horen."))
    }

    func holds(_ call: Call) throws -> Response {
        let rows = try sources.holds().map { h -> [String] in
            [" #\(h.id)", HTML.escape(h.kind.rawValue), HTML.escape(h.subject), HTML.escape("\(h.window)"), HTML.escape(h.reason),
             """
             <form method="post" action="/beheer/bewaarplicht/\(h.id)/opheffen">\(csrfField(call))
             <label for="toelichting-\(h.id)">Waarom mag #\(h.id) eraf?</label>
             <input id="toelichting-\(h.id)" name="toelichting" required minlength="5">
             <button type="submit">Opheffen voorstellen</button></form>
             """]
        }
        return page(session: call.who, title: "Bewaarplicht", body: """
            <p>Gegevens onder een bewaarplicht worden niet vernietigd. Opheffen gaat in als een tweede archivaris of privacyfunctionaris het goedkeurt.</p>
            \(ConsoleLayout.table("Bewaarplichten", ["Nummer", "Soort", "Wat", "Periode", "Reden", "Opheffen"], rows, empty: "Er zijn geen bewaarplichten."))
            """)
    }

    func proposeLift(_ call: Call) throws -> Response {
        guard let id = Int64(try call.context.parameters.require("id")) else {
            return page(status: .notFound, session: call.who, title: "Niet gevonden", body: "<p>Deze bewaarplicht bestaat niet.</p>")
        }
        do {
            let c = try sources.desk.proposeHoldLift(id, by: call.who.staff, roles: call.who.roles, note: call.form?["toelichting"] ?? "", at: call.now)
            return page(session: call.who, title: "Voorgesteld", body: "<p>Het opheffen van bewaarplicht #\(id) is voorgesteld als <a href=\"/beheer/wijzigingen/\(c.id)\">wijziging #\(c.id)</a>. Een andere archivaris of privacyfunctionaris besluit.</p>")
        } catch let e as ApprovalError {
            return page(status: .badRequest, session: call.who, title: "Niet gelukt", body: "<p>\(HTML.escape(Self.dutch(e)))</p><p><a href=\"/beheer/bewaarplicht\">Terug</a></p>")
        }
    }

    func auditLog(_ call: Call) throws -> Response {
        let q = call.request.uri.queryParameters
        func text(_ key: String) -> String? { q.get(key).flatMap { $0.isEmpty ? nil : String($0.prefix(100)) } }
        func day(_ key: String) -> Int64? { text(key).flatMap { ISO8601.parse($0.count == 10 ? $0 + "T00:00:00Z" : $0) } }
        let filter = AuditFilter(actor: text("wie"), action: text("actie"), outcome: text("uitkomst"), since: day("van"), until: day("tot"), limit: 200)
        let rows = try access.staff.auditEntries(filter).map { e in
            ["\(e.seq)", HTML.escape(ConsoleLayout.time(e.draft.at)), HTML.escape(e.draft.actor), HTML.escape(e.draft.action),
             HTML.escape(e.draft.target), HTML.escape(e.draft.outcome), HTML.escape(e.draft.detail)]
        }
        func field(_ key: String, _ label: String, _ hint: String) -> String {
            "<p><label for=\"\(key)\">\(label)</label> <input id=\"\(key)\" name=\"\(key)\" value=\"\(HTML.escape(text(key) ?? ""))\" aria-describedby=\"\(key)-uitleg\"> <span id=\"\(key)-uitleg\">\(hint)</span></p>"
        }
        return page(session: call.who, title: "Auditlog", body: """
            <p>Elke handeling van medewerkers, met wie, wanneer, wat en de uitkomst. Met <code>lantaarn audit verify</code> controleert u dat niets is veranderd.</p>
            <form method="get" action="/beheer/audit">
            \(field("wie", "Wie", "accountnaam"))
            \(field("actie", "Actie", "begin van de naam, bijvoorbeeld approval."))
            \(field("uitkomst", "Uitkomst", "ok, denied of failed"))
            \(field("van", "Vanaf", "datum, bijvoorbeeld 2026-12-01"))
            \(field("tot", "Tot", "datum"))
            <p><button type="submit">Filteren</button></p>
            </form>
            \(ConsoleLayout.table("De nieuwste 200 regels", ["Nr", "Wanneer", "Wie", "Actie", "Waarop", "Uitkomst", "Toelichting"], rows, empty: "Geen regels met dit filter."))
            """)
    }
}
