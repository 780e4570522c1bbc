import LantaarnModel

/// Which published windows no longer match the stored readings they were computed from: a
/// backfill, a correction or a wijk reassignment changed them after the window's release.
public protocol StaleWindowLog: Sendable {
    /// The last data change stored (0 before the first): a run reads it before its input and
    /// hands it to ``ReleaseDraft/changesThrough``.
    func changeMark() throws -> Int64

    /// The current releases of `dataset` whose window holds changes to `quantities` stored after
    /// the release's run read its input, oldest window first.
    func staleWindows(dataset: String, quantities: Set<String>) throws -> [StaleWindow]
}

/// A published window whose readings changed after its current release.
public struct StaleWindow: Sendable, Equatable {
    public var window: TimeWindow
    /// The window's current release.
    public var releaseID: Int64
    /// Changed readings since that release, by kind.
    public var changes: [DataChangeKind: Int]
    /// When the latest of those changes was stored.
    public var lastChangeAt: Int64

    public init(window: TimeWindow, releaseID: Int64, changes: [DataChangeKind: Int], lastChangeAt: Int64) {
        self.window = window
        self.releaseID = releaseID
        self.changes = changes
        self.lastChangeAt = lastChangeAt
    }

    /// Why the window is computed again, e.g. "1,152 readings arrived after release 17; 3 corrections".
    public var reason: String {
        var parts: [String] = []
        if let n = changes[.arrived] { parts.append("\(Self.grouped(n)) reading\(n == 1 ? "" : "s") arrived after release \(releaseID)") }
        if let n = changes[.corrected] { parts.append("\(Self.grouped(n)) correction\(n == 1 ? "" : "s") after release \(releaseID)") }
        if let n = changes[.moved] { parts.append("\(Self.grouped(n)) reading\(n == 1 ? "" : "s") moved to another wijk or buurt after release \(releaseID)") }
        return parts.joined(separator: "; ")
    }

    /// 1152 → "1,152".
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = n < 0 ? "-" : ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return out
    }
}
