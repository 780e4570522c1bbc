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
///
/// The lookup is a table of its own, not a `Set`: the keys are hashes already (of the topic and
/// the frame counter or payload), so they index the table directly. A `Set` hashed them again,
/// three times per message with the eviction; with the batch's own set that was 8 % of ingest's
/// CPU at 150 k messages a second.
struct RecentMessages {
    static let capacity = 65_536

    typealias Key = ReadingValidator.MessageIdentity

    /// The keys in log order; once full, `next` is the oldest.
    private var ring: [Key] = []
    private var next = 0
    /// Linear probing over 4 × capacity slots: a ring index + 1, or 0 for an empty slot.
    private var slots = [Int32](repeating: 0, count: 4 * capacity)
    private static let mask = 4 * capacity - 1

    private static func home(_ key: Key) -> Int {
        // Fibonacci hashing mixes the timestamp into the key's own bits.
        let mixed = UInt64(bitPattern: key.key ^ (key.timestamp ?? 0x5bd1_e995)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 46) & mask
    }

    /// The slot holding `key`, or the empty slot where it would go.
    private func slot(of key: Key) -> (index: Int, found: Bool) {
        var i = Self.home(key)
        while true {
            let entry = slots[i]
            if entry == 0 { return (i, false) }
            if ring[Int(entry) - 1] == key { return (i, true) }
            i = (i + 1) & Self.mask
        }
    }

    /// Whether `key` is among the last ``capacity`` messages.
    func contains(_ key: Key) -> Bool { slot(of: key).found }

    /// Remembers `key`; false when it is among the last ``capacity`` messages already.
    mutating func insert(_ key: Key) -> Bool {
        guard !contains(key) else { return false }
        let position: Int
        if ring.count < Self.capacity {
            position = ring.count
            ring.append(key)
        } else {
            position = next
            remove(at: slot(of: ring[next]).index)
            ring[next] = key
            next = (next + 1) % Self.capacity
        }
        slots[slot(of: key).index] = Int32(position + 1)
        return true
    }

    /// Empties slot `i`, moving back the entries after it that probing would no longer reach
    /// (backward-shift deletion: no tombstones).
    private mutating func remove(at i: Int) {
        var hole = i
        var j = i
        while true {
            j = (j + 1) & Self.mask
            let entry = slots[j]
            if entry == 0 { break }
            let k = Self.home(ring[Int(entry) - 1])
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j)
            if !stays {
                slots[hole] = entry
                hole = j
            }
        }
        slots[hole] = 0
    }
}
