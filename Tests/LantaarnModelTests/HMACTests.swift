import LantaarnModel
import Testing

struct HMACTests {
    /// RFC 4231 test case 2.
    @Test func rfc4231() {
        let mac = HMACSHA256.mac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(SHA256.hexString(mac) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
