import ArgumentParser
import LantaarnModel
import Store

/// `lantaarn hold add|remove|list`: legal holds that block destruction.
struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold", abstract: "Legal holds (hotspots) that the purge must respect.",
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Place a hold on a sensor, a dataset, a wijk or a melding category in a time range.",
            discussion: """
                A sensor hold keeps its readings, quarantined messages, ingest-log segments of the range and, for an ANPR camera, \
                its sightings and the pseudonym keys of those weeks; a wijk hold keeps readings and meldingen placed in it and \
                ingest-log segments; a category hold keeps the meldingen of that hoofdcategorie; a dataset hold keeps its releases \
                and kept download.
                """)
        @OptionGroup var common: CommonOptions
        @Option(name: .long, help: "Sensor id (or ANPR camera) to hold.") var sensor: String?
        @Option(name: .long, help: "Dataset name whose releases to hold.") var dataset: String?
        @Option(name: .long, help: "Wijk code (e.g. WK039201 or WK0363AD) whose readings and meldingen to hold.") var wijk: String?
        @Option(name: .long, help: "Melding hoofdcategorie (e.g. Afval) whose meldingen to hold.") var category: String?
        @Option(name: .long, help: "Start, ISO 8601.") var from: String
        @Option(name: .long, help: "End (exclusive), ISO 8601.") var to: String
        @Option(name: .long, help: "Why: case number or decision.") var reason: String

        func validate() throws {
            guard [sensor, dataset, wijk, category].compactMap({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --sensor, --dataset, --wijk or --category")
            }
            if let wijk, WijkCode(wijk) == nil {
                throw ValidationError("--wijk '\(wijk)' is not a CBS wijk code (\(CBSCode.wijk.shape))")
            }
            guard let s = ISO8601.parse(from), let e = ISO8601.parse(to), e > s else {
                throw ValidationError("--from and --to must be ISO 8601 times with --to after --from")
            }
        }

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            let window = TimeWindow(start: ISO8601.parse(from)!, end: ISO8601.parse(to)!)
            let (kind, subject): (LegalHold.Kind, String) = sensor.map { (.sensor, $0) } ?? dataset.map { (.dataset, $0) }
                ?? wijk.flatMap(WijkCode.init).map { (.wijk, $0.rawValue) } ?? (.category, category!)
            let id = try store.audited("hold.add", target: "\(kind.rawValue) \(subject)", detail: "\(window)") {
                try store.retention.addHold(kind: kind, subject: subject, window: window, reason: reason)
            }
            Console.line("legal hold #\(id) placed on \(kind.rawValue) \(subject) \(window)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Lift a hold by its id; once staff accounts exist, this proposes it and another archivist or privacy officer approves (four-eyes).")
        @OptionGroup var common: CommonOptions
        @OptionGroup var identity: StaffIdentityOptions
        @Argument(help: "Hold id (see 'lantaarn hold list').") var id: Int64
        @Option(name: .long, help: "Why the hold may be lifted (case closed, decision); needed under four-eyes.") var note: String?

        func run() async throws {
            let store = try StoreBackend.open(try common.settings())
            guard try store.approvalDesk.inForce() else {
                try store.audited("hold.remove", target: "hold \(id)") { try store.retention.removeHold(id: id) }
                Console.line("legal hold #\(id) lifted")
                return
            }
            let who = try identity.require(store, for: "lifting a legal hold")
            let change = try store.approvalDesk.proposeHoldLift(id, by: who.name, roles: who.roles, note: note ?? "", at: Clock.nowMilliseconds())
            Console.line("change #\(change.id) proposed: lifting legal hold #\(id) waits for another archivist or privacy officer ('lantaarn approvals approve \(change.id) --reason ...')")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the holds in force.")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            let holds = try StoreBackend.open(try common.settings()).retention.holds()
            if holds.isEmpty { Console.line("no legal holds") }
            for h in holds {
                Console.line("#\(h.id)\t\(h.kind.rawValue)\t\(h.subject)\t\(h.window)\t\(h.reason)")
            }
        }
    }
}
