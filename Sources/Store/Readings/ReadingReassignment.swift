import LantaarnModel

/// Readings of one sensor in a time window that belong in another wijk or buurt (after a new
/// boundary vintage was imported with `--reassign`).
public struct WijkMove: Sendable, Equatable {
    public var sensorID: String
    public var window: TimeWindow
    /// The wijk the readings belong in; `nil` for "outside every wijk".
    public var wijk: WijkCode?
    /// The buurt they belong in; `nil` for unknown.
    public var buurt: String?

    public init(sensorID: String, window: TimeWindow, wijk: WijkCode?, buurt: String? = nil) {
        self.sensorID = sensorID
        self.window = window
        self.wijk = wijk
        self.buurt = buurt
    }
}

/// Moving stored readings to the wijk and buurt a new boundary vintage puts them in
/// (`lantaarn geo import --reassign`).
public protocol ReadingReassignment: Sendable {
    /// Moves the readings each move covers, all in one transaction, logs every move that changed
    /// something, and counts moved readings already published as changes (their windows become
    /// stale). Returns how many readings moved; with `dryRun` it only counts.
    func reassignWijk(_ moves: [WijkMove], vintage: Int, now: Int64, dryRun: Bool,
                      progress: ((_ done: Int, _ total: Int) -> Void)?) throws -> Int
}
