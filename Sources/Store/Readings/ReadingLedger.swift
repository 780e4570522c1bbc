import LantaarnModel

/// Identifies a stored series: sensor × quantity × wijk × buurt (`''`: unknown). A sensor that
/// moves, or whose area a new boundary vintage changes, starts a new series.
package struct SeriesIdentity: Hashable, Sendable {
    package var sensorID: String
    package var quantity: String
    package var wijk: String
    package var buurt: String

    package init(sensorID: String, quantity: String, wijk: String, buurt: String = "") {
        self.sensorID = sensorID
        self.quantity = quantity
        self.wijk = wijk
        self.buurt = buurt
    }

    package init(_ r: Reading) {
        sensorID = r.series.sensorID
        quantity = r.series.quantity
        wijk = r.wijk?.rawValue ?? ""
        buurt = r.buurt ?? ""
    }
}

/// What scans and aggregates need of a series.
package struct SeriesInfo: Sendable {
    package var series: SeriesKey
    package var wijk: WijkCode?
    package var buurt: String?

    package init(sensorID: String, quantity: String, wijk: String, buurt: String) {
        series = SeriesKey(sensorID: sensorID, quantity: quantity)
        self.wijk = WijkCode(wijk)
        self.buurt = buurt.isEmpty ? nil : buurt
    }
}

/// A series row: where its sealed chunks end and the newest timestamp seen.
package struct SeriesState: Sendable {
    package var id: Int64
    /// Readings before this lie in sealed chunks; later arrivals for them are merged into those chunks.
    package var sealedUntil: Int64
    /// Newest reading timestamp seen.
    package var watermark: Int64

    package init(id: Int64, sealedUntil: Int64, watermark: Int64) {
        self.id = id
        self.sealedUntil = sealedUntil
        self.watermark = watermark
    }
}

/// Times, values and flags of readings of one series.
package struct ReadingColumns: Sendable {
    package var ts: [Int64] = []
    package var vs: [Double] = []
    package var fs: [UInt8] = []

    package init(ts: [Int64] = [], vs: [Double] = [], fs: [UInt8] = []) {
        self.ts = ts
        self.vs = vs
        self.fs = fs
    }

    /// The readings in time order; equal times keep their order here.
    package func sortedByTime() -> Self {
        let order = ts.indices.sorted { (ts[$0], $0) < (ts[$1], $1) }
        return Self(ts: order.map { ts[$0] }, vs: order.map { vs[$0] }, fs: order.map { fs[$0] })
    }

    package var isSortedByTime: Bool { ts.indices.dropFirst().allSatisfy { ts[$0 - 1] <= ts[$0] } }
}

/// The chunks of one series in one sealed window, decoded.
package struct SealedWindow: Sendable {
    /// How the backend names these chunks, to delete them (SQLite: row ids).
    package var chunks: [Int64] = []
    /// The timestamp block of each chunk, where a backend shares them (SQLite; `nil` elsewhere):
    /// known, they need not be read again to replace the chunks.
    package var blocks: [Int64?] = []
    package var columns = ReadingColumns()

    package init() {}
}

/// What one backend does for ``ReadingAppender`` inside the transaction of an append: the
/// storage operations, without the rules (duplicates, conflicts, sealing, backfill), which
/// are the appender's and so the same for SQLite and PostgreSQL.
///
/// A backend may defer writes (open readings, chunks, series updates) and send them as a few
/// multi-row statements in ``finish()``: every series is read before it is written, once per
/// append.
package protocol ReadingLedger {
    /// The series, created on first use, in the order asked; a backend with concurrent writers
    /// locks them for the transaction.
    func series(_ identities: [SeriesIdentity]) throws -> [SeriesState]

    /// The sealed chunks of a series whose windows start in `windows`, as stored, in window order
    /// (``ReadingLedger/sealedWindows(seriesID:windows:)`` decodes them).
    func storedChunks(seriesID: Int64, windows: ClosedRange<Int64>) throws -> [StoredChunk]

    /// Times and values of a series' open readings in `from...through`, in time order.
    func openReadings(seriesID: Int64, from: Int64, through: Int64) throws -> ReadingColumns

    /// A series' open readings before `limit`, in (time, arrival) order, with their flags.
    func bufferedReadings(seriesID: Int64, before limit: Int64) throws -> ReadingColumns

    /// Removes a series' open readings before `limit` (they were sealed).
    func deleteBuffered(seriesID: Int64, before limit: Int64) throws

    /// Buffers readings of the open window.
    func insertOpen(seriesID: Int64, _ columns: ReadingColumns) throws

    /// Stores one sealed chunk: readings of one window in time order.
    func insertChunk(seriesID: Int64, window: Int64, _ chunk: EncodedChunk) throws

    /// Removes the chunks of one window (about to be replaced by a merged one).
    func deleteChunks(seriesID: Int64, window: Int64, _ sealed: SealedWindow) throws

    /// Replaces the chunks of one sealed window (`sealed`, as ``sealedWindows(seriesID:windows:)``
    /// gave them) by one chunk. The default deletes them and inserts the new one; a backend may
    /// rewrite a chunk in place instead.
    func replaceChunks(seriesID: Int64, window: Int64, _ sealed: SealedWindow, with chunk: EncodedChunk) throws

    /// Replaces the chunks of one sealed window of several series of one sensor (a backfill of its
    /// quantities), each as ``replaceChunks(seriesID:window:_:with:)`` would. The default does
    /// that one series after another; a backend that shares timestamp blocks may rewrite the
    /// shared block once instead.
    func replaceWindow(_ window: Int64, _ rewrites: [WindowRewrite]) throws

    /// Records a series' new horizon and watermark.
    func updateSeries(_ state: SeriesState) throws

    /// End of the latest published window of any dataset: a reading before it may change a
    /// release, one after it cannot.
    func publishedUntil() throws -> Int64

    func insertQuarantine(_ entries: [QuarantineEntry]) throws

    /// Records changes under published windows.
    func recordChanges(_ tally: ChangeTally) throws

    /// Counts chunks a backfill rewrote (SQLite compacts the file after many).
    func countRewrittenChunks(_ n: Int) throws

    /// Sends deferred writes; called once at the end of an append.
    func finish() throws
}

/// One series' chunks of a window and the merged chunk that replaces them
/// (``ReadingLedger/replaceWindow(_:_:)``).
package struct WindowRewrite: Sendable {
    package var seriesID: Int64
    package var old: SealedWindow
    package var chunk: EncodedChunk
}

extension ReadingLedger {
    package func replaceWindow(_ window: Int64, _ rewrites: [WindowRewrite]) throws {
        for r in rewrites { try replaceChunks(seriesID: r.seriesID, window: window, r.old, with: r.chunk) }
    }

    /// The sealed chunks of a series whose windows start in `windows`, decoded per window start.
    package func sealedWindows(seriesID: Int64, windows: ClosedRange<Int64>) throws -> [Int64: SealedWindow] {
        try SealedWindow.decode(storedChunks(seriesID: seriesID, windows: windows), of: seriesID, times: nil)
    }

    package func replaceChunks(seriesID: Int64, window: Int64, _ sealed: SealedWindow, with chunk: EncodedChunk) throws {
        if !sealed.chunks.isEmpty { try deleteChunks(seriesID: seriesID, window: window, sealed) }
        try insertChunk(seriesID: seriesID, window: window, chunk)
    }
}
