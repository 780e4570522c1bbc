import LantaarnModel
import Testing

/// CBS codes as CBS writes them: letters after the gemeente's digits (Amsterdam), any case in, upper case out.
struct CBSCodeTests {
    @Test func wijkCodesWithLetters() {
        #expect(WijkCode("WK0363AD")?.rawValue == "WK0363AD")
        #expect(WijkCode(" wk0363ad ")?.rawValue == "WK0363AD", "trimmed and upper-cased")
        #expect(WijkCode("WK039201")?.rawValue == "WK039201")
        for bad in ["WK0363A", "WK0363ADX", "WK036AAD", "WK0363A-", "BU0363AD", "WK0363ÄD", ""] {
            #expect(WijkCode(bad) == nil, "\(bad)")
        }
        #expect(WijkCode(gemeente: "GM0363", wijk: "ad")?.rawValue == "WK0363AD")
        #expect(WijkCode(gemeente: "gm0392", wijk: "1")?.rawValue == "WK039201")
        #expect(WijkCode(gemeente: "GM0363", wijk: "A") == nil)
    }

    @Test func everyLevel() {
        #expect(CBSCode.matches("GM0363", CBSCode.gemeente) && !CBSCode.matches("GM036A", CBSCode.gemeente))
        #expect(CBSCode.matches("BU0363AD03", CBSCode.buurt) && CBSCode.matches("BU03920101", CBSCode.buurt))
        #expect(!CBSCode.matches("BU0363ad03", CBSCode.buurt), "compared as given: normalise first")
        #expect(CBSCode.normalised("bu0363ad03") == "BU0363AD03")
        #expect(CBSCode.wijk.shape.contains("WK0363AD"))
    }
}
