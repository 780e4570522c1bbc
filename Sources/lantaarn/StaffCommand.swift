import ArgumentParser
import Foundation
import LantaarnModel
import Store

/// `lantaarn staff add|token|roles|disable|revoke|list`: named staff with roles and personal tokens.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Staff accounts, their roles and personal API tokens.",
        discussion: """
            Roles: datateam (pipelines, dashboards, sensors, backfills, quarantine), approver (approves publication and \
            pipeline versions), archivist (retention, destruction lists, holds, archive export), privacy (purpose register, \
            holds, disclosure reports, the audit log), admin (accounts and settings, the audit log). A token is shown once \
            and stored only as its SHA-256. Every change is recorded in the audit log ('lantaarn audit list').
            """,
        subcommands: [Add.self, Token.self, Roles.self, Disable.self, Revoke.self, List.self])

    /// `--expires 90d`: a token's lifetime, at most 366 days.
    static func lifetime(_ text: String?) throws -> Int64 {
        guard let text else { return StaffTokenText.defaultLifetime }
        guard let ms = DurationText.milliseconds(text), ms > 0, ms <= StaffTokenText.longestLifetime else {
            throw ValidationError("--expires '\(text.prefix(20))' must be a duration of at most 366 days, like 90d or 12w")
        }
        return ms
    }

    static func roles(_ text: String) throws -> Set<StaffRole> {
        switch StaffRole.parse(text) {
        case .success(let roles): return roles
        case .failure(let error): throw ValidationError("--roles: \(error)")
        }
    }

    /// Issues a token for `name` and prints it once.
    static func issue(_ store: StoreBackend, _ name: String, lifetime: Int64) throws {
        let token = StaffTokenText.generate()
        let now = Clock.nowMilliseconds()
        let issued = try store.audited("token.issue", target: name, detail: "expires \(ISO8601.format(milliseconds: now + lifetime))") {
            try store.staff.addToken(staff: name, hash: StaffTokenText.hash(token), createdAt: now, expiresAt: now + lifetime)
        }
        Console.line("token \(issued.id) for \(name), valid until \(ISO8601.format(milliseconds: issued.expiresAt)).")
        Console.line("It is shown only now; give it to \(name) over a safe channel:")
        Console.line(token)
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a member of staff with roles, and issue their first token.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Account name: 2 to 64 letters, digits, '.', '-', '_' or '@' (e.g. j.devries).") var name: String
        @Option(name: .long, help: "Comma-separated roles: datateam, approver, archivist, privacy, admin.") var roles: String
        @Option(name: .long, help: "Lifetime of the token (default 90d, at most 366d).") var expires: String?

        func run() async throws {
            let roles = try StaffCommand.roles(self.roles)
            let lifetime = try StaffCommand.lifetime(expires)
            let store = try StoreBackend.open(try common.settings())
            try store.audited("staff.add", target: name, detail: "roles \(StaffRole.text(roles))") {
                try store.staff.addStaff(StaffMember(name: name, roles: roles, createdAt: Clock.nowMilliseconds()))
            }
            Console.line("\(name) added with roles \(StaffRole.text(roles))")
            try StaffCommand.issue(store, name, lifetime: lifetime)
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a new personal token (the old ones stay valid until revoked or expired).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Account name.") var name: String
        @Option(name: .long, help: "Lifetime of the token (default 90d, at most 366d).") var expires: String?

        func run() async throws {
            let lifetime = try StaffCommand.lifetime(expires)
            try StaffCommand.issue(try StoreBackend.open(try common.settings()), name, lifetime: lifetime)
        }
    }

    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Replace the roles of a member of staff.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Account name.") var name: String
        @Option(name: .long, help: "Comma-separated roles: datateam, approver, archivist, privacy, admin.") var roles: String

        func run() async throws {
            let roles = try StaffCommand.roles(self.roles)
            let store = try StoreBackend.open(try common.settings())
            try store.audited("staff.roles", target: name, detail: "roles \(StaffRole.text(roles))") {
                try store.staff.setRoles(name, roles: roles)
            }
            Console.line("\(name) now has roles \(StaffRole.text(roles))")
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account: its tokens stop working at once.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Account name.") var name: String

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            try store.audited("staff.disable", target: name) { try store.staff.disableStaff(name, at: Clock.nowMilliseconds()) }
            Console.line("\(name) disabled; their tokens no longer work")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke one token by its id ('lantaarn staff list --tokens').")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Token id.") var id: Int64

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            let revoked = try store.audited("token.revoke", target: "token \(id)") { try store.staff.revokeToken(id: id, at: Clock.nowMilliseconds()) }
            Console.line(revoked ? "token \(id) revoked" : "token \(id) was revoked before")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List staff, and with --tokens their tokens (never the tokens themselves).")
        @OptionGroup var common: CommonOptions
        @Flag(name: .long, help: "Also list tokens: id, account, issued, expires, revoked.") var tokens = false

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            let members = try store.staff.staff()
            if members.isEmpty { Console.line("no staff yet; add the first with 'lantaarn staff add NAME --roles admin'") }
            for m in members {
                let state = m.disabledAt.map { "disabled \(ISO8601.format(milliseconds: $0))" } ?? "active"
                Console.line("\(m.name)\t\(StaffRole.text(m.roles))\t\(state)")
            }
            guard tokens else { return }
            let now = Clock.nowMilliseconds()
            for t in try store.staff.tokens(staff: nil) {
                let state = t.revokedAt.map { "revoked \(ISO8601.format(milliseconds: $0))" } ?? (t.expiresAt <= now ? "expired" : "valid")
                Console.line("token \(t.id)\t\(t.staff)\tissued \(ISO8601.format(milliseconds: t.createdAt))\t"
                    + "expires \(ISO8601.format(milliseconds: t.expiresAt))\t\(state)")
            }
        }
    }
}
