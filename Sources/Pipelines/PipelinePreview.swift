import Foundation
import LantaarnModel
import Store

/// What a pipeline version would publish for one window, computed without publishing, next to
/// the release in force for that window: the preview an approver sees with a pipeline change.
public struct PipelinePreview: Sendable {
    public var window: TimeWindow
    public var columns: [String]
    public var rows: [[CellValue]]
    public var rowsIn: Int
    /// Cells suppressed (small counts) and counts held back against everything published.
    public var suppressedCells: Int
    public var heldPrimary: Int
    public var heldComplementary: Int
    /// The current release of that window, with its columns (from its lineage) and rows.
    public var current: Current?
    /// The dataset's last disclosure report (what an attacker holding every published number
    /// learns about its held-back counts), and when it was made.
    public var report: (report: DisclosureReport, auditedAt: Int64)?

    public struct Current: Sendable {
        public var release: ReleaseRecord
        public var columns: [String]
        public var rows: [[CellValue]]
    }

    /// At most this many rows of each side are shown; the counts cover all of them.
    static let shownRows = 15

    /// The preview as plain Dutch text (the console shows it as is).
    public func text() -> String {
        var out = ["Voorbeeld voor het laatste venster \(ISO8601.format(milliseconds: window.start)) tot \(ISO8601.format(milliseconds: window.end)).",
                   "Nieuwe versie: \(rows.count) rijen uit \(rowsIn) invoerrijen; \(suppressedCells) cellen onderdrukt"
                       + (heldPrimary + heldComplementary > 0 ? "; \(heldPrimary) aantallen achtergehouden, \(heldComplementary) aanvullend" : "") + "."]
        if let current {
            let mine = Set(rows.map(Self.line)), theirs = Set(current.rows.map(Self.line))
            out.append("Huidige publicatie (release \(current.release.id)): \(current.rows.count) rijen.")
            out.append(columns == current.columns ? "Kolommen: ongewijzigd."
                       : "Kolommen: was \(current.columns.joined(separator: ", ")); wordt \(columns.joined(separator: ", ")).")
            out.append("Verschil: \(mine.subtracting(theirs).count) rijen alleen in de nieuwe versie, \(theirs.subtracting(mine).count) alleen in de huidige publicatie.")
        } else {
            out.append("Er is nog geen publicatie voor dit venster.")
        }
        if let (r, at) = report {
            out.append(r.cells == 0 ? "Openbaarmakingsrapport (\(ISO8601.format(milliseconds: at))): geen beschermde aantallen."
                : "Openbaarmakingsrapport (\(ISO8601.format(milliseconds: at))): \(r.cells) beschermde aantallen, \(r.suppressed) achtergehouden, "
                    + "kleinste interval \(r.smallestInterval.map(String.init) ?? "onbegrensd"), \(r.exposed) te smal (k = \(r.k), breedte \(r.protection)).")
        }
        out.append("")
        out.append("Nieuwe versie (eerste \(min(rows.count, Self.shownRows)) rijen):")
        out.append(columns.joined(separator: ";"))
        out += rows.prefix(Self.shownRows).map(Self.line)
        if let current {
            out.append("")
            out.append("Huidige publicatie (eerste \(min(current.rows.count, Self.shownRows)) rijen):")
            out.append(current.columns.joined(separator: ";"))
            out += current.rows.prefix(Self.shownRows).map(Self.line)
        }
        return out.joined(separator: "\n")
    }

    static func line(_ row: [CellValue]) -> String {
        row.map { cell -> String in
            switch cell {
            case .text(let s): return s
            case .integer(let i): return String(i)
            case .number(let d): return String(d)
            case .null: return ""
            }
        }.joined(separator: ";")
    }
}

extension PipelineRunner {
    /// The newest published (else the latest closed) window of `p` at `now` computed under `p`,
    /// without publishing or recording anything, next to the release in force for that window.
    public func preview(_ p: PipelineDefinition, now: Int64 = Clock.nowMilliseconds()) throws -> PipelinePreview {
        guard let stage = p.aggregating else {
            throw PipelineError(file: p.file, path: "stages", reason: "the pipeline has no aggregating stage")
        }
        // The newest published window (the one the release in force can be compared with), else
        // the latest closed one.
        let closedEnd = p.calendar.floor(now - p.settle)
        let published = try stores.releases.latestWindowEnd(dataset: p.output.dataset).flatMap { $0 <= closedEnd ? $0 : nil }
        let start = p.calendar.floor((published ?? closedEnd) - 1)
        let window = TimeWindow(start: start, end: p.calendar.next(start))
        let input = StageInput(stores: stores, pipeline: p, boundaries: boundaries, positions: positions, logger: logger)
        var output = StageOutput(rows: [], rowsIn: 0, withoutWijk: 0)
        if try stage.computable([window], input: input) == [window] {
            try stage.run(input: input, windows: [window]) { _, o in output = o }
        }
        var rows = output.rows
        var held = (0, 0)
        if let protected = try protect(p, window, rows, later: []) {
            rows = protected.rows
            held = (protected.primary, protected.complementary)
        }
        var preview = PipelinePreview(window: window, columns: p.columns.map(\.name), rows: rows, rowsIn: output.rowsIn,
                                      suppressedCells: Self.suppressedCells(p, rows), heldPrimary: held.0, heldComplementary: held.1)
        if let release = try stores.releases.releases(dataset: p.output.dataset).last(where: { $0.window == window && $0.current }) {
            var rows: [[CellValue]] = []
            var next: Int?
            repeat {
                let page = try stores.releases.releaseRows(release, after: next, limit: 5000)
                rows += page.rows
                next = page.next
            } while next != nil
            let lineage = try? JSONParser.parse(release.lineage)
            let columns = lineage?["columns"]?.arrayValue?.compactMap(\.stringValue) ?? []
            preview.current = .init(release: release, columns: columns, rows: rows)
        }
        if let stored = try stores.releases.disclosureReport(dataset: p.output.dataset),
           let report = try? JSONDecoder().decode(DisclosureReport.self, from: Data(stored.report.utf8)) {
            preview.report = (report, stored.auditedAt)
        }
        return preview
    }
}
