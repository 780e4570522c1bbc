import Foundation
import LantaarnModel

/// A melding to store: a whole melding, or an update (status or position) of a stored one.
public struct MeldingWrite: Sendable, Equatable {
    public var melding: Melding
    public var isUpdate: Bool

    public init(_ melding: Melding, isUpdate: Bool = false) {
        self.melding = melding
        self.isUpdate = isUpdate
    }
}

/// A loaded meldingen file, by content hash: a file is not loaded twice.
public struct MeldingFileRecord: Sendable, Equatable {
    public var sha256: String
    public var name: String
    public var format: String
    public var meldingen: Int
    public var report: String
    public var completedAt: Int64

    public init(sha256: String, name: String, format: String, meldingen: Int, report: String, completedAt: Int64) {
        self.sha256 = sha256
        self.name = name
        self.format = format
        self.meldingen = meldingen
        self.report = report
        self.completedAt = completedAt
    }
}

/// What storing a file's meldingen did.
public struct MeldingWriteResult: Sendable, Equatable {
    public var inserted = 0
    public var updated = 0
    public var statusChanges = 0
    public init() {}
}

/// What pipelines read of meldingen, and where they leave early-warning alerts.
public protocol MeldingStore: Sendable {
    /// Meldingen alive during `window`: reported before its end and not closed before its start.
    func meldingen(overlapping window: TimeWindow) throws -> [Melding]
    /// Meldingen reported in `window`.
    func meldingen(createdIn window: TimeWindow) throws -> [Melding]
    /// Records the alerts of a week (internal; never published).
    func recordAlerts(_ alerts: [MeldingAlert], weekStart: Int64) throws
}

/// What loading meldingen needs (`MeldingIngest`): files loaded before, when a stored melding was
/// reported, and the write of a file's meldingen in one transaction.
public protocol MeldingArchive: Sendable {
    /// The record of a meldingen file loaded before, if any.
    func meldingFile(sha256: String) throws -> MeldingFileRecord?
    /// When a stored melding was reported, if it is stored.
    func meldingCreatedAt(source: String, sourceID: String) throws -> Int64?
    /// Stores a file's meldingen and its record, all or nothing.
    func saveMeldingen(_ writes: [MeldingWrite], file: MeldingFileRecord) throws -> MeldingWriteResult
}
