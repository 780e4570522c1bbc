import LantaarnModel
import Testing

struct LineDiffTests {
    @Test func removedThenAdded() {
        #expect(LineDiff.unified("a\nb\nc", "a\nx\nc") == ["  a", "- b", "+ x", "  c"])
        #expect(LineDiff.unified("a", "a\nb") == ["  a", "+ b"])
        #expect(LineDiff.unified("a\nb", "b") == ["- a", "  b"])
    }
}
