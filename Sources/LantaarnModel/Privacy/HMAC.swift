/// HMAC-SHA256 (RFC 2104) on top of ``SHA256``: keyed pseudonyms.
public enum HMACSHA256 {
    public static func mac(key: [UInt8], message: some Sequence<UInt8>) -> [UInt8] {
        var k = key.count > 64 ? { var h = SHA256(); h.update(key); return h.finalize() }() : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        var inner = SHA256()
        inner.update(k.map { $0 ^ 0x36 })
        inner.update(message)
        var outer = SHA256()
        outer.update(k.map { $0 ^ 0x5c })
        outer.update(inner.finalize())
        return outer.finalize()
    }
}
