/// CBS area codes as CBS writes them: `GM` and the gemeente's four digits; a wijk `WK`, those
/// four digits and two characters; a buurt `BU`, those four digits and four characters. The
/// characters after the gemeente are digits or capital letters: Amsterdam's wijken are
/// `WK0363AA` to `WK0363TH`, its buurten `BU0363AD03` and so on. Codes are compared as
/// given, after trimming and upper-casing (``normalised(_:)``).
public enum CBSCode {
    /// One level's codes: the prefix, how many characters follow the gemeente's four digits, and
    /// what such a code looks like (for error messages).
    public typealias Level = (prefix: String, local: Int, shape: String)
    public static let gemeente: Level = ("GM", 0, "GM and 4 digits, such as GM0392")
    public static let wijk: Level = ("WK", 2, "WK, the gemeente's 4 digits and 2 digits or capital letters, such as WK039201 or WK0363AD")
    public static let buurt: Level = ("BU", 4, "BU, the gemeente's 4 digits and 4 digits or capital letters, such as BU03920101 or BU0363AD03")

    /// `code` without surrounding spaces, in upper case.
    public static func normalised(_ code: String) -> String {
        let bytes = code.utf8
        // Codes as stored (no spaces, no lower case) come back as they are, without copying.
        if bytes.first != 32, bytes.last != 32, !bytes.contains(where: { $0 >= 97 && $0 <= 122 }) { return code }
        return String(code.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()).uppercased()
    }

    /// Whether `code` is a code of `level`: its prefix, four digits and `local` digits or capital letters.
    public static func matches(_ code: String, _ level: Level) -> Bool {
        let bytes = Array(code.utf8)
        guard bytes.count == 6 + level.local, code.hasPrefix(level.prefix) else { return false }
        return bytes[2..<6].allSatisfy(isDigit) && bytes[6...].allSatisfy { isDigit($0) || ($0 >= 65 && $0 <= 90) }
    }

    /// Whether every character of `text` is a digit or a capital letter (a local part).
    public static func isLocalPart(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { isDigit($0) || ($0 >= 65 && $0 <= 90) }
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
}
