import CLibCrypto

/// SHA-256 (FIPS 180-4), for file identities, pipeline version hashes and download digests.
/// Backed by OpenSSL's libcrypto, which uses the CPU's SHA extensions: file ingest hashes
/// every byte it loads, and a Swift implementation took 14 % of that time.
public struct SHA256: Sendable {
    private var context = SHA256_CTX()

    /// Starts an empty hash.
    public init() {
        SHA256_Init(&context)
    }

    /// Feeds bytes.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        array.withUnsafeBytes { update(raw: $0) }
    }

    /// Feeds contiguous bytes without copying.
    public mutating func update(raw bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        SHA256_Update(&context, base, bytes.count)
    }

    /// Finishes and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        SHA256_Final(&digest, &context)
        return digest
    }

    /// Hex digest of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var s = SHA256()
        s.update(bytes)
        return hexString(s.finalize())
    }

    /// Lower-case hex of `bytes` (digests, MACs).
    public static func hexString(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
