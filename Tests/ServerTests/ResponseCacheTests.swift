import Foundation
import Hummingbird
import HTTPTypes
import Synchronization
import LantaarnModel
@testable import Server
import Store
import Testing

/// Kept answers change with the data: at once for this process's writes, soon after another
/// process's (a second store on the same file), and they revalidate with ETags.
struct ResponseCacheTests {
    let http = HTTPServerTests()

    @Test func keptAnswersFollowEveryChange() async throws {
        try await http.withServer { base, store in
            try QueryAPITests.publish(store, "lucht", rows: 5)
            let first = try await SecurityTests.curl(base + "/datasets.json")
            let etag = try #require(first.headers.split(separator: "\r\n").first { $0.hasPrefix("etag:") }.map { String($0.dropFirst(5)).trimmingCharacters(in: .whitespaces) })
            #expect(first.body.contains("\"rows\":5"))
            let again = try await SecurityTests.curl(base + "/datasets.json", ["-H", "If-None-Match: \(etag)"])
            #expect(again.status == 304)
            // This process publishes: the next answer shows it.
            try QueryAPITests.publish(store, "geluid", rows: 3)
            let after = try await SecurityTests.curl(base + "/datasets.json", ["-H", "If-None-Match: \(etag)"])
            #expect(after.status == 200 && after.body.contains("\"geluid\""))
            let page = try await SecurityTests.curl(base + "/datasets/lucht/rows.json")
            #expect(page.body.contains("\"count\":5"))
            // Another process (a second store object on the same file) replaces a window.
            let other = try SQLiteStore(dataDirectory: (store.path as NSString).deletingLastPathComponent)
            try other.releases.publish(ReleaseDraft(dataset: "lucht", window: TimeWindow(start: 0, end: 1), rows: [[.text("WK039201"), .text("t"), .number(1), .integer(1)]],
                                           rowsIn: 1, lineage: .null))
            try await Task.sleep(for: .milliseconds(250))
            let changed = try await SecurityTests.curl(base + "/datasets/lucht/rows.json")
            #expect(changed.body.contains("\"count\":1"), "\(changed.body.prefix(300))")
        }
    }

    /// After a change, one request builds the new answer; those arriving meanwhile get the kept
    /// one (with its own ETag) instead of each rendering it again.
    @Test func oneRequestBuildsWhileOthersGetTheKeptAnswer() throws {
        let store = try SQLiteStore(dataDirectory: NSTemporaryDirectory() + "lantaarn-cache-\(UUID().uuidString.prefix(8))")
        let cache = ResponseCache(releases: store.releases)
        let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "t", path: "/x"), body: .init(buffer: ByteBuffer()))
        let old = try cache.respond(request, key: "k") { ([:], ByteBuffer(string: "old")) }.headers[.eTag]
        try QueryAPITests.publish(store, "lucht", rows: 1)
        let builds = Mutex(0)
        let building = DispatchSemaphore(value: 0), othersDone = DispatchSemaphore(value: 0)
        let builder = DispatchGroup()
        let built = Mutex<String?>(nil)
        // One request builds, and its build does not finish until the others have been answered.
        DispatchQueue.global().async(group: builder) {
            let response = try? cache.respond(request, key: "k") {
                builds.withLock { $0 += 1 }
                building.signal()
                _ = othersDone.wait(timeout: .now() + 10)
                return ([:], ByteBuffer(string: "new"))
            }
            built.withLock { $0 = response?.headers[.eTag] }
        }
        building.wait()
        var seen: [String] = []
        for _ in 0..<7 {
            let response = try cache.respond(request, key: "k") {
                builds.withLock { $0 += 1 }
                return ([:], ByteBuffer(string: "again"))
            }
            seen.append(response.headers[.eTag] ?? "none")
        }
        othersDone.signal()
        builder.wait()
        #expect(builds.withLock { $0 } == 1)
        #expect(seen.allSatisfy { $0 == old }, "\(seen)")
        let fresh = try #require(built.withLock { $0 })
        #expect(fresh != old)
        // Once built, everyone gets the new answer.
        let after = try cache.respond(request, key: "k") { Issue.record("built twice"); return ([:], ByteBuffer()) }.headers[.eTag]
        #expect(after == fresh)
    }
}
