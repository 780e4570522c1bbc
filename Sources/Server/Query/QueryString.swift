import Foundation

/// A URL query string taken apart strictly: percent-decoding must give valid UTF-8, and the
/// whole string has a length limit. Hummingbird's own parser replaces bad bytes silently; the
/// query API answers them with 400 instead.
struct QueryString {
    /// Longer query strings are refused (414) before any work is done.
    static let maxLength = 4_096

    /// Name and value pairs, in order, `+` read as a space.
    let pairs: [(name: String, value: String)]

    init(_ raw: String?) throws {
        guard let raw, !raw.isEmpty else { pairs = []; return }
        guard raw.utf8.count <= Self.maxLength else {
            throw APIError(.uriTooLong, "the query string is longer than \(Self.maxLength) bytes; use fewer or shorter filters")
        }
        pairs = try raw.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (try Self.decode(pieces[0]), pieces.count > 1 ? try Self.decode(pieces[1]) : "")
        }
    }

    /// The values of one parameter, in order.
    func values(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// The single value of a parameter; 400 when it is given more than once.
    func value(_ name: String) throws -> String? {
        let all = values(name)
        guard all.count <= 1 else { throw APIError(.badRequest, "parameter '\(name)' is given \(all.count) times; give it once") }
        return all.first
    }

    /// `+` as space, `%XX` as a byte; the bytes must be UTF-8.
    private static func decode(_ text: Substring) throws -> String {
        switch PercentDecoding.decode(text, plusAsSpace: true) {
        case .success(let decoded):
            // SQLite reads a bound text up to its first NUL: "a\0b" would be searched as "a".
            guard !decoded.utf8.contains(0) else {
                throw APIError(.badRequest, "the query string contains a NUL byte (%00); remove it")
            }
            return decoded
        case .failure(.malformedEscape):
            throw APIError(.badRequest, "the query string has a malformed percent-escape; write a % as %25, other bytes as %XX")
        case .failure(.notUTF8):
            throw APIError(.badRequest, "the query string is not UTF-8 once decoded; encode values as UTF-8 with %XX escapes")
        }
    }
}
