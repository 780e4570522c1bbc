import LantaarnModel

/// The audit log's hash chain: how an entry is hashed, and the check that finds a changed,
/// removed or reordered entry, and (against a checkpoint kept elsewhere) a cut-off tail.
///
/// Each entry's hash covers its number, its fields and the hash of the entry before, so changing
/// an entry changes its hash and breaks the link of the next. Someone who can write the database
/// can recompute every later hash; a checkpoint (`lantaarn audit checkpoint`), kept where they
/// cannot write, catches that and a removed tail.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)

    /// SHA-256 (hex) of the entry: every field length-prefixed, so no two entries encode alike.
    public static func hash(seq: Int64, _ d: AuditDraft, previous: String) -> String {
        var sha = SHA256()
        for field in [previous, String(seq), String(d.at), d.actor, d.action, d.target, d.outcome, d.detail] {
            let bytes = Array(field.utf8)
            sha.update(Array("\(bytes.count):".utf8))
            sha.update(bytes)
        }
        return SHA256.hexString(sha.finalize())
    }

    /// A point of the chain recorded outside the store: entry `seq` has hash `hash`.
    public struct Checkpoint: Sendable, Equatable {
        public var seq: Int64
        public var hash: String

        public init(seq: Int64, hash: String) {
            self.seq = seq
            self.hash = hash
        }

        /// `seq hash`, one line, as `lantaarn audit checkpoint` writes it.
        public var text: String { "\(seq) \(hash)\n" }

        public init?(text: String) {
            let parts = text.split(whereSeparator: \.isWhitespace)
            guard parts.count == 2, let seq = Int64(parts[0]), seq > 0, parts[1].count == 64,
                  parts[1].allSatisfy(\.isHexDigit) else { return nil }
            self.init(seq: seq, hash: String(parts[1]).lowercased())
        }
    }

    /// What the check found wrong, each naming the entry.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// The entry's fields do not give its hash: it was changed.
        case changed(seq: Int64)
        /// Entries are missing before `seq` (deleted), or the numbers are out of order.
        case missing(after: Int64, next: Int64)
        /// The entry does not follow the one before it (reordered, or one in between replaced).
        case unlinked(seq: Int64)
        /// The checkpoint's entry is gone (the tail was cut off) or differs.
        case checkpoint(seq: Int64, found: String?)

        public var description: String {
            switch self {
            case .changed(let seq): return "entry \(seq) was changed: its fields do not give its hash"
            case let .missing(after, next):
                return after == 0 ? "the log starts at entry \(next), not 1, and no purge destroyed those before it: entries were removed"
                    : "entries between \(after) and \(next) are missing: they were removed, or entries were renumbered"
            case .unlinked(let seq): return "entry \(seq) does not follow the entry before it: entries were reordered or replaced"
            case let .checkpoint(seq, found):
                return found == nil ? "the checkpoint names entry \(seq), which is not in the log: its tail was cut off"
                    : "entry \(seq) differs from the checkpoint: the log was rewritten from there or before"
            }
        }
    }

    /// The result of a check over the whole log.
    public struct Report: Sendable {
        public var entries: Int64 = 0
        public var last: Checkpoint?
        public var problems: [Problem] = []
    }

    /// Checks the whole log, a page at a time; with `checkpoint`, also that its entry is there unchanged.
    public static func verify(_ log: any AuditLog, checkpoint: Checkpoint? = nil, page: Int = 10_000) throws -> Report {
        var report = Report()
        // After a purge under the audit log's retention the chain goes on from its anchor.
        let anchor = try log.auditAnchor()
        var previous: (seq: Int64, hash: String) = anchor.map { ($0.seq, $0.hash) } ?? (0, genesis)
        var checkpointFound: String? = anchor.flatMap { $0.seq == checkpoint?.seq ? $0.hash : nil }
        while true {
            let entries = try log.auditEntries(after: previous.seq, limit: page)
            for e in entries {
                report.entries += 1
                if e.seq != previous.seq + 1 { report.problems.append(.missing(after: previous.seq, next: e.seq)) }
                if hash(seq: e.seq, e.draft, previous: e.previous) != e.hash {
                    report.problems.append(.changed(seq: e.seq))
                } else if e.previous != previous.hash, e.seq == previous.seq + 1 {
                    report.problems.append(.unlinked(seq: e.seq))
                }
                if e.seq == checkpoint?.seq { checkpointFound = e.hash }
                previous = (e.seq, e.hash)
            }
            if entries.count < page { break }
        }
        report.last = previous.seq > 0 ? Checkpoint(seq: previous.seq, hash: previous.hash) : nil
        // A checkpoint older than the anchor names an entry destroyed under retention.
        let destroyed = checkpoint.map { $0.seq < (anchor?.seq ?? 0) } ?? false
        if let checkpoint, !destroyed, checkpointFound != checkpoint.hash {
            report.problems.append(.checkpoint(seq: checkpoint.seq, found: checkpointFound))
        }
        return report
    }
}
