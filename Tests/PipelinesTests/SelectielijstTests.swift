import Foundation
import LantaarnModel
@testable import Pipelines
import Store
import Testing

/// Retention from the VNG Selectielijst 2020: the shipped list is VNG's, a resultaat decides
/// between destruction after its term and permanent keeping, and the purge follows it.
struct SelectielijstTests {
    /// Every resultaat of VNG's own fixture (../shared, read here independently of
    /// scripts/selectielijst) is in the shipped list with the same waardering and term.
    @Test func theShippedListIsVNGs() throws {
        let fixture = try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: repoRoot + "/../shared/data/standards/selectielijst/selectielijst_2020.json"))))
        let records = try #require(fixture.arrayValue)
        var proces: [Int: Int] = [:], resultaten: [Int: JSONValue] = [:]
        for r in records {
            guard let pk = r["pk"]?.numberValue.map(Int.init), let fields = r["fields"] else { continue }
            if r["model"]?.stringValue == "selectielijst.procestype" { proces[pk] = fields["nummer"]?.numberValue.map(Int.init) }
            else { resultaten[pk] = fields }
        }
        let list = try Selectielijst.load(nextTo: repoRoot + "/Pipelines/any.yaml")
        #expect(list.resultaten.count == resultaten.count && resultaten.count == 346)
        for fields in resultaten.values {
            let p = try #require(fields["proces_type"]?.numberValue.flatMap { proces[Int($0)] })
            let n = try #require(fields["nummer"]?.numberValue.map(Int.init))
            let code = fields["generiek_resultaat"]?.numberValue.flatMap { resultaten[Int($0)]?["nummer"]?.numberValue }
                .map { "\(p).\(Int($0)).\(n)" } ?? "\(p).\(n)"
            let shipped = try #require(list.resultaten[code], "\(code)")
            #expect(shipped.waardering?.rawValue ?? "" == fields["waardering"]?.stringValue ?? "", "\(code)")
            #expect(shipped.bewaartermijn == fields["bewaartermijn"]?.stringValue, "\(code)")
        }
        let open = try #require(list.resultaten["20.1.7"])
        #expect(open.waardering == .vernietigen && open.bewaartermijn == "P1Y" && open.omschrijving.contains("open) datasets"))
    }

    @Test func isoTermsAsTheListGivesThem() throws {
        #expect(ISODuration("P1Y")?.milliseconds == DurationText.milliseconds("1y"))
        #expect(ISODuration("P1Y6M")?.milliseconds == DurationText.milliseconds("1y")! * 3 / 2)
        #expect(ISODuration("P42D")?.short == "42d" && ISODuration("P10Y")?.short == "10y" && ISODuration("P1Y6M")?.short == "P1Y6M")
        #expect(ISODuration("P1Y6M")?.dutch == "1 jaar en 6 maanden" && ISODuration("P9M")?.dutch == "9 maanden")
        for bad in ["", "P", "1Y", "PY", "P1D1Y", "P1Y1Y", "P1H", "P-1Y", "P99999Y"] { #expect(ISODuration(bad) == nil, "\(bad)") }
    }

    /// The shipped pipelines name resultaten: the purge destroys open datasets after the list's
    /// year and never touches the ones to be kept permanently; a free term keeps its own basis.
    @Test func thePurgeFollowsTheResultaat() throws {
        let catalog = try PipelineCatalog(directory: repoRoot + "/Pipelines")
        let air = try #require(catalog.pipeline(named: "luchtkwaliteit-per-wijk-uur")?.output.retention)
        #expect(air.isPermanent && air.resultaat?.code == "20.1.6" && air.basis.contains("blijvend bewaren"))
        let crowds = try #require(catalog.pipeline(named: "drukte-per-wijk-uur")?.output.retention)
        #expect(crowds.policy?.keep == DurationText.milliseconds("1y") && crowds.text == "1y")
        #expect(crowds.basis == "Selectielijst gemeenten en intergemeentelijke organen 2020, resultaat 20.1.7 (Informeren, Uitgevoerd: proactief beschikbaargestelde (open) datasets): vernietigen na 1 jaar")
        let texts = try #require(catalog.pipeline(named: "meldingen-teksten-week")?.output.retention)
        #expect(texts.resultaat == nil && texts.basis.contains("opslagbeperking"))
        #expect(catalog.datasetRetention["luchtkwaliteit-per-wijk-uur"] == nil && catalog.datasetRetention["geluid-lden-per-wijk-dag"] == nil)
        #expect(catalog.datasetRetention["drukte-per-wijk-uur"]?.basis == crowds.basis)
        #expect(PipelineRunner.metadata(for: try #require(catalog.pipeline(named: "luchtkwaliteit-per-wijk-uur"))).retention == "blijvend")
    }
}
