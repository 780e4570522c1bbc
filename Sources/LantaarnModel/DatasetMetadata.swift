/// What the public sees about a dataset: the pipeline output's descriptive metadata and columns.
public struct DatasetMetadata: Sendable, Hashable, Codable {
    /// URL-safe dataset name, e.g. `luchtkwaliteit-per-wijk-uur`.
    public var name: String
    /// Dutch title (B1).
    public var title: String
    /// Dutch description (B1).
    public var description: String
    /// Name of the pipeline that produces the dataset.
    public var pipeline: String
    /// Licence URI or short name, e.g. `CC0-1.0`.
    public var license: String
    /// Retention period as text (`5y`), plus its legal basis.
    public var retention: String
    /// Output columns, in order.
    public var columns: [ColumnSpec]
    /// DCAT: theme (an OWMS term URI from the data.overheid.nl taxonomy).
    public var theme: String?
    /// DCAT-AP: the EU data theme next to `theme` (``ThemeVocabulary``).
    public var euTheme: String?
    /// DCAT: keywords (Dutch), as the pipeline gives them.
    public var keywords: [String]?
    /// DCAT: update frequency (an EU frequency authority URI).
    public var frequency: String?
    /// DCAT: spatial coverage (CBS gemeente code).
    public var spatial: String?
    /// DCAT: access rights (an EU access-right authority URI).
    public var accessRights: String?
    /// Why the dataset is not public (Woo: "open, tenzij"); `nil` for a public one.
    public var accessReason: String?
    /// Information-security classification (openbaar, intern, vertrouwelijk).
    public var classification: String?
    /// How its counts are protected and how they relate to each other and to other datasets'
    /// (``DisclosureSpec``); `nil` for a dataset without counts.
    public var disclosure: DisclosureSpec?

    /// Whether anyone may download it: access rights PUBLIC (or none recorded, for datasets
    /// registered before access rights existed).
    public var isPublic: Bool { accessRights.map { $0.hasSuffix("/PUBLIC") } ?? true }

    /// Creates dataset metadata.
    public init(name: String, title: String, description: String, pipeline: String,
                license: String, retention: String, columns: [ColumnSpec]) {
        self.name = name
        self.title = title
        self.description = description
        self.pipeline = pipeline
        self.license = license
        self.retention = retention
        self.columns = columns
    }
}

/// One column of a published dataset.
public struct ColumnSpec: Sendable, Hashable, Codable {
    /// Column name as it appears in CSV headers and JSON keys.
    public var name: String
    /// Value type.
    public var type: ColumnType
    /// Unit of the values, if any.
    public var unit: String?
    /// Dutch explanation of the column.
    public var description: String

    /// Creates a column spec.
    public init(name: String, type: ColumnType, unit: String? = nil, description: String) {
        self.name = name
        self.type = type
        self.unit = unit
        self.description = description
    }
}

/// Value types a dataset column can hold.
public enum ColumnType: String, Sendable, Hashable, Codable {
    case text, integer, number, timestamp
}

/// One cell of a dataset row.
public enum CellValue: Sendable, Hashable {
    case text(String)
    case integer(Int64)
    case number(Double)
    case null
}
