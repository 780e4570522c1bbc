import CCurl
import Foundation

/// One conditional HTTP GET with libcurl, streamed to a file.
///
/// Sends `If-None-Match`/`If-Modified-Since` from the previous response, so an unchanged
/// source costs one round trip and no download. Bounded by a connect timeout, a total
/// timeout and a size limit; only http and https, also after redirects.
public struct HTTPFetcher: Sendable {
    /// Seconds to establish the connection.
    public var connectTimeout = 10
    /// Seconds for the whole transfer.
    public var totalTimeout = 300
    /// Largest body accepted, bytes.
    public var maxBytes: Int64 = 4 << 30

    public init(connectTimeout: Int = 10, totalTimeout: Int = 300) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    /// What identifies a version of the resource, for the next conditional request.
    public struct Validators: Sendable, Equatable {
        public var etag: String?
        public var lastModified: String?
        public init(etag: String? = nil, lastModified: String? = nil) {
            self.etag = etag
            self.lastModified = lastModified
        }
    }

    public enum Outcome: Sendable, Equatable {
        /// 304: the source has not changed since `validators` were given.
        case notModified
        /// 200: the body is in the file; its validators for next time.
        case downloaded(Validators)
    }

    private static let initialised: Bool = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK }()

    /// Fetches `url` into `path` (replaced), conditionally on `validators`.
    public func fetch(_ url: String, to path: String, validators: Validators = Validators()) throws -> Outcome {
        let shown = Self.redacted(url)
        guard Self.isPullable(url) else {
            throw FileIngestError("\(shown): only http:// and https:// URLs can be pulled")
        }
        guard Self.initialised, let curl = curl_easy_init() else { throw FileIngestError("\(shown): libcurl could not start") }
        defer { curl_easy_cleanup(curl) }
        guard let file = fopen(path, "w") else {
            throw FileIngestError("\(shown): cannot write the download to \(path) (\(String(cString: strerror(errno))))")
        }
        var closed = false
        defer { if !closed { fclose(file) } }

        var headers: UnsafeMutablePointer<curl_slist>?
        if let etag = validators.etag { headers = curl_slist_append(headers, "If-None-Match: \(etag)") }
        if let modified = validators.lastModified { headers = curl_slist_append(headers, "If-Modified-Since: \(modified)") }
        defer { curl_slist_free_all(headers) }
        let received = ResponseHeaders()
        let context = Unmanaged.passUnretained(received).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

        let rc: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            var setup = [
                lantaarn_curl_set_string(curl, CURLOPT_URL, url),
                lantaarn_curl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https"),
                lantaarn_curl_set_string(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https"),
                lantaarn_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 1),
                lantaarn_curl_set_long(curl, CURLOPT_MAXREDIRS, 5),
                lantaarn_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT, connectTimeout),
                lantaarn_curl_set_long(curl, CURLOPT_TIMEOUT, totalTimeout),
                lantaarn_curl_set_long(curl, CURLOPT_NOSIGNAL, 1),
                lantaarn_curl_set_long(curl, CURLOPT_MAXFILESIZE, Int(maxBytes)),
                lantaarn_curl_set_string(curl, CURLOPT_USERAGENT, "Lantaarn (open data ingest)"),
                lantaarn_curl_set_string(curl, CURLOPT_ACCEPT_ENCODING, ""),   // gzip and deflate, decoded by libcurl
                lantaarn_curl_set_pointer(curl, CURLOPT_WRITEDATA, UnsafeMutableRawPointer(file)),   // default writer: fwrite
                lantaarn_curl_set_pointer(curl, CURLOPT_HEADERDATA, context),
                lantaarn_curl_set_write(curl, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                    guard let data, let context else { return 0 }
                    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
                    Unmanaged<ResponseHeaders>.fromOpaque(context).takeUnretainedValue().add(line)
                    return size * count
                },
                lantaarn_curl_set_pointer(curl, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errors.baseAddress!)),
            ]
            if let headers { setup.append(lantaarn_curl_set_list(curl, CURLOPT_HTTPHEADER, headers)) }
            if let failed = setup.first(where: { $0 != CURLE_OK }) { return failed }
            return curl_easy_perform(curl)
        }
        closed = true
        let flushed = fclose(file) == 0
        guard rc == CURLE_OK else {
            let message = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let detail = message.isEmpty ? String(cString: curl_easy_strerror(rc)) : message
            throw FileIngestError("\(shown): download failed: \(Self.redacted(detail)) (check the URL, the network, or raise the timeout)")
        }
        guard flushed else { throw FileIngestError("\(shown): cannot write the download to \(path)") }
        var status = 0
        _ = lantaarn_curl_get_long(curl, CURLINFO_RESPONSE_CODE, &status)
        switch status {
        case 304:
            return .notModified
        case 200:
            return .downloaded(Validators(etag: received.value("etag"), lastModified: received.value("last-modified")))
        default:
            throw FileIngestError("\(shown): the server answered HTTP \(status); expected 200 (or 304 when unchanged)")
        }
    }

    /// True for the URLs a pull accepts: http:// and https://.
    public static func isPullable(_ url: String) -> Bool {
        url.hasPrefix("http://") || url.hasPrefix("https://")
    }

    /// `url` without a password (`https://user:secret@host/…` → `https://user:…@host/…`),
    /// for messages and logs.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@"),
              !url[scheme.upperBound..<at].contains("/"),
              let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":…" + String(url[at...])
    }
}

/// Response headers of the last response (a redirect's headers are dropped).
private final class ResponseHeaders: @unchecked Sendable {   // used by one transfer on one thread
    private var fields: [String: String] = [:]

    func add(_ line: String) {
        if line.hasPrefix("HTTP/") { fields = [:]; return }   // a new response starts
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
        fields[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func value(_ name: String) -> String? { fields[name] }
}
