import Foundation
import Geo
import LantaarnModel
import Store

/// Loads a meldingen file (Open311, Signalen, MOR-ODS): reads it whole, minimises every
/// melding (reporter fields and address left out, free text scrubbed and, unless an
/// internal text dataset is configured, discarded), maps its category to BOR_MELD, assigns
/// gemeente, wijk and buurt with the boundaries of its own date, and stores the lot in one
/// transaction. A file that fails anywhere loads nothing.
public struct MeldingIngest: Sendable {
    let store: any MeldingArchive
    let boundaries: BoundaryCatalog
    let categories: CategoryMapping
    /// Keep scrubbed text (internal only). Off unless the data team configures it.
    let keepText: Bool
    private let scrubber = TextScrubber()

    public init(store: any MeldingArchive, boundaries: BoundaryCatalog, categories: CategoryMapping, keepText: Bool = false) {
        self.store = store
        self.boundaries = boundaries
        self.categories = categories
        self.keepText = keepText
    }

    /// What a load did; printed by `lantaarn ingest` and kept with the file record.
    public struct Report: Sendable, CustomStringConvertible {
        public var name: String
        public var format = ""
        public var sha256: String
        public var meldingen = 0
        public var written = MeldingWriteResult()
        /// Personal fields left out, per kind.
        public var dropped: [String: Int] = [:]
        /// Replacements in free text, per placeholder.
        public var scrubbed = TextScrubber.Counts()
        /// Free-text fields seen (kept scrubbed only with an internal text dataset).
        public var textFields = 0
        public var textKept = false
        /// Source categories without a BOR_MELD mapping, with their number of meldingen.
        public var unmapped: [String: Int] = [:]
        /// Meldingen outside every wijk (or without a position).
        public var withoutWijk = 0
        /// Set when the same file (SHA-256) was loaded before; nothing was done.
        public var alreadyLoaded: MeldingFileRecord?

        public var description: String {
            if let done = alreadyLoaded {
                return "\(name): already loaded on \(ISO8601.format(milliseconds: done.completedAt)) (sha256 \(sha256.prefix(12))…); nothing to do"
            }
            func list(_ d: [String: Int]) -> String { d.isEmpty ? "none" : d.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") }
            return [
                "\(name): \(format), \(meldingen) meldingen (\(written.inserted) new, \(written.updated) updated), \(written.statusChanges) status changes",
                "  left out (personal data): \(list(dropped))",
                "  free text: \(textFields) fields, replaced \(list(scrubbed.byKind)); \(textKept ? "kept scrubbed (internal only)" : "not stored")",
                "  categories without BOR_MELD: \(list(unmapped))\(unmapped.isEmpty ? "" : " (stored; add them to Pipelines/mappings/bor_meld.yaml)")",
                "  outside every wijk or without a position: \(withoutWijk)",
            ].joined(separator: "\n")
        }
    }

    public func ingest(path: String, format: MeldingFormat, id: String? = nil, now: Int64 = Clock.nowMilliseconds()) throws -> Report {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MeldingFileError(file: path, reason: "cannot read the file")
        }
        return try ingest(bytes: [UInt8](data), name: (path as NSString).lastPathComponent, format: format, id: id, now: now)
    }

    public func ingest(bytes: [UInt8], name: String, format: MeldingFormat, id: String? = nil,
                       now: Int64 = Clock.nowMilliseconds()) throws -> Report {
        let sha = SHA256.hex(bytes)
        var report = Report(name: name, sha256: sha)
        // The same body given another --id is another load.
        let key = id.map { SHA256.hex(Array("\(sha)|\($0)".utf8)) } ?? sha
        if let done = try store.meldingFile(sha256: key) {
            report.alreadyLoaded = done
            return report
        }
        let raw: RawMeldingFile = switch format {
        case .open311: try Open311Reader.read(bytes, file: name)
        case .signalen: try SignalenReader.read(bytes, file: name, givenID: id, fileID: "file-" + sha.prefix(16))
        case .morODS: try MORODSReader.read(bytes, file: name)
        }
        report.format = raw.format
        report.dropped = raw.dropped
        report.textKept = keepText
        var writes: [MeldingWrite] = []
        for r in raw.meldingen {
            var m = Melding(source: r.source, sourceID: r.sourceID, category: r.category ?? "", createdAt: r.createdAt ?? 0)
            m.latitude = r.latitude
            m.longitude = r.longitude
            m.channel = r.channel
            m.history = r.history.map { var c = $0; if c.at == 0 { c.at = now }; return c }
            var texts: [String] = []
            for text in r.texts {
                let (clean, counts) = scrubber.scrub(text)
                report.scrubbed.add(counts)
                report.textFields += 1
                texts.append(clean)
            }
            if keepText, !texts.isEmpty { m.scrubbedText = texts.joined(separator: "\n") }
            if !r.isUpdate {
                if let mapped = categories.map(source: m.source, category: m.category) {
                    m.borMeld = mapped.id
                    m.hoofdcategorie = mapped.hoofd
                } else {
                    report.unmapped[m.category, default: 0] += 1
                }
            }
            if let lat = m.latitude, let lon = m.longitude {
                var date = now
                if let created = r.createdAt { date = created } else if let stored = try store.meldingCreatedAt(source: m.source, sourceID: m.sourceID) { date = stored }
                let areas = boundaries.assign(GeoPoint(lon: lon, lat: lat), at: date)
                m.gemeente = areas.gemeente?.code
                m.wijk = areas.wijk?.code
                m.buurt = areas.buurt?.code
            }
            if !r.isUpdate, m.wijk == nil { report.withoutWijk += 1 }
            writes.append(MeldingWrite(m, isUpdate: r.isUpdate))
        }
        report.meldingen = writes.count
        let record = MeldingFileRecord(sha256: key, name: name, format: raw.format, meldingen: writes.count,
                                       report: report.description, completedAt: now)
        report.written = try store.saveMeldingen(writes, file: record)
        return report
    }
}
