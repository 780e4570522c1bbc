import Foundation
import LantaarnModel

/// `lantaarn ingest https://…` and the scheduled pulls of `serve`: a conditional download
/// (``HTTPFetcher``) followed by a normal file load (``FileIngest``), so the file is
/// idempotent by SHA-256 and its bad rows are quarantined as `name:line`.
///
/// The ETag and Last-Modified of each URL are kept in `state` (a small JSON file in the data
/// directory) only after the load succeeded, so a failed load is retried in full next time.
public struct HTTPPull: Sendable {
    public let fetcher: HTTPFetcher
    public let ingest: FileIngest
    /// JSON file with the validators per URL.
    public let state: String
    /// Folder for downloads in progress (each pull's subfolder is removed after its load).
    public let downloads: String

    public init(fetcher: HTTPFetcher = HTTPFetcher(), ingest: FileIngest, dataDirectory: String) {
        self.fetcher = fetcher
        self.ingest = ingest
        self.state = dataDirectory + "/ingest-pulls.json"
        self.downloads = dataDirectory + "/pulls"
    }

    public enum Outcome: Sendable, Equatable {
        /// The server said 304: nothing was downloaded.
        case notModified
        /// Downloaded and loaded (or skipped as already loaded, by SHA-256).
        case loaded(FileIngest.Report)
    }

    /// Pulls `url` once.
    public func pull(_ url: String, progress: FileIngest.Progress = { _, _, _ in }) throws -> Outcome {
        // A folder per pull: `serve` and a `lantaarn ingest` may fetch files of the same name at once.
        let folder = downloads + "/" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/" + Self.fileName(of: url)
        var known = readState()
        switch try fetcher.fetch(url, to: path, validators: known[url] ?? HTTPFetcher.Validators()) {
        case .notModified:
            return .notModified
        case .downloaded(let validators):
            let report = try ingest.ingest(path: path, progress: progress)
            known = readState()
            known[url] = validators
            try writeState(known)
            return .loaded(report)
        }
    }

    /// The URL's last path segment, made safe as a file name (`download` when it has none):
    /// quarantine entries name it with the line number.
    static func fileName(of url: String) -> String {
        let path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        let last = path.split(separator: "/").last.map(String.init) ?? ""
        let safe = String(last.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" }.prefix(100))
        return safe.isEmpty || safe.hasPrefix(".") || path.hasSuffix("/") || !url.dropFirst(8).contains("/") ? "download" : safe
    }

    /// `{"URL": {"etag": "…", "last_modified": "…"}, …}`; a missing or unreadable file is empty.
    private func readState() -> [String: HTTPFetcher.Validators] {
        guard let data = FileManager.default.contents(atPath: state),
              case .object(let urls)? = try? JSONParser.parse([UInt8](data)) else { return [:] }
        var known: [String: HTTPFetcher.Validators] = [:]
        for (url, value) in urls {
            known[url] = HTTPFetcher.Validators(etag: value["etag"]?.stringValue, lastModified: value["last_modified"]?.stringValue)
        }
        return known
    }

    private func writeState(_ known: [String: HTTPFetcher.Validators]) throws {
        var text = "{"
        for (k, url) in known.keys.sorted().enumerated() {
            text += k == 0 ? "\n  " : ",\n  "
            JSONWriter.appendString(url, to: &text)
            text += ": {"
            var fields: [String] = []
            for (name, value) in [("etag", known[url]?.etag), ("last_modified", known[url]?.lastModified)] {
                guard let value else { continue }
                var field = ""
                JSONWriter.appendString(name, to: &field)
                field += ": "
                JSONWriter.appendString(value, to: &field)
                fields.append(field)
            }
            text += fields.joined(separator: ", ") + "}"
        }
        text += known.isEmpty ? "}\n" : "\n}\n"
        try text.write(toFile: state, atomically: true, encoding: .utf8)
    }
}
