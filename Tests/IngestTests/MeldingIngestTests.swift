import Foundation
import Geo
import Ingest
import LantaarnModel
import Store
import Testing

/// Meldingen from Open311, Signalen and MOR-ODS: every shared file loads or is refused with
/// its reason, status history builds up, categories map to BOR_MELD, nothing is half-loaded.
struct MeldingIngestTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL.path
    static let shared = repo + "/../shared/data/meldingen"

    func ingest(_ name: String = "m") throws -> (MeldingIngest, SQLiteStore) {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory(name))
        let mapping = try CategoryMapping(mappingFile: Self.repo + "/Pipelines/mappings/bor_meld.yaml")
        return (MeldingIngest(store: store.meldingen, boundaries: BoundaryCatalog([try DefaultBoundaries.haarlemWijken()]), categories: mapping), store)
    }

    /// Every file in ../shared/data/meldingen: loaded (with its count) or refused (with a reason).
    @Test func everySharedFileLoadsOrIsRefusedWithItsReason() throws {
        let expected: [String: String] = [
            "open311/spec_example_service-requests.json": "not valid JSON at line 7, column 20 (byte 169): number with a leading zero",
            "open311/spec_example_service-request.json": "not valid JSON at line 7, column 20 (byte 169): number with a leading zero",
            "open311/spec_example_service-list.json": "not valid JSON at line 3, column 20 (byte 25): number with a leading zero",
            "open311/spec_example_service-definition.json": "expected a JSON array of service requests",
            "open311/spec_example_service-request-post.json": "request 0: no requested_datetime",
            "open311/spec_example_request-from-token.json": "request 0: no requested_datetime",
            "open311/spec_example_errors.json": "starts with an HTTP status line",
            "open311/spec_example_errors.xml": "starts with an HTTP status line",
            "open311/spec_example_service-list.xml": "the root element is <services>",
            "open311/spec_example_service-definition.xml": "the root element is <service_definition>",
            "open311/spec_example_service-request-post.xml": "request 0: no requested_datetime",
            "open311/spec_example_request-from-token.xml": "request 0: no requested_datetime",
            "open311/spec_example_service-requests.xml": "LOADED 2",
            "open311/spec_example_service-request.xml": "LOADED 1",
            "signalen/categories.json": "the Signalen category list, not signals",
            "signalen/create_initial.json": "LOADED 1",
            "signalen/create_initial_public.json": "LOADED 1",
            "signalen/update_status.json": "a single status or location update needs --id",
            "signalen/update_location.json": "a single status or location update needs --id",
            "mor_ods/MOR_ODS_1.0_v6__Data_specificatie_IM.csv": "not a MOR-ODS data file",
            "mor_ods/MOR_ODS_1.0_v6__Metadata_specificatie.csv": "not a MOR-ODS data file",
            "mor_ods/MOR_ODS_1.0_v6__API_specificatie.csv": "not a MOR-ODS data file",
            "mor_ods/BOR_MELD_referentie_tabel__BOR_MELD_referentietabel.csv": "the BOR_MELD reference table, not data",
        ]
        var files: [String] = []
        for folder in ["open311", "signalen", "mor_ods"] {
            files += try FileManager.default.contentsOfDirectory(atPath: Self.shared + "/" + folder).map { folder + "/" + $0 }
        }
        #expect(Set(files) == Set(expected.keys), "a shared file without an expectation")
        for file in files.sorted() {
            let (ingest, store) = try ingest()
            let format: MeldingFormat = file.hasPrefix("open311") ? .open311 : file.hasPrefix("signalen") ? .signalen : .morODS
            let want = try #require(expected[file])
            do {
                let report = try ingest.ingest(path: Self.shared + "/" + file, format: format)
                #expect(want == "LOADED \(report.meldingen)", "\(file): \(report)")
            } catch let error as MeldingFileError {
                #expect(error.description.contains(want), "\(file): \(error)")
                #expect(error.description.hasSuffix("nothing was loaded"))
                #expect(try store.meldingen.meldingen(createdIn: TimeWindow(start: Int64.min, end: Int64.max)).isEmpty, "\(file) half-loaded")
            }
        }
    }

    /// A Signalen create body, then its status updates: history in order, open/closed follows it.
    @Test func signalenStatusHistory() throws {
        let (ingest, store) = try ingest()
        let created = try ingest.ingest(path: Self.shared + "/signalen/create_initial.json", format: .signalen, id: "4711")
        #expect(created.written.inserted == 1)
        #expect(created.dropped == ["e-mail": 1, "telefoon": 1, "adres": 1])
        #expect(created.unmapped == ["overig": 1] && created.withoutWijk == 1, "Amsterdam lies outside the Haarlem wijken")
        let status = try ingest.ingest(path: Self.shared + "/signalen/update_status.json", format: .signalen, id: "4711", now: 1_700_000_000_000)
        #expect(status.written.updated == 1 && status.written.statusChanges == 1)
        let closing = #"{"status":{"state":"o","text":"Opgelost, bel 06-12345678 bij vragen","created_at":"2023-11-15T10:00:00+01:00"}}"#
        _ = try ingest.ingest(bytes: Array(closing.utf8), name: "close.json", format: .signalen, id: "4711")
        let all = try store.meldingen.meldingen(createdIn: TimeWindow(start: Int64.min, end: Int64.max))
        let m = try #require(all.first)
        #expect(all.count == 1 && m.sourceID == "4711" && m.category == "overig")
        #expect(m.history.map(\.state) == ["m", "b", "o"])
        #expect(!m.isOpen && m.closedAt == ISO8601.parse("2023-11-15T09:00:00Z"))
        #expect(m.scrubbedText == nil, "no text is kept unless configured")
        // The same file again: skipped by its hash.
        #expect(try ingest.ingest(path: Self.shared + "/signalen/create_initial.json", format: .signalen, id: "4711").alreadyLoaded != nil)
        // An update of a melding that is not stored fails the whole file.
        #expect(throws: StoreError.self) {
            try ingest.ingest(path: Self.shared + "/signalen/update_status.json", format: .signalen, id: "9999")
        }
    }

    /// MOR-ODS: Dutch local times, BOR_MELD names matched, einddatum closes, wijk assigned;
    /// one bad row refuses the file.
    @Test func morODSRowsWithLocalTimeAndBORMELD() throws {
        let (ingest, store) = try ingest()
        let csv = """
        identificatie;kanaal;publicatie;hoofdcategorie;subcategorie;itemcategorie;omschrijving;status;datum melding;einddatum;longitude;latidude
        Z-1;telefoon;open;Afval;Openbare afvalbak;Afvalbak vol;Afvalbak vol bij Grote Markt 2, bel 023-5111111;afgesloten;2024-07-01T09:30:00:000;2024-07-02T16:00:00:000;4,63722;52,38111
        Z-2;mail;gesloten;Verlichting en verkeer;;;Lamp kapot;in behandeling;2024-01-15T08:00:00:000;;4.63389;52.37389
        Z-3;balie;open;Iets anders;;;x;in behandeling;2024-01-15T08:00:00:000;;;
        """
        let report = try ingest.ingest(bytes: Array(csv.utf8), name: "mor.csv", format: .morODS)
        #expect(report.meldingen == 3 && report.unmapped == ["Iets anders": 1] && report.withoutWijk == 1)
        #expect(report.scrubbed.byKind == ["adres": 1, "telefoon": 1])
        let all = try store.meldingen.meldingen(createdIn: TimeWindow(start: Int64.min, end: Int64.max))
        let z1 = try #require(all.first { $0.sourceID == "Z-1" })
        #expect(z1.createdAt == ISO8601.parse("2024-07-01T07:30:00Z"), "summer time: UTC+2")
        #expect(z1.closedAt == ISO8601.parse("2024-07-02T14:00:00Z") && !z1.isOpen)
        #expect(z1.borMeld == 172 && z1.hoofdcategorie == "Afval" && z1.wijk == "WK039201" && z1.gemeente == "GM0392")
        let z2 = try #require(all.first { $0.sourceID == "Z-2" })
        #expect(z2.createdAt == ISO8601.parse("2024-01-15T07:00:00Z"), "winter time: UTC+1")
        #expect(z2.isOpen && z2.borMeld == nil && z2.hoofdcategorie == "Verlichting en verkeer" && z2.wijk == "WK039202")

        let bad = csv.replacingOccurrences(of: "2024-01-15T08:00:00:000;;4.63389", with: "15-01-2024;;4.63389")
        let (other, otherStore) = try self.ingest("bad")
        #expect {
            try other.ingest(bytes: Array(bad.utf8), name: "bad.csv", format: .morODS)
        } throws: { ($0 as? MeldingFileError)?.description.contains("bad.csv: line 3: datum melding") == true }
        #expect(try otherStore.meldingen.meldingen(createdIn: TimeWindow(start: Int64.min, end: Int64.max)).isEmpty)
    }

    /// With an internal text dataset configured, the scrubbed text is kept (never the raw one).
    @Test func keptTextIsScrubbed() throws {
        let store = try SQLiteStore(dataDirectory: try scratchDirectory("text"))
        let ingest = MeldingIngest(store: store.meldingen, boundaries: BoundaryCatalog([try DefaultBoundaries.haarlemWijken()]),
                                   categories: try CategoryMapping(mappingFile: Self.repo + "/Pipelines/mappings/bor_meld.yaml"), keepText: true)
        let body = #"{"id":7,"text":"Auto AB-12-CD blokkeert, bel 06-12345678 of mail a@b.nl","category":{"sub_category":"/x/parkeeroverlast"},"created_at":"2026-11-01T10:00:00+01:00"}"#
        let report = try ingest.ingest(bytes: Array(body.utf8), name: "s.json", format: .signalen)
        #expect(report.textKept && report.scrubbed.total == 3)
        let m = try #require(try store.meldingen.meldingen(createdIn: TimeWindow(start: Int64.min, end: Int64.max)).first)
        #expect(m.scrubbedText == "Auto [kenteken] blokkeert, bel [telefoon] of mail [e-mail]")
        #expect(m.borMeld == 156 && m.hoofdcategorie == "Parkeren")
    }

    /// Open311 XML: closed by status with updated_datetime; address fields left out.
    @Test func open311XMLRequests() throws {
        let (ingest, store) = try ingest()
        let report = try ingest.ingest(path: Self.shared + "/open311/spec_example_service-requests.xml", format: .open311)
        #expect(report.written.inserted == 2 && report.dropped["adres"] == 6 && report.unmapped == ["006": 2])
        let all = try store.meldingen.meldingen(createdIn: TimeWindow(start: Int64.min, end: Int64.max))
        #expect(all.map(\.isOpen) == [false, true])
        #expect(all[0].createdAt == ISO8601.parse("2010-04-14T14:37:38Z") && all[0].closedAt == ISO8601.parse("2010-04-14T14:37:38Z"))
    }

    /// Found by fuzzing: Foundation's XMLParser crashed the process on an element name that is
    /// not UTF-8. Such a file is refused with the line; one that names its encoding is read.
    @Test func open311XMLThatIsNotUTF8IsRefusedNotACrash() throws {
        let (ingest, _) = try ingest()
        var bad = Array("<?xml version=\"1.0\"?>\n<service_requests>\n<serv".utf8) + [0xE9] + Array("ce>x</serv".utf8) + [0xE9]
            + Array("ce>\n</service_requests>\n".utf8)
        #expect(throws: MeldingFileError.self) { try ingest.ingest(bytes: bad, name: "bad.xml", format: .open311) }
        do { _ = try ingest.ingest(bytes: bad, name: "bad.xml", format: .open311) } catch let error as MeldingFileError {
            #expect(error.reason.hasPrefix("line 3 is not valid UTF-8"))
        }
        bad = Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<service_requests><request><service_request_id>1</service_request_id><requested_datetime>2024-01-01T10:00:00Z</requested_datetime><status>open</status><description>caf".utf8)
            + [0xE9] + Array("</description></request></service_requests>\n".utf8)
        #expect(try ingest.ingest(bytes: bad, name: "latin1.xml", format: .open311).meldingen == 1)
        // libxml2 reads these as UTF-8 whatever they name (found by fuzzing): an encoding it does
        // not know, a malformed declaration, one after whitespace. So the bytes must be UTF-8.
        for (declaration, line) in [("<?xml version=\"1.0\" encoding=\"utf-4\"?>\n", 2),
                                    ("<?xml vers[\n  ion=\"1.0\" encoding=\"ISO-8859-1\"?>\n", 3),
                                    (" \n<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n", 3),
                                    ("<?xml version=\"1.0\" encoding=\"ISO-8859-1'?>\n", 2)] {
            bad = Array((declaration + "<service_req").utf8) + [0xF5] + Array("ests>\n</service_requests>\n".utf8)
            do {
                _ = try ingest.ingest(bytes: bad, name: "declared.xml", format: .open311)
                Issue.record("a file that is not UTF-8 was read after \(declaration)")
            } catch let error as MeldingFileError {
                #expect(error.reason.hasPrefix("line \(line) is not valid UTF-8"), "\(declaration)")
            }
        }
        bad = Array("<?xml version='1.0' encoding='windows-1252' standalone=\"yes\" ?>\n<service_requests><request><service_request_id>1</service_request_id><requested_datetime>2024-01-01T10:00:00Z</requested_datetime><status>open</status><description>caf".utf8)
            + [0xE9] + Array("</description></request></service_requests>\n".utf8)
        #expect(try ingest.ingest(bytes: bad, name: "cp1252.xml", format: .open311).meldingen == 1)
    }

    /// Found by fuzzing: Foundation's XMLParser read a NULL pointer on a processing instruction
    /// without content (`<?ibm?>`). That, and a document type declaration (whose declarations
    /// reach callbacks with the same flaw), are refused with the line, even inside a comment;
    /// a processing instruction with content, such as a stylesheet, is read.
    @Test func open311XMLWithMarkupTheParserCannotTakeIsRefused() throws {
        let (ingest, _) = try ingest()
        let request = "<service_requests><request><service_request_id>1</service_request_id><requested_datetime>2024-01-01T10:00:00Z</requested_datetime><status>open</status><description>DESCRIPTION</description></request></service_requests>\n"
        func refusal(_ text: String) -> String? {
            do { _ = try ingest.ingest(bytes: Array(text.utf8), name: "markup.xml", format: .open311); return nil }
            catch let error as MeldingFileError { return error.reason } catch { return "\(error)" }
        }
        #expect(refusal("<?xml version=\"1.0\"?>\n<?ibm?>\n" + request)?.hasPrefix("line 2 holds a processing instruction without content") == true)
        #expect(refusal("<?xml version=\"1.0\"?>\n" + request.replacingOccurrences(of: "DESCRIPTION", with: "a\n<!-- <?x?> -->"))?
            .hasPrefix("line 3 holds a processing instruction without content") == true)
        #expect(refusal("<?xml version=\"1.0\"?>\n<!DOCTYPE service_requests [<!NOTATION n SYSTEM \"x\">]>\n" + request)?
            .hasPrefix("line 2 holds a document type declaration") == true)
        #expect(refusal("<?xml version=\"1.0\"?>\n<?xml-stylesheet type=\"text/xsl\" href=\"s.xsl\"?>\n"
            + request.replacingOccurrences(of: "DESCRIPTION", with: "<?pi content?>text")) == nil)
        // The scan is linear: 32,768 '<?' in a row without whitespace (quadratic, this would be
        // about a billion steps), then one without content.
        let many = "<?xml version=\"1.0\"?>\n<service_requests><!-- " + String(repeating: "<?", count: 32_768) + " -->\n<?x?>"
        #expect(refusal(many)?.hasPrefix("line 3 holds a processing instruction without content") == true)
        #expect(refusal(String(repeating: "<?", count: 32_768) + "?>")?.hasPrefix("line 1 holds a processing instruction") == true)
        let found = try Array(Data(contentsOf: URL(fileURLWithPath: Self.repo + "/Tests/Fixtures/fuzz/open311/pi-without-content.xml")))
        #expect(throws: MeldingFileError.self) { try ingest.ingest(bytes: found, name: "found.xml", format: .open311) }
    }

    /// A meldingen file dropped in the inbox is loaded and then deleted (it holds personal
    /// data); one that fails moves to failed/ with its reason beside it.
    @Test func inboxLoadsAndDeletesMeldingenFiles() throws {
        let (meldingen, store) = try ingest("inbox")
        let folder = try scratchDirectory("inbox-folder")
        let registry = SensorRegistry(sensors: [], boundaries: try DefaultBoundaries.haarlemWijken())
        let inbox = try Inbox(folder: folder, ingest: FileIngest(store: store.readings, validator: ReadingValidator(registry: registry)),
                              meldingen: meldingen, logger: .init(label: "t"))
        try FileManager.default.copyItem(atPath: Self.shared + "/open311/spec_example_service-requests.xml", toPath: folder + "/requests.xml")
        try FileManager.default.copyItem(atPath: Self.shared + "/open311/spec_example_service-requests.json", toPath: folder + "/requests.json")
        #expect(inbox.scan().isEmpty, "files are taken once they stop changing")
        #expect(Set(inbox.scan()) == ["requests.xml", "requests.json"])
        #expect(!FileManager.default.fileExists(atPath: folder + "/requests.xml") && !FileManager.default.fileExists(atPath: folder + "/loaded/requests.xml"))
        #expect(try store.meldingen.meldingen(createdIn: TimeWindow(start: Int64.min, end: Int64.max)).count == 2)
        #expect(FileManager.default.fileExists(atPath: folder + "/failed/requests.json"))
        let reason = try String(contentsOfFile: folder + "/failed/requests.json.reason.txt", encoding: .utf8)
        #expect(reason.contains("not valid JSON at line 7, column 20"))
    }

    @Test func formatsAreRecognisedForTheInbox() throws {
        for (file, format) in [("open311/spec_example_service-requests.xml", MeldingFormat.open311),
                               ("open311/spec_example_service-requests.json", .open311),
                               ("signalen/create_initial.json", .signalen)] {
            #expect(MeldingFormat.detect([UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.shared + "/" + file)))) == format)
        }
        #expect(MeldingFormat.detect(Array("identificatie;datum melding;status\n".utf8)) == .morODS)
        #expect(MeldingFormat.detect(Array("sensor_id;sensor_type;location;lat;lon;timestamp;P1;P2\n".utf8)) == nil)
    }
}
