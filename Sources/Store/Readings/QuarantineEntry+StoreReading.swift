import LantaarnModel

/// Quarantine entries the store itself makes (origin `store`): a reading that conflicts with a
/// stored value, or, in stores from before backfill, one that arrived after its window was
/// sealed. The payload is the reading: `{"sensor", "quantity", "ts", "value"}`.
extension QuarantineEntry {
    public static let storeOrigin = "store"
    static let conflictPrefix = "conflict: "

    /// A reading at a stored time with another value: kept for review, both values in the reason.
    public var isConflict: Bool { origin == Self.storeOrigin && reason.hasPrefix(Self.conflictPrefix) }

    /// The entry for `r`, which conflicts with the stored value `stored`.
    static func conflict(_ r: Reading, stored: Double, source: String) -> QuarantineEntry {
        var payload = "{\"sensor\":"
        JSONWriter.appendString(r.series.sensorID, to: &payload)
        payload += ",\"quantity\":"
        JSONWriter.appendString(r.series.quantity, to: &payload)
        payload += ",\"ts\":\"\(ISO8601.format(milliseconds: r.timestamp))\",\"value\":"
        JSONWriter.appendNumber(r.value, to: &payload)
        payload += "}"
        var storedText = "", newText = ""
        JSONWriter.appendNumber(stored, to: &storedText)
        JSONWriter.appendNumber(r.value, to: &newText)
        return QuarantineEntry(
            receivedAt: Clock.nowMilliseconds(), source: source, origin: storeOrigin, sensorID: r.series.sensorID,
            reason: conflictPrefix + "\(r.series) at \(ISO8601.format(milliseconds: r.timestamp)) is stored as \(storedText); this reading says \(newText). "
                + "The stored value stays; this reading is kept here, with both values, for review ('lantaarn quarantine replay --replace' applies it)",
            payload: Array(payload.utf8))
    }

    /// The reading a store entry holds (without its wijk); `nil` for other entries or a payload
    /// that is not one.
    public var storedReading: (series: SeriesKey, timestamp: Int64, value: Double)? {
        guard origin == Self.storeOrigin, let json = try? JSONParser.parse(payload),
              let sensor = json["sensor"]?.stringValue, let quantity = json["quantity"]?.stringValue,
              let ts = json["ts"]?.stringValue.flatMap(ISO8601.parse), let value = json["value"]?.numberValue else { return nil }
        return (SeriesKey(sensorID: sensor, quantity: quantity), ts, value)
    }
}
