import LantaarnModel

/// An ANPR sighting after pseudonymisation: camera, time and the pseudonym of the plate.
public struct AnprSighting: Sendable, Hashable {
    public var camera: String
    public var timestamp: Int64
    /// Hex HMAC of the plate under the key of its week.
    public var pseudonym: String
    /// For a sighting shortly before Monday 00:00 (within the longest trip), the HMAC under
    /// next week's key too, so a trip that crosses the key change still matches; dropped with
    /// the sighting.
    public var nextPseudonym: String?

    public init(camera: String, timestamp: Int64, pseudonym: String, nextPseudonym: String? = nil) {
        self.camera = camera
        self.timestamp = timestamp
        self.pseudonym = pseudonym
        self.nextPseudonym = nextPseudonym
    }
}

/// Pseudonymised ANPR sightings, held only until a travel-time run has matched them.
public protocol AnprStore: Sendable {
    /// Adds sightings (already pseudonymised); returns how many were new.
    func appendSightings(_ sightings: [AnprSighting]) throws -> Int
    /// Sightings in `window`, oldest first.
    func sightings(in window: TimeWindow) throws -> [AnprSighting]
    /// Deletes every sighting before `timestamp` that no legal hold on its camera covers,
    /// overwriting the freed pages and emptying the write-ahead log, so no pseudonym stays on
    /// disk; returns how many went. With `log`, the destruction record it makes of that number
    /// is written in the same transaction.
    func dropSightings(before timestamp: Int64, log: ((Int) -> DestructionRecord?)?) throws -> Int
    /// Sightings before this time have been dropped (`nil`: none yet).
    func sightingsDroppedBefore() throws -> Int64?
}

extension AnprStore {
    /// Drops sightings before `timestamp` without a destruction record of its own.
    public func dropSightings(before timestamp: Int64) throws -> Int { try dropSightings(before: timestamp, log: nil) }
}
