@testable import Ingest
import Testing

struct RecentMessagesTests {
    /// Against a plain model (a set and a ring), with keys drawn so that copies arrive both inside
    /// the window and after they left it, and keys that collide in the table's home slots.
    @Test func remembersExactlyTheLastCapacityMessages() {
        var recent = RecentMessages()
        var model = Set<RecentMessages.Key>(), ring: [RecentMessages.Key] = [], oldest = 0
        var generator = SplitMix(seed: 33)
        for step in 0..<300_000 {
            let n = Int64(generator.next() % 120_000)
            // Half with a timestamp; some keys differ only in it.
            let key = RecentMessages.Key(key: n << 20, timestamp: n % 2 == 0 ? nil : n % 7)
            let expected = !model.contains(key)
            #expect(recent.contains(key) == !expected, "step \(step)")
            #expect(recent.insert(key) == expected, "step \(step)")
            if expected {
                model.insert(key)
                ring.append(key)
                if ring.count - oldest > RecentMessages.capacity {
                    model.remove(ring[oldest])
                    oldest += 1
                }
            }
            if step % 50_000 == 0 { #expect(ring[oldest...].allSatisfy { recent.contains($0) }) }
        }
        #expect(ring[oldest...].allSatisfy { recent.contains($0) })
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
