import Foundation
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
            try other.publish(ReleaseDraft(dataset: "lucht", window: TimeWindow(start: 0, end: 1), rows: [[.text("WK039201"), .text("t"), .number(1), .integer(1)]],
                                           rowsIn: 1, lineage: .null))
            try await Task.sleep(for: .milliseconds(250))
            let changed = try await SecurityTests.curl(base + "/datasets/lucht/rows.json")
            #expect(changed.body.contains("\"count\":1"), "\(changed.body.prefix(300))")
        }
    }
}
