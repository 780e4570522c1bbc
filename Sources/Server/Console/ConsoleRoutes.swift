import Foundation
import Hummingbird
import LantaarnModel
import Store

/// The staff console (`/beheer/…`) on the admin listener: server-rendered Dutch pages for
/// pending approvals, pipeline runs and stale windows, quarantine, silent sensors, legal holds
/// and the audit log. Sign-in with a personal token (or through the identity provider, ``OIDCLogin``)
/// opens a session cookie; every form carries the session's anti-forgery token. Every route is
/// in ``table`` with the roles that may use it (`nil`: open, for signing in).
struct ConsoleRoutes {
    let deps: ServerDependencies

    struct Route: Sendable, Hashable, CustomStringConvertible {
        let method: HTTPRequest.Method
        let path: String
        /// `nil`: no session needed (sign-in and the stylesheet).
        let roles: Set<StaffRole>?
        var description: String { "\(method) \(path)" }
    }

    static let everyone = Set(StaffRole.allCases)
    static let table: [Route] = [
        Route(method: .get, path: "/beheer/inloggen", roles: nil),
        Route(method: .post, path: "/beheer/inloggen", roles: nil),
        Route(method: .get, path: "/beheer/oidc", roles: nil),
        Route(method: .get, path: "/beheer/oidc/terug", roles: nil),
        Route(method: .get, path: "/beheer/stijl.css", roles: nil),
        Route(method: .post, path: "/beheer/uitloggen", roles: everyone),
        Route(method: .get, path: "/beheer", roles: everyone),
        Route(method: .get, path: "/beheer/wijzigingen", roles: everyone),
        Route(method: .get, path: "/beheer/wijzigingen/:id", roles: everyone),
        Route(method: .post, path: "/beheer/wijzigingen/:id/besluit", roles: [.approver, .archivist, .privacy]),
        Route(method: .get, path: "/beheer/pijplijnen", roles: everyone),
        Route(method: .post, path: "/beheer/pijplijnen/:name/opnieuw", roles: [.datateam]),
        Route(method: .get, path: "/beheer/quarantaine", roles: [.datateam, .privacy]),
        Route(method: .post, path: "/beheer/quarantaine/opnieuw", roles: [.datateam]),
        Route(method: .get, path: "/beheer/sensoren", roles: everyone),
        Route(method: .get, path: "/beheer/bewaarplicht", roles: [.archivist, .privacy]),
        Route(method: .post, path: "/beheer/bewaarplicht/:id/opheffen", roles: [.archivist, .privacy]),
        Route(method: .get, path: "/beheer/audit", roles: [.admin, .privacy]),
    ]

    /// What a handler gets: the signed-in session (`nil` on open routes) and the request.
    struct Call {
        let session: StaffSession?
        let sessionHash: String?
        let request: Request
        let context: LantaarnRequestContext
        let form: FormFields?
        let now: Int64
        var who: StaffSession { session! }
    }

    typealias Handler = @Sendable (Call) async throws -> Response

    func register(on router: Router<LantaarnRequestContext>) {
        guard let access = deps.admin, let sources = deps.console else { return }
        let pages = ConsolePages(deps: deps, access: access, sources: sources)
        let handlers = pages.handlers()
        for route in Self.table {
            guard let handler = handlers[route.description] else { preconditionFailure("console route \(route) has no handler") }
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try await Self.call(route, handler, request, context, access: access, pages: pages)
            }
        }
    }

    /// Checks the session (401 without one, 403 without the role) and, on a form, its
    /// anti-forgery token (403); refusals are audited.
    private static func call(_ route: Route, _ handler: Handler, _ request: Request, _ context: LantaarnRequestContext,
                             access: StaffAccess, pages: ConsolePages) async throws -> Response {
        let now = Clock.nowMilliseconds()
        let form = route.method == .post ? try await FormFields(request) : nil
        guard let roles = route.roles else {
            return try await handler(Call(session: nil, sessionHash: nil, request: request, context: context, form: form, now: now))
        }
        let target = String("\(route.method) \(request.uri.path)".prefix(300))
        func deny(_ status: HTTPResponse.Status, _ actor: String, _ reason: String, _ page: String) throws -> Response {
            try access.staff.appendAudit(AuditDraft(at: now, actor: actor, action: "console.request", target: target, outcome: "denied", detail: reason))
            return pages.page(status: status, session: nil, title: status == .unauthorized ? "Inloggen nodig" : "Geen toegang", body: page)
        }
        guard let (session, hash) = try pages.sessions.session(request, now: now) else {
            return try deny(.unauthorized, "anonymous", "no session",
                            "<p>Log eerst in om deze pagina te zien.</p><p><a href=\"/beheer/inloggen\">Naar inloggen</a></p>")
        }
        if route.method == .post, !ConsoleSessions.matches(form?["csrf"], session.csrf) {
            return try deny(.forbidden, session.staff, "anti-forgery token missing or wrong",
                            "<p>Dit formulier is verlopen of kwam niet van deze site. Ga terug, laad de pagina opnieuw en probeer het nog eens.</p>")
        }
        guard !roles.isDisjoint(with: session.roles) else {
            let needed = StaffRole.text(roles).replacingOccurrences(of: ",", with: " of ")
            return try deny(.forbidden, session.staff, "lacks role \(needed)",
                            "<p>Hiervoor heeft u de rol \(HTML.escape(needed)) nodig. U heeft: \(HTML.escape(StaffRole.text(session.roles))).</p><p><a href=\"/beheer\">Naar het overzicht</a></p>")
        }
        return try await handler(Call(session: session, sessionHash: hash, request: request, context: context, form: form, now: now))
    }
}
