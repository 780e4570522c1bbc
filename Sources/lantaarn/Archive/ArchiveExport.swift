import Foundation
import LantaarnModel
import Pipelines
import Server
import Store

/// `lantaarn archive export --to DIR`: a transfer package for the e-depot in MDTO 1.0.1, with
/// what is to be kept permanently:
/// - every archived version of every pipeline definition (algorithms are records): the YAML as
///   it ran, its lineage and purpose, and its entry in the national algorithm register;
/// - every release of the datasets whose retention is "blijvend bewaren" (Selectielijst), as the
///   CSV the release download serves, with size and SHA-256;
/// - every decided destruction list with its approval, and the destruction log;
/// each object an `ID.mdto.xml`, each file next to its `FILE.bestand.mdto.xml`.
///
/// The package lists what it holds in `lantaarn-archief.json`; exporting into it again adds
/// only objects not there yet (new releases, versions, lists, log entries) and says so.
struct ArchiveExport {
    let runtime: Runtime
    let catalog: PipelineCatalog
    let directory: String

    static let manifestName = "lantaarn-archief.json"

    struct Result {
        var added: [String] = []
        var alreadyThere = 0
        var files = 0
        var bytes: Int64 = 0
    }

    /// What the package already holds.
    private struct Manifest {
        var objects: [String: [String]] = [:]
        var logThrough = 0
        var exports: [(at: Int64, added: Int)] = []

        init(path: String) throws {
            guard let data = FileManager.default.contents(atPath: path) else { return }
            let root = try JSONParser.parse([UInt8](data))
            for (id, files) in root["objects"]?.objectMembers ?? [] { objects[id] = files.arrayValue?.compactMap(\.stringValue) ?? [] }
            logThrough = root["destruction_log_through"]?.numberValue.map(Int.init) ?? 0
            exports = (root["exports"]?.arrayValue ?? []).map { (Int64($0["at"]?.numberValue ?? 0), Int($0["added"]?.numberValue ?? 0)) }
        }

        var json: JSONValue {
            .object([
                ("format", .string("MDTO 1.0.1 (Nationaal Archief), written by Lantaarn")),
                ("objects", .object(objects.sorted { $0.key < $1.key }.map { ($0.key, .array($0.value.map(JSONValue.string))) })),
                ("destruction_log_through", .number(Double(logThrough))),
                ("exports", .array(exports.map { .object([("at", .number(Double($0.at))), ("added", .number(Double($0.added)))]) })),
            ])
        }
    }

    var organisation: String { runtime.settings.municipality }
    var bron: String { "Lantaarn \(organisation)" }

    func run(now: Int64 = Clock.nowMilliseconds(), progress: (String) -> Void) async throws -> Result {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let manifestPath = (directory as NSString).appendingPathComponent(Self.manifestName)
        var manifest = try Manifest(path: manifestPath)
        var result = Result()
        let store = runtime.store

        func add(_ id: String, _ object: MDTO.Informatieobject, files: [File]) async throws {
            guard manifest.objects[id] == nil else { result.alreadyThere += 1; return }
            var o = object
            var written: [String] = []
            for f in files {
                let path = (directory as NSString).appendingPathComponent(f.name)
                let (size, sha) = try await f.write(path)
                let bestand = MDTO.Bestand(identificatie: .init(kenmerk: "\(id)/\(f.name)", bron: bron), naam: f.name, omvang: size,
                                           bestandsformaat: f.format, sha256: sha, checksumDatum: now,
                                           isRepresentatieVan: reference(id, o.naam))
                try write(MDTO.document(bestand), to: path + ".bestand.mdto.xml")
                o.heeftRepresentatie.append(MDTO.Verwijzing(naam: f.name, identificatie: .init(kenmerk: "\(id)/\(f.name)", bron: bron)))
                written += [f.name, f.name + ".bestand.mdto.xml"]
                result.files += 1
                result.bytes += size
            }
            try write(MDTO.document(o), to: (directory as NSString).appendingPathComponent("\(id).mdto.xml"))
            manifest.objects[id] = written + ["\(id).mdto.xml"]
            result.added.append(id)
            progress("added \(id)")
        }

        // The archive itself, and a series per pipeline.
        try await add("archief", object(id: "archief", naam: "Gegevens van \(organisation) uit Lantaarn (sensoren, meldingen openbare ruimte, open data)",
                                        niveau: "Archief", omschrijving: ["Rekenregels, publicaties van blijvend te bewaren datasets, vernietigingslijsten en het vernietigingslog."],
                                        parent: nil), files: [])
        for p in catalog.pipelines {
            let serie = "pipeline-\(p.name)"
            try await add(serie, object(id: serie, naam: "\(p.output.title): rekenregel en publicaties", niveau: "Serie",
                                        omschrijving: [p.purpose], parent: ("archief", "Gegevens van \(organisation)")), files: [])
            try await addVersions(of: p, add: add)
            if p.output.retention.isPermanent { try await addReleases(of: p, add: add) }
        }
        try await addDestructionLists(add: add)

        // The destruction log, in slices: each export adds the entries since the previous one.
        let log = try store.retention.destructionLog()
        if log.count > manifest.logThrough {
            let slice = Array(log[manifest.logThrough...])
            let id = "vernietigingslog-\(manifest.logThrough + 1)-\(log.count)"
            var o = object(id: id, naam: "Vernietigingslog, regels \(manifest.logThrough + 1) tot en met \(log.count)", niveau: "Archiefstuk",
                           omschrijving: ["Wat Lantaarn vernietigde, wanneer, onder welke termijn en grondslag (en welke vernietigingslijst)."],
                           parent: ("archief", "Gegevens van \(organisation)"))
            o.dekkingInTijd = (slice.map(\.destroyedAt).min() ?? now, (slice.map(\.destroyedAt).max() ?? now) + 1)
            try await add(id, o, files: [("\(id).csv", MDTO.csv, { path in try Self.writeText(Self.logCSV(slice), to: path) })])
            manifest.logThrough = log.count
        }

        manifest.exports.append((now, result.added.count))
        try write(JSONWriter.string(manifest.json) + "\n", to: manifestPath)
        return result
    }

    /// A file of an object: its name in the package, format, and how to write it (returns size and SHA-256).
    typealias File = (name: String, format: MDTO.Begrip, write: (String) async throws -> (Int64, String))
    typealias Add = (String, MDTO.Informatieobject, [File]) async throws -> Void

    /// Every archived version of `p`'s definition, with its register entry.
    private func addVersions(of p: PipelineDefinition, add: Add) async throws {
        let serie = "pipeline-\(p.name)"
        for v in try runtime.store.releases.pipelineVersions(p.name) {
            let id = "\(serie)-\(v.sha256.prefix(12))"
            var o = object(id: id, naam: "Rekenregel \(p.name), versie \(v.version)", niveau: "Archiefstuk",
                           omschrijving: ["Doel: \(p.purpose)", "Versie \(v.version), SHA-256 \(v.sha256). De publicaties die deze versie maakte noemen haar in hun herkomst (lineage)."],
                           parent: (serie, "\(p.output.title): rekenregel en publicaties"))
            o.events = [MDTO.Event(type: MDTO.event("Creatie"), tijd: v.firstSeen, actor: p.owner, resultaat: nil)]
            o.activiteit = MDTO.Verwijzing(naam: "Algoritme \(p.name) (Algoritmeregister)", identificatie: nil)
            var files: [File] = [
                ("\(id).yaml", MDTO.yaml, { path in try Self.writeText(v.definition, to: path) }),
            ]
            // The register entry of this version, when the definition still loads.
            if let definition = try? PipelineDefinition.load(path: p.file, contents: Data(v.definition.utf8)) {
                let publisher = AlgorithmRegisterEntry.Publisher(organisation: organisation, contact: runtime.settings.contactEmail,
                                                                 publicURL: runtime.settings.publicURL)
                let first = try runtime.store.releases.dataset(named: definition.output.dataset)?.issuedAt
                let entry = AlgorithmRegisterEntry(definition, publisher: publisher, firstPublished: first, now: v.firstSeen)
                files.append(("\(id).algoritmeregister.json", MDTO.json, { path in try Self.writeText(JSONWriter.string(entry.json) + "\n", to: path) }))
            }
            try await add(id, o, files)
        }
    }

    /// Every release of `p`'s dataset (kept permanently), as its CSV download.
    private func addReleases(of p: PipelineDefinition, add: Add) async throws {
        let releases = runtime.store.releases
        guard let summary = try releases.dataset(named: p.output.dataset) else { return }
        let serie = "pipeline-\(p.name)"
        for r in try releases.releases(dataset: p.output.dataset) where try releases.rowsKept(r) {
            let id = "release-\(p.output.dataset)-\(r.id)"
            var o = object(id: id, naam: "\(p.output.title), \(ISO8601.format(milliseconds: r.window.start)) tot \(ISO8601.format(milliseconds: r.window.end)) (publicatie \(r.id), versie \(r.version))",
                           niveau: "Archiefstuk", omschrijving: [p.output.description, "SHA-256 van de rijen zoals gepubliceerd: \(r.sha256)."],
                           parent: (serie, "\(p.output.title): rekenregel en publicaties"))
            o.dekkingInTijd = (r.window.start, r.window.end)
            o.dekkingInRuimte = [p.output.spatial]
            o.events = [MDTO.Event(type: MDTO.event("Publicatie"), tijd: r.createdAt, actor: p.owner, resultaat: r.current ? nil : "later vervangen door een nieuwere publicatie van hetzelfde venster")]
            if let code = p.output.retention.resultaat {
                o.informatiecategorie = MDTO.Begrip(label: "\(code.procestype): \(code.resultaat)\(code.omschrijving.isEmpty ? "" : ", \(code.omschrijving)")",
                                                    code: code.code, lijst: "Selectielijst gemeenten en intergemeentelijke organen 2020")
            }
            if let sha = (try? JSONParser.parse(r.lineage))?["version_sha256"]?.stringValue {
                o.gerelateerd = [(MDTO.Verwijzing(naam: "Rekenregel \(p.name)", identificatie: .init(kenmerk: "\(serie)-\(sha.prefix(12))", bron: bron)),
                                  MDTO.Begrip(label: "Gemaakt met", code: nil, lijst: "Lantaarn"))]
            }
            if !p.output.accessRights.hasSuffix("/PUBLIC") {
                o.beperkingGebruik = MDTO.Begrip(label: "Niet openbaar", code: nil, lijst: "Wet open overheid")
                o.beperkingToelichting = p.output.accessReason
            }
            let publisher = organisation
            try await add(id, o, [("\(id).csv", MDTO.csv, { path in
                try await DatasetDownload.writeRelease(r, dataset: summary.metadata, releases: releases, publisher: publisher, to: path)
            })])
        }
    }

    /// Every decided destruction list with its decision (pending ones wait for a later export).
    private func addDestructionLists(add: Add) async throws {
        let log = try runtime.store.retention.destructionLog()
        for c in try runtime.store.staff.changes(status: nil, kind: .destruction, limit: 100_000).reversed() where c.status == .approved || c.status == .rejected {
            let id = "vernietigingslijst-\(c.id)"
            var o = object(id: id, naam: "Vernietigingslijst #\(c.id), peilmoment \(c.proposal.target)", niveau: "Archiefstuk",
                           omschrijving: [c.proposal.summary], parent: ("archief", "Gegevens van \(organisation)"))
            o.events = [MDTO.Event(type: MDTO.event("Creatie"), tijd: c.proposal.proposedAt, actor: c.proposal.proposedBy, resultaat: nil),
                        MDTO.Event(type: MDTO.Begrip(label: c.status == .approved ? "Goedkeuring" : "Afwijzing", code: nil, lijst: "Lantaarn"),
                                   tijd: c.decidedAt, actor: c.decidedBy, resultaat: c.reason)]
            if let done = log.first(where: { $0.kind == DestructionLists.carriedOutKind && $0.subject == DestructionList.logSubject(c.id) }) {
                o.events.append(MDTO.Event(type: MDTO.event("Vernietiging"), tijd: done.destroyedAt, actor: "Lantaarn", resultaat: done.policy))
            }
            let text = """
                \(c.proposal.summary)

                \(c.proposal.preview)

                Onderdelen (soort, onderwerp, periode, aantal, termijn, grondslag):
                \(c.proposal.diff)

                Besluit: \(c.status == .approved ? "goedgekeurd" : "afgewezen") door \(c.decidedBy ?? "?") op \(c.decidedAt.map { ISO8601.format(milliseconds: $0) } ?? "?"): \(c.reason ?? "")
                Opgesteld door \(c.proposal.proposedBy) op \(ISO8601.format(milliseconds: c.proposal.proposedAt)); SHA-256 van de onderdelen: \(c.proposal.contentHash)

                """
            try await add(id, o, [("\(id).txt", MDTO.text, { path in try Self.writeText(text, to: path) })])
        }
    }

    /// An archival object of this package, to be kept permanently.
    private func object(id: String, naam: String, niveau: String, omschrijving: [String], parent: (id: String, naam: String)?) -> MDTO.Informatieobject {
        MDTO.Informatieobject(
            identificatie: .init(kenmerk: id, bron: bron), naam: naam, aggregatieniveau: MDTO.niveau(niveau), omschrijving: omschrijving,
            waardering: MDTO.blijvend, isOnderdeelVan: parent.map { [reference($0.id, $0.naam)] } ?? [],
            archiefvormer: MDTO.Verwijzing(naam: organisation, identificatie: nil),
            beperkingGebruik: MDTO.Begrip(label: "Openbaar", code: nil, lijst: "Wet open overheid"))
    }

    private func reference(_ id: String, _ naam: String) -> MDTO.Verwijzing {
        MDTO.Verwijzing(naam: naam, identificatie: .init(kenmerk: id, bron: bron))
    }

    private func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func writeText(_ text: String, to path: String) throws -> (Int64, String) {
        let bytes = Array(text.utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        return (Int64(bytes.count), SHA256.hex(bytes))
    }

    static func logCSV(_ records: [DestructionRecord]) -> String {
        var out = "vernietigd_op,soort,onderwerp,van,tot,aantal,termijn,grondslag\r\n"
        for r in records {
            out += [ISO8601.format(milliseconds: r.destroyedAt), r.kind, r.subject, DestructionList.Item.time(r.window.start),
                    ISO8601.format(milliseconds: r.window.end), String(r.readings), r.policy, r.basis].map(CSVField.escape).joined(separator: ",") + "\r\n"
        }
        return out
    }
}
