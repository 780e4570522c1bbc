/// How a dataset's counts are protected, and the linear relations between them that anyone can
/// use: part of the dataset's public metadata (`disclosure` in `/datasets.json`), so an auditor
/// can check the protection without Lantaarn.
///
/// A count cell is named by its namespace (the input it was counted from), its statistic, its
/// time and its dimensions (wijk, hoofdcategorie, ...): the same statistic published by two
/// datasets is one number. A group without a row in a published period has zero in every count.
public struct DisclosureSpec: Sendable, Hashable, Codable {
    /// The input the counts come from (e.g. `meldingen`); datasets of one namespace are
    /// protected together.
    public var namespace: String
    /// Smallest count published of people or reports (CBS's rule: 5).
    public var k: Int
    /// Smallest interval width an attacker may be left with for a held-back count.
    public var protection: Int
    /// Key column → dimension name.
    public var keys: [String: String]
    /// Dimensions every row of the dataset has, with their value (for example the whole gemeente).
    public var fixed: [String: String]?
    public var counts: [Count]
    public var relations: [Relation]
    /// How the pattern is chosen, in words.
    public var method: String

    public init(namespace: String, k: Int, protection: Int, keys: [String: String], fixed: [String: String]? = nil,
                counts: [Count], relations: [Relation], method: String) {
        self.namespace = namespace
        self.k = k
        self.protection = protection
        self.keys = keys
        self.fixed = fixed
        self.counts = counts
        self.relations = relations
        self.method = method
    }

    /// One count column.
    public struct Count: Sendable, Hashable, Codable {
        public var column: String
        /// What it counts, as a statistic name shared between datasets (`meldingen.open`).
        public var statistic: String
        /// The column that holds its time (start of the period, or the moment of a stock).
        public var time: String
        /// What is counted: `meldingen`, `ritten` (people's events, protected) or `metingen`
        /// (readings of a sensor, not people: not protected, and skipped by the k check).
        public var of: String

        public init(column: String, statistic: String, time: String, of: String) {
            self.column = column
            self.statistic = statistic
            self.time = time
            self.of = of
        }

        /// Counts of people or their reports are protected; counts of sensor readings are not.
        public var isProtected: Bool { of != "metingen" }
    }

    /// A linear relation between counts.
    ///
    /// - `total`: in each time, a row whose `dimension` is `code` holds the sum of the rows that
    ///   differ from it only in that dimension (if there are any).
    /// - `stock_flow`: per group and period (`from`, `to`): `stock` at `to` = `stock` at `from`
    ///   + `inflow` − `outflow` (the flows at the period's time).
    /// - `parts`: per row, the `parts` add up to `whole` of the same time and dimensions (less
    ///   the dimensions in `drop`, plus `whole_dims`), plus a non-negative remainder when
    ///   `remainder` is `nonnegative`.
    public struct Relation: Sendable, Hashable, Codable {
        public var kind: String
        public var dimension: String?
        public var code: String?
        public var stock: String?
        public var inflow: String?
        public var outflow: String?
        public var from: String?
        public var to: String?
        public var parts: [String]?
        public var whole: String?
        public var wholeDims: [String: String]?
        public var drop: [String]?
        public var remainder: String?

        enum CodingKeys: String, CodingKey {
            case kind, dimension, code, stock, inflow, outflow, from, to, parts, whole, drop, remainder
            case wholeDims = "whole_dims"
        }

        public static func total(dimension: String, code: String) -> Relation {
            Relation(kind: "total", dimension: dimension, code: code)
        }

        public static func stockFlow(stock: String, inflow: String, outflow: String, from: String, to: String) -> Relation {
            Relation(kind: "stock_flow", stock: stock, inflow: inflow, outflow: outflow, from: from, to: to)
        }

        public static func parts(_ parts: [String], whole: String, wholeDims: [String: String], drop: [String] = [], nonNegativeRemainder: Bool) -> Relation {
            Relation(kind: "parts", parts: parts, whole: whole, wholeDims: wholeDims, drop: drop, remainder: nonNegativeRemainder ? "nonnegative" : nil)
        }

        init(kind: String, dimension: String? = nil, code: String? = nil, stock: String? = nil, inflow: String? = nil, outflow: String? = nil,
             from: String? = nil, to: String? = nil, parts: [String]? = nil, whole: String? = nil, wholeDims: [String: String]? = nil,
             drop: [String]? = nil, remainder: String? = nil) {
            self.kind = kind
            self.dimension = dimension
            self.code = code
            self.stock = stock
            self.inflow = inflow
            self.outflow = outflow
            self.from = from
            self.to = to
            self.parts = parts
            self.whole = whole
            self.wholeDims = wholeDims
            self.drop = drop
            self.remainder = remainder
        }
    }
}
