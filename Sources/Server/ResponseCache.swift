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
        var checkedAt: UInt64 = 0
        var entries: [String: Entry] = [:]
        var order: [String] = []
    }

    private let releases: any ReleaseStore
    private let state = Mutex(State())

    public init(releases: any ReleaseStore) {
        self.releases = releases
    }

    /// The generation of published data now: this process's writes and the stored counter.
    func generation() throws -> String {
        let nanos = DispatchTime.now().uptimeNanoseconds
        let cached = state.withLock { s -> Int64? in
            s.stored >= 0 && nanos &- s.checkedAt < Self.recheckNanoseconds ? s.stored : nil
        }
        let local = releases.localDatasetWrites
        if let cached { return "\(local)-\(cached)" }
        let stored = try releases.storedDatasetGeneration()
        state.withLock { s in
            s.stored = stored
            s.checkedAt = nanos
        }
        return "\(local)-\(stored)"
    }

    /// The kept answer for `key` if the data has not changed since, else `build`'s (kept
    /// when it succeeds). Only 200 answers are built here; errors are thrown as usual.
    /// `variant` tells apart answers of one key that change without the data (a page that says
    /// how old the data is now): a new variant replaces the kept answer.
    func respond(_ request: Request, key: String, variant: String = "",
                 build: () throws -> (headers: HTTPFields, body: ByteBuffer)) throws -> Response {
        let generation = try generation() + (variant.isEmpty ? "" : "-" + variant)
        let etag = "\"c\(generation)-\(UInt32(truncatingIfNeeded: key.hashValue & 0xffff_ffff))\""
        var entry = state.withLock { s in s.entries[key].flatMap { $0.generation == generation ? $0 : nil } }
        if entry == nil {
            let built = try build()
            let fresh = Entry(generation: generation, headers: built.headers, body: built.body)
            entry = fresh
            if built.body.readableBytes <= Self.maxBodyBytes {
                state.withLock { s in
                    if s.entries.updateValue(fresh, forKey: key) == nil { s.order.append(key) }
                    if s.order.count > Self.capacity {
                        let drop = s.order.prefix(Self.capacity / 10)
                        for k in drop { s.entries[k] = nil }
                        s.order.removeFirst(drop.count)
                    }
                }
            }
        }
        guard let entry else { throw APIError(.internalServerError, "no answer") }
        var headers = entry.headers
        headers[.eTag] = etag
        if request.headers[.ifNoneMatch].map({ $0 == etag || $0 == "W/" + etag || $0 == "*" }) == true {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: entry.body))
    }
}
