import Foundation
import HTTPTypes
import Hummingbird
import LantaarnModel
import Store

/// The overview and the four-eyes pages: pending and decided changes, one change with its diff,
/// preview and decision form, and the decision.
extension ConsolePages {
    func overview(_ call: Call) throws -> Response {
        let pending = try access.staff.changes(status: .pending, kind: nil, limit: 1000).count
        let failing = Self.failing(deps.pipelineRuns()).count
        let stale = try sources.staleWindows().count
        let quarantined = try sources.quarantine().count
        let silent = sources.ingestsHere ? "\(deps.ingestStatus().silent.count)" : "onbekend op deze server"
        let holds = try sources.holds().count
        let rows: [[String]] = [
            ["<a href=\"/beheer/wijzigingen\">Wijzigingen die wachten op een besluit</a>", "\(pending)"],
            ["<a href=\"/beheer/pijplijnen\">Pijplijnen waarvan de laatste run mislukte</a>", "\(failing)"],
            ["<a href=\"/beheer/pijplijnen\">Verouderde vensters (gegevens veranderd na publicatie)</a>", "\(stale)"],
            ["<a href=\"/beheer/quarantaine\">Berichten in quarantaine</a>", "\(quarantined)"],
            ["<a href=\"/beheer/sensoren\">Stille sensoren</a>", silent],
            ["<a href=\"/beheer/bewaarplicht\">Bewaarplichten</a>", "\(holds)"],
        ]
        return page(session: call.who, title: "Overzicht", body: "<p>Wat uw aandacht nodig heeft.</p>"
                    + ConsoleLayout.table("Stand van zaken", ["Onderwerp", "Aantal"], rows, empty: ""))
    }

    func changes(_ call: Call) throws -> Response {
        func rows(_ list: [ChangeRequest]) -> [[String]] {
            list.map { c in
                ["<a href=\"/beheer/wijzigingen/\(c.id)\">#\(c.id)</a>", HTML.escape(c.proposal.kind.dutch), HTML.escape(c.proposal.target),
                 HTML.escape(c.proposal.proposedBy), HTML.escape(ConsoleLayout.time(c.proposal.proposedAt)), Self.status(c.status)
                    + (c.decidedBy.map { " door " + HTML.escape($0) } ?? "")]
            }
        }
        let pending = try access.staff.changes(status: .pending, kind: nil, limit: 200)
        let recent = try access.staff.changes(status: nil, kind: nil, limit: 50).filter { $0.status != .pending }
        let headers = ["Nummer", "Soort", "Wat", "Voorgesteld door", "Wanneer", "Stand"]
        let waiting = try sources.waiting()
        let notProposed = waiting.isEmpty ? "" : "<h2>Gewijzigde pijplijnbestanden</h2>" + ConsoleLayout.table(
            "Pijplijnen waarvan het bestand afwijkt van de goedgekeurde versie", ["Pijplijn", "Draait nu"],
            waiting.map { [HTML.escape($0.pipeline), $0.running.map { "goedgekeurde versie " + HTML.escape(String($0.prefix(12))) } ?? "niets (nog nooit goedgekeurd)"] },
            empty: "") + "<p>Stel een wijziging voor met <code>lantaarn pipeline propose NAAM</code>.</p>"
        return page(session: call.who, title: "Wijzigingen", body: """
            <p>Een wijziging gaat pas in als een tweede medewerker met de juiste rol haar goedkeurt. Niemand keurt een eigen wijziging goed.</p>
            <h2>Wachten op een besluit</h2>
            \(ConsoleLayout.table("Wijzigingen die wachten", headers, rows(pending), empty: "Er wachten geen wijzigingen."))
            \(notProposed)
            <h2>Recent besloten</h2>
            \(ConsoleLayout.table("Recent besloten wijzigingen", headers, rows(recent), empty: "Nog geen besluiten."))
            """)
    }

    func change(_ call: Call) throws -> Response {
        guard let id = Int64(try call.context.parameters.require("id")), let c = try access.staff.change(id: id) else {
            return page(status: .notFound, session: call.who, title: "Niet gevonden", body: "<p>Deze wijziging bestaat niet. <a href=\"/beheer/wijzigingen\">Naar de wijzigingen</a></p>")
        }
        var body = """
        <p>\(HTML.escape(c.proposal.summary))</p>
        <dl>
        <dt>Soort</dt><dd>\(HTML.escape(c.proposal.kind.dutch))</dd>
        <dt>Wat</dt><dd>\(HTML.escape(c.proposal.target))</dd>
        <dt>Voorgesteld door</dt><dd>\(HTML.escape(c.proposal.proposedBy)), \(HTML.escape(ConsoleLayout.time(c.proposal.proposedAt)))</dd>
        <dt>Vingerafdruk (SHA-256)</dt><dd><code>\(HTML.escape(c.proposal.contentHash))</code></dd>
        <dt>Stand</dt><dd>\(Self.status(c.status))\(c.decidedBy.map { " door " + HTML.escape($0) + ", " + HTML.escape(ConsoleLayout.time(c.decidedAt)) + ": " + HTML.escape(c.reason ?? "") } ?? "")</dd>
        </dl>
        """
        if !c.proposal.diff.isEmpty {
            body += "<details open><summary>Wat verandert er (regels met - gaan weg, met + komen erbij)</summary><pre tabindex=\"0\">\(HTML.escape(c.proposal.diff))</pre></details>"
        }
        if !c.proposal.preview.isEmpty {
            body += "<details open><summary>Voorbeeld van de uitkomst, naast wat nu gepubliceerd is</summary><pre tabindex=\"0\">\(HTML.escape(c.proposal.preview))</pre></details>"
        }
        if c.status == .pending {
            if c.proposal.proposedBy == call.who.staff {
                body += "<p>U heeft deze wijziging zelf voorgesteld. Een andere medewerker moet erover besluiten.</p>"
            } else if call.who.roles.isDisjoint(with: c.proposal.kind.approvers) {
                body += "<p>Hierover besluit iemand met de rol \(HTML.escape(StaffRole.text(c.proposal.kind.approvers).replacingOccurrences(of: ",", with: " of "))).</p>"
            } else {
                body += """
                <h2>Besluit</h2>
                <form method="post" action="/beheer/wijzigingen/\(c.id)/besluit">
                \(csrfField(call))
                <p><label for="reden">Waarom besluit u zo? (verplicht, minstens 5 tekens)</label><br>
                <textarea id="reden" name="reden" rows="3" cols="60" required minlength="5"></textarea></p>
                <p><button type="submit" name="besluit" value="goedkeuren">Goedkeuren</button>
                <button type="submit" name="besluit" value="afwijzen">Afwijzen</button></p>
                </form>
                """
            }
        }
        return page(session: call.who, title: "Wijziging #\(c.id)", body: body)
    }

    func decide(_ call: Call) throws -> Response {
        guard let id = Int64(try call.context.parameters.require("id")) else {
            return page(status: .notFound, session: call.who, title: "Niet gevonden", body: "<p>Deze wijziging bestaat niet.</p>")
        }
        let verdict = call.form?["besluit"]
        guard verdict == "goedkeuren" || verdict == "afwijzen" else {
            return page(status: .badRequest, session: call.who, title: "Kies een besluit", body: "<p>Kies Goedkeuren of Afwijzen. <a href=\"/beheer/wijzigingen/\(id)\">Terug</a></p>")
        }
        do {
            let c = try sources.desk.decide(id, approve: verdict == "goedkeuren", by: call.who.staff, roles: call.who.roles,
                                            reason: call.form?["reden"] ?? "", at: call.now)
            let effect = c.status == .rejected ? "Wat nu geldt, blijft gelden."
                : c.proposal.kind == .pipeline ? "De planner draait deze versie vanaf het volgende venster."
                : c.proposal.kind == .holdLift ? "De bewaarplicht is opgeheven." : "De wijziging geldt nu."
            return page(session: call.who, title: c.status == .approved ? "Goedgekeurd" : "Afgewezen",
                        body: "<p>Wijziging #\(id) is \(c.status == .approved ? "goedgekeurd" : "afgewezen"). \(effect)</p><p><a href=\"/beheer/wijzigingen\">Naar de wijzigingen</a></p>")
        } catch let e as ApprovalError {
            let status: HTTPResponse.Status
            switch e {
            case .ownChange, .lacksRole: status = .forbidden
            case .notPending: status = .conflict
            case .noSuchChange, .noSuchHold: status = .notFound
            case .noReason, .identityRequired: status = .badRequest
            }
            return page(status: status, session: call.who, title: "Niet gelukt", body: "<p>\(HTML.escape(Self.dutch(e)))</p><p><a href=\"/beheer/wijzigingen/\(id)\">Terug naar de wijziging</a></p>")
        }
    }
}
