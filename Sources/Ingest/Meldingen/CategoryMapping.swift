import Foundation
import Yams

/// Source categories to the BOR_MELD reference table (VNG): `Pipelines/mappings/bor_meld.yaml`
/// for Signalen slugs and Open311 service codes, and BOR_MELD's own names for MOR-ODS.
public struct CategoryMapping: Sendable {
    /// One row of the reference table.
    public struct Row: Sendable, Equatable {
        public var id: Int
        public var hoofd: String
        public var sub: String
        public var item: String
    }

    /// Reference rows by id.
    public let rows: [Int: Row]
    private let bySource: [String: [String: Int]]
    private let byName: [String: Int]
    private let hoofdByName: [String: String]

    /// Loads the mapping and the reference table next to it (`bor_meld_referentietabel.csv`).
    public init(mappingFile: String) throws {
        let directory = (mappingFile as NSString).deletingLastPathComponent
        let tablePath = (directory as NSString).appendingPathComponent("bor_meld_referentietabel.csv")
        guard let table = FileManager.default.contents(atPath: tablePath) else {
            throw MeldingFileError(file: tablePath, reason: "the BOR_MELD reference table is missing; it belongs next to \(mappingFile)")
        }
        var rows: [Int: Row] = [:]
        for line in String(decoding: table, as: UTF8.self).split(whereSeparator: \.isNewline).dropFirst() {
            let cells = CSVLine.split(String(line), separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 5, let id = Int(cells[0]) else { continue }
            rows[id] = Row(id: id, hoofd: cells[1], sub: cells[3], item: cells[4])
        }
        guard let yaml = FileManager.default.contents(atPath: mappingFile) else {
            throw MeldingFileError(file: mappingFile, reason: "the category mapping is missing (see Pipelines/mappings/bor_meld.yaml in the repository)")
        }
        let parsed: [String: [String: Int]]
        do {
            parsed = try YAMLDecoder().decode([String: [String: Int]].self, from: String(decoding: yaml, as: UTF8.self))
        } catch {
            throw MeldingFileError(file: mappingFile, reason: "expected 'source: {category: BOR_MELD id}' per source: \(error)")
        }
        for (source, map) in parsed {
            for (category, id) in map where rows[id] == nil {
                throw MeldingFileError(file: mappingFile, reason: "\(source).\(category): BOR_MELD id \(id) is not in the reference table")
            }
        }
        self.init(rows: rows, bySource: parsed)
    }

    init(rows: [Int: Row], bySource: [String: [String: Int]]) {
        self.rows = rows
        self.bySource = bySource
        var byName: [String: Int] = [:], hoofd: [String: String] = [:]
        for row in rows.values.sorted(by: { $0.id < $1.id }) {
            let key = Self.key([row.hoofd, row.sub, row.item])
            if byName[key] == nil { byName[key] = row.id }
            hoofd[Self.key([row.hoofd])] = row.hoofd
        }
        self.byName = byName
        self.hoofdByName = hoofd
    }

    /// BOR_MELD id and hoofdcategorie of a source category; `nil` when unmapped.
    public func map(source: String, category: String) -> (id: Int?, hoofd: String)? {
        if source == "mor-ods" {
            let parts = category.components(separatedBy: " - ")
            if let id = byName[Self.key(parts)] { return (id, rows[id]!.hoofd) }
            if let first = parts.first, let hoofd = hoofdByName[Self.key([first])] { return (nil, hoofd) }
            return nil
        }
        guard let id = bySource[source]?[category], let row = rows[id] else { return nil }
        return (id, row.hoofd)
    }

    private static func key(_ parts: [String]) -> String {
        parts.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.joined(separator: "|")
    }
}
