import LantaarnModel

/// Personal API tokens as text: `lnt_` and 64 hex digits (256 random bits). Only the SHA-256 of
/// a token is stored; the token itself is shown once, when it is issued.
public enum StaffTokenText {
    public static let prefix = "lnt_"
    /// How long a token lasts unless `--expires` says otherwise.
    public static let defaultLifetime: Int64 = 90 * 86_400_000
    /// The longest a token may last.
    public static let longestLifetime: Int64 = 366 * 86_400_000

    /// A new token from the system's random source.
    public static func generate() -> String {
        var random = SystemRandomNumberGenerator()
        return prefix + SHA256.hexString((0..<32).map { _ in UInt8.random(in: 0...255, using: &random) })
    }

    /// The SHA-256 (hex) under which a token is stored and looked up.
    public static func hash(_ token: String) -> String {
        SHA256.hex(Array(token.utf8))
    }

    /// Whether `text` has a token's shape (so a JWT or the old admin token is not looked up as one).
    public static func looksLikeToken(_ text: String) -> Bool {
        text.hasPrefix(prefix) && text.utf8.count == prefix.utf8.count + 64
    }
}
