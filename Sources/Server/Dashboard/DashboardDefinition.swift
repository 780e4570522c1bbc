import LantaarnModel
import Pipelines

/// A public dashboard as the data team writes it in `Dashboards/NAME.yaml`: a title, a short
/// introduction in plain Dutch and panels, each showing one published dataset.
public struct DashboardDefinition: Sendable {
    /// URL name: `/dashboards/{name}`.
    public var name: String
    public var title: String
    /// A few sentences in plain Dutch (B1): what is shown and why.
    public var introduction: String
    /// Place on the `/dashboards` index (lowest first).
    public var order: Int
    public var panels: [DashboardPanel]
    /// The file it was read from.
    public var file: String

    public init(name: String, title: String, introduction: String, order: Int = 100, panels: [DashboardPanel], file: String = "") {
        self.name = name
        self.title = title
        self.introduction = introduction
        self.order = order
        self.panels = panels
        self.file = file
    }

    /// The datasets the panels show.
    public var datasets: [String] {
        var seen = Set<String>()
        return panels.map(\.dataset).filter { seen.insert($0).inserted }
    }
}

/// One panel: what it draws from which rows of a dataset.
public struct DashboardPanel: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Values over time: one line per series, or one small chart per series.
        case line
        /// One bar per category.
        case bar
        /// A choropleth map of the areas (wijken), classes by quantiles.
        case map
        /// The rows themselves.
        case table
        /// One number, compared in words with its thresholds.
        case kpi
        /// The meldingen red/orange/green tiles, one per hoofdcategorie.
        case tiles
    }

    /// How the values of several rows become one (per time, category or area).
    public enum Reduce: String, Sendable, CaseIterable {
        case mean, sum, max, min, last
    }

    /// Which windows of the dataset are read.
    public enum Period: Sendable, Equatable {
        /// The newest published window only.
        case latest
        /// Windows ending within this many milliseconds of the newest data.
        case last(Int64)
        /// Everything published.
        case all
    }

    /// How a line panel lays out several series.
    public enum Layout: String, Sendable {
        case lines, smallMultiples = "small_multiples"
    }

    /// A limit or guideline the value is compared with, in words as well as in the chart.
    public struct Threshold: Sendable, Equatable {
        public var value: Double
        /// What the limit is, e.g. "WHO-advies voor een daggemiddelde".
        public var label: String
        public init(value: Double, label: String) {
            self.value = value
            self.label = label
        }
    }

    public var kind: Kind
    public var title: String
    /// One or two sentences under the chart: what it shows.
    public var caption: String?
    public var dataset: String
    /// Only rows whose column has this text value (e.g. `grootheid: pm25`).
    public var filters: [(column: String, value: String)] = []
    public var period: Period = .all
    /// The time column (line, kpi freshness); default `periode_start`.
    public var time: String = "periode_start"
    /// The value column (line, bar, map, kpi).
    public var value: String?
    /// Column whose values name the series (line), the categories (bar) or the tiles.
    public var series: String?
    /// Area code and name columns (map; bar and line name their series by the name column).
    public var area: String = "wijk_code"
    public var areaName: String = "wijk_naam"
    /// Columns shown (table).
    public var columns: [String] = []
    public var reduce: Reduce = .mean
    /// Column to weigh a mean by (e.g. the number of meldingen behind each median).
    public var weight: String?
    /// Unit shown with every value; default the column's unit.
    public var unit: String?
    public var decimals: Int = 1
    public var layout: Layout = .smallMultiples
    /// Whether the value axis of a line starts at zero (counts, concentrations); `false` for
    /// levels far from zero, such as decibels.
    public var fromZero = true
    public var thresholds: [Threshold] = []
    /// Lower and upper columns of an uncertainty band around the line (forecasts).
    public var band: (lower: String, upper: String)?
    /// Number of colour classes (map), 3 to 7.
    public var classes: Int = 5
    /// Rows or bars shown, at most (table, bar).
    public var limit: Int = 50
    /// Sort of a table or bar panel: a column, `-column` for descending.
    public var sort: String?

    public init(kind: Kind, title: String, dataset: String) {
        self.kind = kind
        self.title = title
        self.dataset = dataset
    }

    /// Every column the panel reads, for checking against the dataset.
    public var referencedColumns: [(field: String, column: String)] {
        var out: [(String, String)] = filters.map { ("where.\($0.column)", $0.column) }
        switch kind {
        case .line: out += [("time", time)] + (series.map { [("series", $0)] } ?? [])
        case .bar: out += [("series", series ?? areaName)]
        case .map: out += [("area", area), ("area_name", areaName)]
        case .table: out += columns.map { ("columns", $0) }
        case .kpi: out += [("time", time)]
        case .tiles: out += [("series", series ?? "hoofdcategorie")]
        }
        if let value { out.append(("value", value)) }
        if let weight { out.append(("weight", weight)) }
        if let band { out += [("band.lower", band.lower), ("band.upper", band.upper)] }
        if let sort { out.append(("sort", sort.hasPrefix("-") ? String(sort.dropFirst()) : sort)) }
        return out
    }
}
