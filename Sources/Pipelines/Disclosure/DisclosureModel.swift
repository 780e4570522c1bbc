import LantaarnModel

/// The rows of one public dataset, as an attacker downloads them.
public struct PublishedTable: Sendable {
    public var dataset: String
    public var spec: DisclosureSpec
    /// Column names, in row order.
    public var columns: [String]
    public var rows: [[CellValue]]

    public init(dataset: String, spec: DisclosureSpec, columns: [String], rows: [[CellValue]]) {
        self.dataset = dataset
        self.spec = spec
        self.columns = columns
        self.rows = rows
    }
}

/// Turns published tables and their declared relations (``DisclosureSpec``) into one
/// ``ProtectionSystem``: every protected count is a cell named by namespace, statistic, time and
/// dimensions; an empty count is held back; a cell no row publishes, in a period whose rows are
/// published, is zero.
public enum DisclosureModel {
    /// The canonical id of a count.
    public static func cellID(namespace: String, statistic: String, time: String, dims: [String: String]) -> String {
        namespace + "|" + statistic + "|" + time + "|" + dims.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "|")
    }

    /// How a person finds the cell: dataset, time, key columns, column.
    public static func label(dataset: String, time: String, keys: [(column: String, value: String)], column: String) -> String {
        ([dataset, time] + keys.sorted { $0.column < $1.column }.map { "\($0.column)=\($0.value)" } + [column]).joined(separator: "|")
    }

    /// A count cell of one row.
    public struct RowCell: Sendable {
        public var id: String
        public var label: String
        /// `nil` when held back.
        public var value: Int?
        public var protection: Int
        /// Whether the row is a total (some dimension has the code of a `total` relation), and
        /// how many: 0 body, 1 total, 2 total of totals.
        public var totalRank: Int
    }

    /// The protected count cells of `table`, row by row.
    public static func cells(of table: PublishedTable) -> [RowCell] {
        let spec = table.spec
        let index = Dictionary(table.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let totalCodes = Dictionary(spec.relations.filter { $0.kind == "total" }.compactMap { r in r.dimension.flatMap { d in r.code.map { (d, $0) } } },
                                    uniquingKeysWith: { a, _ in a })
        var out: [RowCell] = []
        for row in table.rows {
            let dims = dimensions(row, spec: spec, index: index)
            let keys = spec.keys.keys.map { ($0, text(row, index[$0])) }
            let rank = dims.filter { totalCodes[$0.key] == $0.value }.count
            for count in spec.counts where count.isProtected {
                guard let c = index[count.column] else { continue }
                let time = text(row, index[count.time])
                let value: Int? = switch row[c] {
                case .integer(let v): Int(v)
                case .number(let v): Int(v)
                default: nil
                }
                out.append(RowCell(id: cellID(namespace: spec.namespace, statistic: count.statistic, time: time, dims: dims),
                                   label: label(dataset: table.dataset, time: time, keys: keys, column: count.column),
                                   value: value, protection: spec.protection, totalRank: rank))
            }
        }
        return out
    }

    /// The system of everything in `tables`.
    public static func build(_ tables: [PublishedTable]) -> ProtectionSystem {
        var system = ProtectionSystem()
        var covered = Set<String>()
        for table in tables {
            let index = Dictionary(table.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            for row in table.rows {
                let dims = dimensions(row, spec: table.spec, index: index)
                for count in table.spec.counts where count.isProtected {
                    covered.insert(coverageKey(table.spec.namespace, count.statistic, text(row, index[count.time]), dims))
                }
            }
            for cell in cells(of: table) {
                if let v = cell.value {
                    system.published[cell.id] = Double(v)
                } else {
                    system.targets[cell.id] = .init(label: cell.label, protection: cell.protection)
                }
            }
        }
        for table in tables { system.relations += relations(table, covered: covered, system: &system) }
        return system
    }

    private static func coverageKey(_ namespace: String, _ statistic: String, _ time: String, _ dims: [String: String]) -> String {
        namespace + "|" + statistic + "|" + time + "|" + dims.keys.sorted().joined(separator: ",")
    }

    private static func dimensions(_ row: [CellValue], spec: DisclosureSpec, index: [String: Int]) -> [String: String] {
        var dims = spec.fixed ?? [:]
        for (column, dimension) in spec.keys { dims[dimension] = text(row, index[column]) }
        return dims
    }

    private static func text(_ row: [CellValue], _ i: Int?) -> String {
        guard let i, i < row.count else { return "" }
        switch row[i] {
        case .text(let s): return s
        case .integer(let v): return String(v)
        case .number(let v): return String(v)
        case .null: return ""
        }
    }

    /// The relations `table` declares, over cell ids; cells of covered periods that no row
    /// publishes become published zeros.
    private static func relations(_ table: PublishedTable, covered: Set<String>, system: inout ProtectionSystem) -> [ProtectionSystem.Relation] {
        let spec = table.spec, ns = spec.namespace
        let index = Dictionary(table.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let timeOf = Dictionary(spec.counts.map { ($0.statistic, $0.time) }, uniquingKeysWith: { a, _ in a })
        func ref(_ statistic: String, _ time: String, _ dims: [String: String]) -> String {
            let id = cellID(namespace: ns, statistic: statistic, time: time, dims: dims)
            if system.published[id] == nil, system.targets[id] == nil, covered.contains(coverageKey(ns, statistic, time, dims)) {
                system.published[id] = 0
            }
            return id
        }
        var out: [ProtectionSystem.Relation] = []
        for relation in spec.relations {
            switch relation.kind {
            case "total":
                guard let dimension = relation.dimension, let code = relation.code else { continue }
                var parts: [String: [String]] = [:], totals: [(String, String, String)] = []
                for row in table.rows {
                    let dims = dimensions(row, spec: spec, index: index)
                    let others = dims.filter { $0.key != dimension }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "|")
                    for count in spec.counts where count.isProtected {
                        let time = text(row, index[count.time])
                        let key = count.statistic + "|" + time + "|" + others
                        let id = cellID(namespace: ns, statistic: count.statistic, time: time, dims: dims)
                        if dims[dimension] == code { totals.append((key, id, time)) } else { parts[key, default: []].append(id) }
                    }
                }
                for (key, total, time) in totals {
                    guard let covering = parts[key], !covering.isEmpty else { continue }
                    out.append(.init([.init(total, 1)] + covering.map { .init($0, -1) },
                                     origin: "\(table.dataset): the \(dimension) total \(code) of \(time) is the sum of its rows"))
                }
            case "stock_flow":
                guard let stock = relation.stock, let inflow = relation.inflow, let outflow = relation.outflow,
                      let fromColumn = relation.from, let toColumn = relation.to else { continue }
                var groups = Set<[String: String]>(), periods = Set<[String]>()
                for row in table.rows {
                    groups.insert(dimensions(row, spec: spec, index: index))
                    periods.insert([text(row, index[fromColumn]), text(row, index[toColumn])])
                }
                for dims in groups.sorted(by: { $0.description < $1.description }) {
                    for period in periods.sorted(by: { $0[0] < $1[0] }) {
                        let (from, to) = (period[0], period[1])
                        let flowTime = { (s: String) in timeOf[s] == fromColumn ? from : to }
                        out.append(.init([.init(ref(stock, to, dims), 1), .init(ref(stock, from, dims), -1),
                                          .init(ref(inflow, flowTime(inflow), dims), -1), .init(ref(outflow, flowTime(outflow), dims), 1)],
                                         origin: "\(table.dataset): \(stock) at \(to) = at \(from) + \(inflow) − \(outflow), for \(dims.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))"))
                    }
                }
            case "parts":
                guard let partNames = relation.parts, let whole = relation.whole, let firstTime = spec.counts.first?.time else { continue }
                var seen = Set<String>()
                for row in table.rows {
                    let dims = dimensions(row, spec: spec, index: index)
                    let time = text(row, index[firstTime])
                    guard seen.insert(cellID(namespace: ns, statistic: "", time: time, dims: dims)).inserted else { continue }
                    var wholeDims = dims.filter { !(relation.drop ?? []).contains($0.key) }
                    wholeDims.merge(relation.wholeDims ?? [:]) { _, b in b }
                    out.append(.init(partNames.map { .init(ref($0, time, dims), 1) } + [.init(ref(whole, time, wholeDims), -1)],
                                     remainder: relation.remainder == "nonnegative",
                                     origin: "\(table.dataset): \(partNames.joined(separator: " + ")) of \(time) add up to \(whole)\(relation.remainder == "nonnegative" ? " (or less)" : "")"))
                }
            default:
                continue
            }
        }
        return out
    }
}
