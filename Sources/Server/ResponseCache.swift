import Dispatch
import Hummingbird
import LantaarnModel
import Store
import Synchronization

/// Rendered answers of the busiest public pages (the dataset list, query pages, the catalogue,
/// `/openapi.json`), kept until published data changes. A change by this process shows at once
/// (`localDatasetWrites`); one by another process (a `lantaarn purge` or `pipeline run`) within
/// `recheck`, when the stored generation is read again. Each answer gets a strong ETag of its
/// generation, so clients can revalidate with `If-None-Match` (304).
public final class ResponseCache: Sendable {
    /// How often the stored generation is read again, at most.
    static let recheckNanoseconds: UInt64 = 100_000_000
    /// Answers kept, at most; the oldest go first.
    static let capacity = 2_000
    /// Answers larger than this are not kept.
    static let maxBodyBytes = 4 << 20

    private struct Entry {
        var generation: String
        var headers: HTTPFields
        var body: ByteBuffer
    }

    private struct State {
        var stored: Int64 = -1
        /// `localDatasetWrites` when `stored` was read.
        var localSeen: Int64 = -1
        var checkedAt: UInt64 = 0
        var entries: [String: Entry] = [:]
        var order: [String] = []
        /// Keys whose new answer a request is building now.
        var building: Set<String> = []
    }

    private let releases: any ReleaseStore
    private let state = Mutex(State())

    public init(releases: any ReleaseStore) {
        self.releases = releases
    }

    /// The generation of published data now: the stored counter, which every publish bumps in
    /// its own transaction. It is read again at most every `recheck`, and at once after this
    /// process wrote (`localDatasetWrites` moved), so its own changes show immediately and
    /// each change makes one new generation, not two.
    func generation() throws -> String {
        let nanos = DispatchTime.now().uptimeNanoseconds
        let local = releases.localDatasetWrites
        let cached = state.withLock { s -> Int64? in
            s.stored >= 0 && s.localSeen == local && nanos &- s.checkedAt < Self.recheckNanoseconds ? s.stored : nil
        }
        if let cached { return "\(cached)" }
        let stored = try releases.storedDatasetGeneration()
        state.withLock { s in
            s.stored = stored
            s.localSeen = local
            s.checkedAt = nanos
        }
        return "\(stored)"
    }

    /// The kept answer for `key` if the data has not changed since, else `build`'s (kept
    /// when it succeeds). Only 200 answers are built here; errors are thrown as usual.
    /// `variant` tells apart answers of one key that change without the data (a page that says
    /// how old the data is now): a new variant replaces the kept answer.
    /// One request at a time builds a key's new answer; requests that arrive meanwhile get the
    /// previous answer (with its own ETag), so a publish under load costs one render, not one
    /// per waiting client.
    func respond(_ request: Request, key: String, variant: String = "",
                 build: () throws -> (headers: HTTPFields, body: ByteBuffer)) throws -> Response {
        let generation = try generation() + (variant.isEmpty ? "" : "-" + variant)
        enum Lookup { case kept(Entry), build }
        let lookup = state.withLock { s -> Lookup in
            if let kept = s.entries[key], kept.generation == generation || s.building.contains(key) { return .kept(kept) }
            s.building.insert(key)
            return .build
        }
        let entry: Entry
        switch lookup {
        case .kept(let kept): entry = kept
        case .build:
            defer { _ = state.withLock { $0.building.remove(key) } }
            let built = try build()
            entry = Entry(generation: generation, headers: built.headers, body: built.body)
            if built.body.readableBytes <= Self.maxBodyBytes {
                state.withLock { s in
                    if s.entries.updateValue(entry, forKey: key) == nil { s.order.append(key) }
                    if s.order.count > Self.capacity {
                        let drop = s.order.prefix(Self.capacity / 10)
                        for k in drop { s.entries[k] = nil }
                        s.order.removeFirst(drop.count)
                    }
                }
            }
        }
        // A hash every node computes alike, so any node answers with the same ETag.
        let etag = "\"c\(entry.generation)-\(UInt32(truncatingIfNeeded: FNV1a.hash(key)))\""
        var headers = entry.headers
        headers[.eTag] = etag
        if request.headers[.ifNoneMatch].map({ $0 == etag || $0 == "W/" + etag || $0 == "*" }) == true {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: entry.body))
    }
}
