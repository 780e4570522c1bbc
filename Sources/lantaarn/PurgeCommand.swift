import ArgumentParser
import Foundation
import LantaarnModel
import Store

/// `lantaarn purge [--dry-run]`, `purge approve LIST`, `purge lists` and `purge log`.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Destroy data past its retention under approved destruction lists, and show the destruction log.",
        discussion: """
            Records (readings, dataset rows, meldingen, quarantined input, audit entries) are destroyed only under a destruction \
            list an archivist has approved: 'lantaarn purge' carries out approved lists and draws up a new one; 'lantaarn purge \
            approve LIST' approves one (four-eyes once staff accounts exist) and carries it out. Technical copies and keys \
            (committed ingest-log segments, pseudonym keys, unmatched ANPR sightings, stale kept downloads) go on time without a list.
            """,
        subcommands: [Run.self, Approve.self, Lists.self, Log.self], defaultSubcommand: Run.self)

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Carry out approved destruction lists, destroy technical copies past their retention, and draw up the next list.")
        @OptionGroup var common: CommonOptions

        @Flag(name: .long, help: "Show what a destruction list drawn up now would name, and change nothing.")
        var dryRun = false

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.purge")
            let run = RetentionRun(runtime: runtime, catalog: try runtime.pipelines())
            let now = Clock.nowMilliseconds()
            if dryRun {
                Console.line("purge (dry run): what a destruction list drawn up now would name…")
                let list = try DestructionList.draw(run, at: now)
                for line in RetentionRun.lines(list.drawn) { Console.line(line) }
                if !list.isEmpty { Console.line("(destroyed only under an approved destruction list)") }
                return
            }
            Console.line("purge: carrying out approved destruction lists and destroying technical copies past their retention…")
            let lists = DestructionLists(run: run)
            let (outcome, proposal) = try runtime.store.audited("purge.run", target: "retention", summary: { (r: (RetentionRun.Outcome, DestructionLists.Proposal)) in
                "\(r.0.report.total) readings and rows, \(r.0.segments.count) log segments, \(r.0.keysDestroyed) pseudonym keys, "
                    + "\(r.0.auditEntries) audit entries destroyed; \(r.0.report.held.count) holds kept data"
                    + (r.1.change.map { "; destruction list \($0.id) \(r.1.new ? "drawn up" : "waits for approval")" } ?? "")
            }) { () throws -> (RetentionRun.Outcome, DestructionLists.Proposal) in
                var outcome = RetentionRun.Outcome(report: .init(dryRun: false), segments: [])
                for (change, result) in try lists.carryOutApproved(now: now) {
                    switch result {
                    case .success(let done):
                        Console.line("carried out destruction list #\(change.id) (approved by \(change.decidedBy ?? "?")):")
                        for line in RetentionRun.lines(done) { Console.line("  " + line) }
                        outcome.merge(done)
                    case .failure(let error):
                        Console.line("not carried out: \(error)")
                    }
                }
                var technical = RetentionRun.Outcome(report: .init(dryRun: false), segments: [])
                try run.purgeSightings(now: now, into: &technical)
                try run.purgeNodeLocal(now: now, into: &technical)
                for line in RetentionRun.lines(technical) where line != RetentionRun.nothing { Console.line(line) }
                outcome.merge(technical)
                return (outcome, try lists.propose(now: now))
            }
            Self.show(proposal)
        }

        /// Prints the list waiting for approval and how to approve it, or what holds keep.
        static func show(_ p: DestructionLists.Proposal) {
            let dry = p.list.drawn
            guard let change = p.change else {
                for line in RetentionRun.lines(dry) { Console.line(line) }
                return
            }
            Console.line(p.new ? "drew up destruction list #\(change.id) (peilmoment \(change.proposal.target)):"
                               : "destruction list #\(change.id) (peilmoment \(change.proposal.target)) waits for approval:")
            for line in RetentionRun.lines(dry) { Console.line("  " + line) }
            Console.line("an archivist approves it with 'lantaarn purge approve \(change.id) --reason …' (or in /beheer); nothing is destroyed before that")
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a destruction list and carry it out.",
            discussion: "With staff accounts, the approver is the archivist whose personal token is given (four-eyes: not who drew the list up). Before the first account, name the approving archivist with --by; the name is kept with the list.")
        @OptionGroup var common: CommonOptions
        @OptionGroup var identity: StaffIdentityOptions
        @Argument(help: "The list's number ('lantaarn purge lists').") var id: Int64
        @Option(name: .long, help: "Why it may be destroyed (kept with the list).") var reason: String
        @Option(name: .long, help: "Before staff accounts exist: the name of the archivist who approves.") var by: String?

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.purge")
            let store = runtime.store
            guard let change = try store.staff.change(id: id), change.proposal.kind == .destruction else {
                throw CLIError("there is no destruction list \(id); 'lantaarn purge lists' shows them")
            }
            let desk = store.approvalDesk
            let who: (name: String, roles: Set<StaffRole>)
            if try desk.inForce() {
                guard by == nil else { throw CLIError("staff accounts exist, so the approver is named by their personal token (--token-file), not --by") }
                let member = try identity.require(store, for: "approving a destruction list")
                who = (member.name, member.roles)
            } else {
                guard let name = by?.trimmingCharacters(in: .whitespacesAndNewlines), name.count >= 3 else {
                    throw CLIError("name the archivist who approves the list: --by \"Naam Achternaam\" (kept with the list)")
                }
                who = ("archivaris \(name)", [.archivist])
            }
            let decided = try desk.decide(id, approve: true, by: who.name, roles: who.roles, reason: reason, at: Clock.nowMilliseconds())
            let run = RetentionRun(runtime: runtime, catalog: try runtime.pipelines())
            let outcome = try store.audited("purge.list", target: DestructionList.logSubject(id), summary: { (o: RetentionRun.Outcome) in
                "\(o.report.total + o.auditEntries) destroyed; \(o.report.held.count) holds kept data"
            }) { try DestructionLists(run: run).carryOut(decided, now: Clock.nowMilliseconds()) }
            Console.line("destruction list #\(id) approved by \(who.name) and carried out:")
            for line in RetentionRun.lines(outcome) { Console.line(line) }
        }
    }

    struct Lists: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every destruction list: peilmoment, status, who approved it, whether it was carried out.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let runtime = try Runtime(settings: try common.settings(), label: "lantaarn.purge")
            let lists = DestructionLists(run: RetentionRun(runtime: runtime, catalog: try runtime.pipelines()))
            let done = try lists.carriedOut()
            let all = try lists.lists()
            if all.isEmpty { Console.line("no destruction lists yet; 'lantaarn purge' draws one up when something is past its retention") }
            for c in all {
                let state = done.contains(c.id) ? "carried out" : c.status.rawValue
                Console.line("#\(c.id)\tpeilmoment \(c.proposal.target)\t\(state)\t\(c.decidedBy.map { "by \($0)" } ?? "-")\t\(c.proposal.summary)")
            }
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the append-only destruction log.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            let log = try store.retention.destructionLog()
            if log.isEmpty { Console.line("nothing has been destroyed yet") }
            for r in log {
                Console.line("\(ISO8601.format(milliseconds: r.destroyedAt))\t\(r.kind)\t\(r.subject)\t"
                    + "\(DestructionList.Item.time(r.window.start))…\(ISO8601.format(milliseconds: r.window.end))\t\(r.readings)\t\(r.policy)\t\(r.basis)")
            }
        }
    }
}
