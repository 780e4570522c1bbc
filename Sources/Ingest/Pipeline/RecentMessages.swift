/// The identities of the last ``capacity`` messages, in log order, to recognise a copy.
///
/// Copies come from two places:
/// - LoRaWAN networks deliver a frame twice (two gateways' integrations, a retried
///   webhook), seconds apart; a frame counter repeats after a rejoin, so the identity
///   is the counter together with the time.
/// - An MQTT broker redelivers QoS 1 messages that were not acknowledged: after Lantaarn
///   was killed between writing a message to the log and its PUBACK (up to the broker's
///   in-flight window, 20 by default in mosquitto), and after a broker restart, when
///   publishers resend their own in-flight messages (libmosquitto allows up to 1,000).
///
/// In both cases the copy lands in the log within a few thousand messages of the
/// original, across all sensors; the window holds 65,536 (about 3 MB), so it also spans
/// a crash: at start the consumer reloads it from the records before its committed offset.
struct RecentMessages {
    static let capacity = 65_536

    typealias Key = ReadingValidator.MessageIdentity

    private var ring: [Key] = []
    private var next = 0
    private var seen: Set<Key> = []

    /// Whether `key` is among the last ``capacity`` messages.
    func contains(_ key: Key) -> Bool { seen.contains(key) }

    /// Remembers `key`; false when it is among the last ``capacity`` messages already.
    mutating func insert(_ key: Key) -> Bool {
        guard seen.insert(key).inserted else { return false }
        if ring.count < Self.capacity {
            ring.append(key)
        } else {
            seen.remove(ring[next])
            ring[next] = key
            next = (next + 1) % Self.capacity
        }
        return true
    }
}
