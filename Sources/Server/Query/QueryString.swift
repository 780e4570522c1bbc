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
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw APIError(.badRequest, "the query string has a malformed percent-escape; write a % as %25, other bytes as %XX")
                }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw APIError(.badRequest, "the query string is not UTF-8 once decoded; encode values as UTF-8 with %XX escapes")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
