import ArgumentParser
import LantaarnModel
import Store

/// `lantaarn approvals list|show|approve|reject`: four-eyes changes (the console does the same).
struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals", abstract: "Four-eyes changes: pipeline versions, lifting legal holds, destruction lists.",
        discussion: """
            A change takes effect only after a second member of staff with the right role approves it; nobody approves their own. \
            Pipeline versions need an approver; lifting a hold an archivist or privacy officer. Approve and reject need your \
            personal token (--token-file or LANTAARN_TOKEN_FILE) and a reason.
            """,
        subcommands: [List.self, Show.self, Approve.self, Reject.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pending changes (--all: every change).")
        @OptionGroup var common: CommonOptions
        @Flag(name: .long, help: "Also decided and superseded changes.") var all = false

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            let changes = try store.staff.changes(status: all ? nil : .pending, kind: nil, limit: 500)
            if changes.isEmpty { Console.line(all ? "no changes" : "no pending changes") }
            for c in changes {
                Console.line("#\(c.id)\t\(c.status.rawValue)\t\(c.proposal.kind.rawValue)\t\(c.proposal.target)\tby \(c.proposal.proposedBy)"
                             + "\t\(ISO8601.format(milliseconds: c.proposal.proposedAt))" + (c.decidedBy.map { "\t\(c.status.rawValue) by \($0)" } ?? ""))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one change: summary, diff and preview.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Change id.") var id: Int64

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            guard let c = try store.staff.change(id: id) else { throw ApprovalError.noSuchChange(id) }
            Console.line("change #\(c.id): \(c.proposal.kind.rawValue) \(c.proposal.target) (\(c.status.rawValue))")
            Console.line("proposed by \(c.proposal.proposedBy) at \(ISO8601.format(milliseconds: c.proposal.proposedAt)); sha256 \(c.proposal.contentHash)")
            if let by = c.decidedBy, let at = c.decidedAt {
                Console.line("\(c.status.rawValue) by \(by) at \(ISO8601.format(milliseconds: at)): \(c.reason ?? "")")
            }
            Console.line("")
            Console.line(c.proposal.summary)
            if !c.proposal.diff.isEmpty {
                Console.line("")
                Console.line("diff:")
                Console.line(c.proposal.diff)
            }
            if !c.proposal.preview.isEmpty {
                Console.line("")
                Console.line(c.proposal.preview)
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve a change; it takes effect (a pipeline version from its next window on).")
        @OptionGroup var common: CommonOptions
        @OptionGroup var identity: StaffIdentityOptions
        @Argument(help: "Change id.") var id: Int64
        @Option(name: .long, help: "Why (kept with the decision).") var reason: String

        func run() async throws { try decide(common, identity, id, approve: true, reason: reason) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject a change; what is in force stays.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var identity: StaffIdentityOptions
        @Argument(help: "Change id.") var id: Int64
        @Option(name: .long, help: "Why (kept with the decision).") var reason: String

        func run() async throws { try decide(common, identity, id, approve: false, reason: reason) }
    }

    static func decide(_ common: CommonOptions, _ identity: StaffIdentityOptions, _ id: Int64, approve: Bool, reason: String) throws {
        let store = try StoreBackend.open(try common.settings())
        let who = try identity.require(store, for: approve ? "approving a change" : "rejecting a change")
        let c = try store.approvalDesk.decide(id, approve: approve, by: who.name, roles: who.roles, reason: reason, at: Clock.nowMilliseconds())
        let effect: String
        switch (approve, c.proposal.kind) {
        case (false, _): effect = "what is in force stays"
        case (true, .pipeline): effect = "the scheduler runs this version from its next window on"
        case (true, .holdLift): effect = "legal hold #\(c.proposal.target) is lifted"
        case (true, .destruction): effect = "the destruction list may be carried out"
        }
        Console.line("change #\(id) \(approve ? "approved" : "rejected") by \(who.name); \(effect)")
    }
}
