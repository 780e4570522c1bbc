import Foundation
import LantaarnModel

/// An early-warning alert about meldingen in one wijk and week.
public struct MeldingAlert: Sendable, Equatable {
    public enum Kind: String, Sendable { case spike, stacked }

    public var id: Int64
    public var weekStart: Int64
    public var wijk: String
    public var kind: Kind
    /// The hoofdcategorie (spike) or the rising ones (stacked), comma-separated.
    public var categories: String
    public var observed: Int
    public var expected: Double
    /// Poisson upper-tail probability (the smallest of the categories for a stacked alert).
    public var tail: Double
    public var createdAt: Int64
    public var acknowledgedAt: Int64?
    public var acknowledgedBy: String?
    public var note: String?

    public init(weekStart: Int64, wijk: String, kind: Kind, categories: String, observed: Int, expected: Double, tail: Double,
                createdAt: Int64) {
        self.id = 0
        self.weekStart = weekStart
        self.wijk = wijk
        self.kind = kind
        self.categories = categories
        self.observed = observed
        self.expected = expected
        self.tail = tail
        self.createdAt = createdAt
    }
}

/// Alerts for people to look at and acknowledge (the admin API).
public protocol AlertStore: Sendable {
    func alerts(includeAcknowledged: Bool) throws -> [MeldingAlert]
    /// Acknowledges alert `id`; false when there is no such alert or it was acknowledged before.
    func acknowledgeAlert(id: Int64, by: String, note: String?, at: Int64) throws -> Bool
}
