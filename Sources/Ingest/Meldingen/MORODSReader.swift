import Foundation
import LantaarnModel

/// VNG MOR-ODS 1.0 CSV: one row per melding, columns named after the attributes of the
/// data specification (identificatie, kanaal, publicatie, hoofdcategorie, subcategorie,
/// itemcategorie, omschrijving, toelichting, status, datum melding, einddatum, longitude,
/// latitude, ...). `,` or `;` separated; header names match case- and space-insensitively,
/// including the specification's own spelling `latidude`.
enum MORODSReader {
    static func read(_ bytes: [UInt8], file: String) throws -> RawMeldingFile {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        guard let headerLine = lines.first else { throw MeldingFileError(file: file, reason: "the file is empty") }
        let separator: Character = headerLine.filter { $0 == ";" }.count > headerLine.filter { $0 == "," }.count ? ";" : ","
        let header = CSVLine.split(String(headerLine), separator: separator).map(normalise)
        func column(_ names: String...) -> Int? { names.lazy.compactMap { header.firstIndex(of: $0) }.first }
        guard let idCol = column("identificatie"), let dateCol = column("datummelding"), let statusCol = column("status") else {
            let what = header.contains("attribuut") || header.contains("id") && header.contains("hoofd")
                ? " (this is a specification or the BOR_MELD reference table, not data)" : ""
            throw MeldingFileError(file: file, reason: "not a MOR-ODS data file: the first row must name the columns identificatie, datum melding and status\(what)")
        }
        let hoofd = column("hoofdcategorie"), sub = column("subcategorie"), item = column("itemcategorie")
        let lat = column("latitude", "latidude"), lon = column("longitude"), end = column("einddatum")
        let kanaal = column("kanaal"), texts = [column("omschrijving"), column("toelichting")].compactMap { $0 }
        var out = RawMeldingFile(format: "MOR-ODS 1.0 CSV", meldingen: [])
        for (n, line) in lines.dropFirst().enumerated() {
            let row = CSVLine.split(String(line), separator: separator)
            let fail = { (reason: String) in MeldingFileError(file: file, reason: "line \(n + 2): \(reason)") }
            func cell(_ i: Int?) -> String? {
                guard let i, i < row.count else { return nil }
                let v = row[i].trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? nil : v
            }
            guard let id = cell(idCol) else { throw fail("identificatie is empty") }
            guard let dateText = cell(dateCol), let created = MeldingTime.parse(dateText) else {
                throw fail("datum melding is not a time such as 2024-03-01T09:30:00:000")
            }
            let category = [cell(hoofd), cell(sub), cell(item)].compactMap { $0 }.joined(separator: " - ")
            var m = RawMelding(source: "mor-ods", sourceID: id, category: category.isEmpty ? "onbekend" : category, createdAt: created)
            if let y = cell(lat).flatMap(Self.number), let x = cell(lon).flatMap(Self.number), (-90...90).contains(y), (-180...180).contains(x) {
                m.latitude = y
                m.longitude = x
            }
            m.channel = cell(kanaal)
            m.texts = texts.compactMap { cell($0) }
            let state = cell(statusCol)?.lowercased() ?? "onbekend"
            m.history = [Melding.StatusChange(at: created, state: "gemeld", closes: false)]
            if state.hasPrefix("afgesloten") || state.hasPrefix("gesloten") || state.hasPrefix("afgehandeld") {
                let closed = cell(end).flatMap(MeldingTime.parse) ?? created
                m.history.append(Melding.StatusChange(at: max(closed, created), state: state, closes: true))
            } else if state != "gemeld" {
                m.history.append(Melding.StatusChange(at: created, state: state, closes: false))
            }
            out.meldingen.append(m)
        }
        return out
    }

    /// A decimal with `.` or `,`.
    static func number(_ s: String) -> Double? { Double(s.replacingOccurrences(of: ",", with: ".")) }

    /// Header names compared without case, spaces and underscores.
    static func normalise(_ s: String) -> String {
        s.lowercased().filter { !$0.isWhitespace && $0 != "_" && $0 != "\u{FEFF}" }
    }
}

/// One CSV line split on `separator`, with `"…"` quoting (`""` inside quotes is a quote).
enum CSVLine {
    static func split(_ line: String, separator: Character) -> [String] {
        var cells: [String] = [], cell = "", quoted = false
        var chars = line.makeIterator()
        while let c = chars.next() {
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { cell.append("\"") } else { quoted = false; if next == separator { cells.append(cell); cell = "" } else { cell.append(next) } }
                    } else { quoted = false }
                } else { cell.append(c) }
            } else if c == "\"" && cell.isEmpty {
                quoted = true
            } else if c == separator {
                cells.append(cell)
                cell = ""
            } else {
                cell.append(c)
            }
        }
        cells.append(cell)
        return cells
    }
}
