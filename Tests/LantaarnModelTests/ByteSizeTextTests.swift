import LantaarnModel
import Testing

struct ByteSizeTextTests {
    @Test func parsesBinaryUnitsAndRejectsNonsense() {
        #expect(ByteSizeText.bytes("512") == 512)
        #expect(ByteSizeText.bytes("64KB") == 64 << 10)
        #expect(ByteSizeText.bytes("512 MB") == 512 << 20)
        #expect(ByteSizeText.bytes(" 1gb ") == 1 << 30)
        #expect(ByteSizeText.bytes("2GiB") == 2 << 30)
        #expect(ByteSizeText.bytes("1T") == 1 << 40)
        for bad in ["", "GB", "1.5GB", "-1GB", "10 parsecs", "99999999999999999999", "9000000000TB"] {
            #expect(ByteSizeText.bytes(bad) == nil, "\(bad)")
        }
    }
}
