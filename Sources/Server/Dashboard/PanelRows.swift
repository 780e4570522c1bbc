import LantaarnModel
import Store

/// The rows of a dataset one panel reads: only a public dataset, only its `where` rows, only
/// the windows of its `period`, read through the query API's store path (bound filters).
struct PanelRows {
    let summary: DatasetSummary
    let rows: [[CellValue]]
    /// Whether rows were left off because the panel asked for more than ``maxRows``.
    let truncated: Bool
    private let index: [String: Int]

    /// Rows one panel reads at most; a panel over years of hourly data should aggregate first.
    static let maxRows = 100_000

    /// `nil` when the dataset is not published (yet) or not public.
    static func load(_ panel: DashboardPanel, releases: any ReleaseStore) throws -> PanelRows? {
        guard let summary = try releases.dataset(named: panel.dataset), summary.metadata.isPublic else { return nil }
        let names = summary.metadata.columns.map(\.name)
        var query = RowQuery()
        query.limit = 1000
        query.timeLimitMilliseconds = 10_000
        var excluded: [(column: Int, value: CellValue)] = []
        for (column, value) in panel.filters {
            // A column the dataset lost since the dashboard was checked matches nothing.
            guard let i = names.firstIndex(of: column) else {
                return PanelRows(summary: summary, rows: [], truncated: false, names: names)
            }
            // `!value`: every row but those (for example the gemeente's total rows on a wijk map).
            if value.hasPrefix("!") {
                excluded.append((i, .text(String(value.dropFirst()))))
            } else {
                query.filters.append(RowQuery.Filter(column: i, op: .exact, values: [.text(value)]))
            }
        }
        switch panel.period {
        case .all: break
        case .latest:
            // The window of the newest row (OFFSET 0): the newest window that has rows.
            query.windowsFrom = try releases.windowStart(dataset: panel.dataset, coveringNewestRows: 0)
        case .last(let ms): query.windowsFrom = summary.coverage.map { $0.end - ms }
        }
        var rows: [[CellValue]] = []
        repeat {
            let page = try releases.queryRows(dataset: panel.dataset, query)
            rows += page.rows.filter { row in !excluded.contains { row[$0.column] == $0.value } }
            query.after = page.next
        } while query.after != nil && rows.count < maxRows
        return PanelRows(summary: summary, rows: Array(rows.prefix(maxRows)), truncated: query.after != nil, names: names)
    }

    private init(summary: DatasetSummary, rows: [[CellValue]], truncated: Bool, names: [String]) {
        self.summary = summary
        self.rows = rows
        self.truncated = truncated
        index = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Position of a column, if the dataset has it.
    func column(_ name: String) -> Int? { index[name] }

    /// The column's unit from the dataset's metadata.
    func unit(of name: String) -> String? {
        summary.metadata.columns.first { $0.name == name }?.unit
    }

    static func number(_ cell: CellValue) -> Double? {
        switch cell {
        case .number(let d): d.isFinite ? d : nil
        case .integer(let n): Double(n)
        default: nil
        }
    }

    static func text(_ cell: CellValue) -> String? {
        switch cell {
        case .text(let s): s
        case .integer(let n): String(n)
        case .number(let d): String(d)
        default: nil
        }
    }

    static func time(_ cell: CellValue) -> Int64? {
        if case .text(let s) = cell { return ISO8601.parse(s) }
        return nil
    }
}
