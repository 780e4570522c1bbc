import Foundation
import LantaarnModel

/// A melding as a reader found it, before minimisation: free text still raw (it is
/// scrubbed or discarded before anything is stored), personal fields already left out
/// and counted.
struct RawMelding {
    var source: String
    var sourceID: String
    /// `nil` in an update that does not change the category.
    var category: String?
    /// `nil` in an update.
    var createdAt: Int64?
    var latitude: Double?
    var longitude: Double?
    var channel: String?
    /// Free-text fields (description, notes): scrubbed or discarded, never stored raw.
    var texts: [String] = []
    var history: [Melding.StatusChange] = []
    /// True for a body that changes a stored melding (a Signalen status or location update).
    var isUpdate = false
}

/// What a reader returns: the meldingen and the personal fields it left out.
struct RawMeldingFile {
    var format: String
    var meldingen: [RawMelding]
    /// Personal fields seen and not stored, per kind (`e-mail`, `telefoon`, `naam`, `adres`, ...).
    var dropped: [String: Int] = [:]
}

/// A meldingen file that cannot be loaded: what, where, what to do. Never quotes the
/// file's content (it may hold personal data).
public struct MeldingFileError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason); nothing was loaded" }
}

extension MeldingFileError {
    /// "not valid JSON" with the line and column of the byte where parsing failed, and a hint
    /// for the common case of a saved HTTP response. Quotes no content.
    static func invalidJSON(_ error: Error, _ bytes: [UInt8], file: String) -> MeldingFileError {
        if bytes.starts(with: Array("HTTP/".utf8)) {
            return MeldingFileError(file: file, reason: "starts with an HTTP status line, not JSON or XML; save only the response body")
        }
        guard let e = error as? JSONParseError else { return MeldingFileError(file: file, reason: "not valid JSON: \(error)") }
        let before = bytes.prefix(min(e.offset, bytes.count))
        let line = before.filter { $0 == 0x0A }.count + 1
        let column = before.count - (before.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
        return MeldingFileError(file: file, reason: "not valid JSON at line \(line), column \(column) (byte \(e.offset)): \(e.reason)")
    }
}

/// The meldingen formats `lantaarn ingest --format` takes.
public enum MeldingFormat: String, Sendable, CaseIterable {
    case open311, signalen, morODS = "mor-ods"

    /// The meldingen format a file's first bytes show, or `nil` (a sensor file, or unknown).
    /// Used by the inbox; `lantaarn ingest` takes `--format`.
    public static func detect(_ prefix: some Collection<UInt8>) -> MeldingFormat? {
        let text = String(decoding: prefix.prefix(4096), as: UTF8.self)
        if text.contains("<service_requests") || text.contains("\"service_request_id\"") { return .open311 }
        if text.contains("\"category\""), text.contains("\"location\"") || text.contains("\"reporter\"") || text.contains("/signals/") {
            return .signalen
        }
        let header = text.prefix { $0 != "\n" && $0 != "\r" }.lowercased()
        if header.contains("identificatie"), header.contains("datum") { return .morODS }
        return nil
    }
}

extension JSONValue {
    /// A string, or an integer number as text (ids come both ways).
    var text: String? {
        switch self {
        case .string(let s): return s.isEmpty ? nil : s
        case .number(let n) where n == n.rounded() && abs(n) < 1e15: return String(Int64(n))
        default: return nil
        }
    }
}

/// ISO 8601 with an offset, or Dutch local time without one (MOR-ODS writes
/// `YYYY-MM-DDTHH:MM:SS:ddd` in "Nederlandse tijd").
enum MeldingTime {
    static func parse(_ text: String) -> Int64? {
        var t = text.trimmingCharacters(in: .whitespaces)
        // MOR-ODS separates milliseconds with a colon.
        if t.count >= 23, t[t.index(t.startIndex, offsetBy: 19)] == ":" {
            t.replaceSubrange(t.index(t.startIndex, offsetBy: 19)...t.index(t.startIndex, offsetBy: 19), with: ".")
        }
        guard let utc = ISO8601.parse(t) else { return nil }
        let hasZone = t.count > 10 && (t.hasSuffix("Z") || t.dropFirst(10).contains("+") || t.dropFirst(19).contains("-"))
        return hasZone ? utc : utc - DutchTime.offset(localMilliseconds: utc)
    }
}
