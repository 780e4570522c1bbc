/// A melding openbare ruimte (a citizen's report of a problem in public space), as
/// Lantaarn keeps it: minimised at ingest. No reporter data, no address, no raw text.
public struct Melding: Sendable, Equatable {
    /// Where it came from: `open311`, `signalen` or `mor-ods`.
    public var source: String
    /// Its id in the source system (unique per source).
    public var sourceID: String
    /// The source's own category (service code/name, Signalen slug, MOR-ODS hoofd/sub/item).
    public var category: String
    /// BOR_MELD reference-table id the category maps to; `nil` when unmapped (reported).
    public var borMeld: Int?
    /// BOR_MELD hoofdcategorie (Afval, Groen, ...); `nil` when unmapped.
    public var hoofdcategorie: String?
    /// When it was reported, epoch milliseconds.
    public var createdAt: Int64
    /// When it was closed (afgehandeld or geannuleerd), if it is.
    public var closedAt: Int64?
    /// Administrative state: open or closed.
    public var isOpen: Bool
    /// Exact position (WGS84), for internal use only; public outputs carry wijk/buurt.
    public var latitude: Double?
    public var longitude: Double?
    /// CBS areas of the position with the boundaries in force at `createdAt`.
    public var gemeente: String?
    public var wijk: String?
    public var buurt: String?
    /// Channel (online, telefoon, ...), when the source says.
    public var channel: String?
    /// Free text with personal data replaced by typed placeholders; only kept when the
    /// data team configured an internal text retention, never published.
    public var scrubbedText: String?
    /// Status changes from the source, oldest first.
    public var history: [StatusChange]

    public struct StatusChange: Sendable, Equatable {
        public var at: Int64
        /// The source's state (`open`, `b`, `afgesloten`, ...).
        public var state: String
        public var closes: Bool

        public init(at: Int64, state: String, closes: Bool) {
            self.at = at
            self.state = state
            self.closes = closes
        }
    }

    public init(source: String, sourceID: String, category: String, createdAt: Int64, isOpen: Bool = true) {
        self.source = source
        self.sourceID = sourceID
        self.category = category
        self.createdAt = createdAt
        self.isOpen = isOpen
        self.history = []
    }
}
