import LantaarnModel
@testable import Server
import Testing

struct RowEncoderTests {
    let columns = [ColumnSpec(name: "naam", type: .text, description: ""), ColumnSpec(name: "n", type: .integer, description: ""),
                   ColumnSpec(name: "x", type: .number, description: ""), ColumnSpec(name: "leeg", type: .text, description: "")]

    @Test func csvQuotesAndNeutralisesFormulas() {
        let e = RowEncoder(format: .csv, columns: columns, dataset: "d", publisher: "Gemeente Haarlem")
        var out = e.header()
        e.append([.text("a,\"b\""), .integer(3), .number(1.25), .null], first: true, to: &out)
        e.append([.text("=HYPERLINK(\"x\")"), .integer(-1), .number(-0.5), .text("-3")], first: false, to: &out)
        #expect(out == "naam,n,x,leeg\r\n\"a,\"\"b\"\"\",3,1.25,\r\n\"'=HYPERLINK(\"\"x\"\")\",-1,-0.5,-3\r\n")
    }

    @Test func jsonIsCompleteWithTrailer() throws {
        let e = RowEncoder(format: .json, columns: columns, dataset: "d", publisher: "Gemeente Haarlem")
        var out = e.header()
        e.append([.text("é"), .integer(3), .number(1.5), .null], first: true, to: &out)
        e.append([.text("b"), .integer(4), .number(2), .null], first: false, to: &out)
        out += e.trailer(rowCount: 2)
        let v = try JSONParser.parse(out)
        #expect(v["publisher"]?.stringValue == "Gemeente Haarlem")
        #expect(v["rows"]?.arrayValue?.count == 2)
        #expect(v["rows"]?.arrayValue?[0]["naam"]?.stringValue == "é")
        #expect(v["row_count"]?.numberValue == 2)
        #expect(v["complete"] == .bool(true))
    }

    @Test func ndjsonIsOneObjectPerLine() throws {
        let e = RowEncoder(format: .ndjson, columns: columns, dataset: "d", publisher: "Gemeente Haarlem")
        var out = e.header()
        e.append([.text("a"), .integer(3), .number(1.5), .null], first: true, to: &out)
        e.append([.text("b\nc"), .integer(4), .number(2), .null], first: false, to: &out)
        out += e.trailer(rowCount: 2)
        let lines = out.split(separator: "\n")
        #expect(lines.count == 2 && out.hasSuffix("\n"))
        #expect(try JSONParser.parse(String(lines[1]))["naam"]?.stringValue == "b\nc")
    }

    @Test func semicolonCSVForDutchExcel() {
        let e = RowEncoder(format: .csv, columns: columns, dataset: "d", publisher: "p", separator: ";")
        var out = e.header()
        e.append([.text("a;b,c"), .integer(3), .number(1.25), .null], first: true, to: &out)
        #expect(out == "naam;n;x;leeg\r\n\"a;b,c\";3;1,25;\r\n")
    }

    @Test func formatSuffixes() {
        #expect(ExportFormat.split("luchtkwaliteit-per-wijk-uur.csv")! == ("luchtkwaliteit-per-wijk-uur", .csv))
        #expect(ExportFormat.split("a.b.json")! == ("a.b", .json))
        #expect(ExportFormat.split("a.xlsx") == nil)
        #expect(ExportFormat.split("a.ndjson")! == ("a", .ndjson))
        #expect(ExportFormat.split("a") == nil)
    }

    @Test func htmlHelpers() {
        #expect(HTML.escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;")
        #expect(HTML.dutch(12.345) == "12,3")
        #expect(HTML.dutch(7) == "7,0")
        #expect(HTML.dutch(15, decimals: 0) == "15")
    }
}
