import Foundation
@testable import Ingest
import LantaarnModel

/// `lantaarn meldingen`: the Open311 (JSON and XML), Signalen and MOR-ODS readers, with
/// every free-text field through the scrubber, as ``MeldingIngest`` does before storing.
enum MeldingTargets {
    static let all: [FuzzTarget] = [
        target("open311", "Open311 GeoReport v2 service requests, JSON and XML", { try Open311Reader.read($0, file: "fuzz") },
               seeds: { $0.shared("meldingen/open311", ".json", ".xml") }),
        target("signalen", "Signalen meldingen and their status and location updates",
               { try SignalenReader.read($0, file: "fuzz", givenID: nil, fileID: "file-fuzz") },
               seeds: { $0.shared("meldingen/signalen", ".json") }),
        target("mor-ods", "VNG MOR-ODS 1.0 CSV", { try MORODSReader.read($0, file: "fuzz") },
               seeds: { $0.shared("meldingen/mor_ods", ".csv").map { ($0.0, Array($0.1.prefix(4_096))) } + inline(("rows", """
                   identificatie;kanaal;publicatie;hoofdcategorie;subcategorie;itemcategorie;omschrijving;status;datum melding;einddatum;longitude;latidude
                   Z-1;telefoon;open;Afval;Openbare afvalbak;Afvalbak vol;Afvalbak vol bij Grote Markt 2, bel 023-5111111;afgesloten;2024-07-01T09:30:00:000;2024-07-02T16:00:00:000;4,63722;52,38111
                   Z-2;mail;gesloten;Verlichting en verkeer;;;\"Lamp \"\"kapot\"\"\";in behandeling;2024-01-15T08:00:00:000;;4.63389;52.37389
                   """)) }),
    ]

    private static let scrubber = TextScrubber()

    private static func target(_ name: String, _ covers: String, _ read: @escaping @Sendable ([UInt8]) throws -> RawMeldingFile,
                               seeds: @escaping @Sendable (FuzzPaths) -> [(String, [UInt8])]) -> FuzzTarget {
        FuzzTarget(name: name, covers: covers, run: { bytes in
            guard let file = try? read(Array(bytes)) else { return }
            for melding in file.meldingen {
                for text in melding.texts { _ = scrubber.scrub(text) }
            }
        }, seeds: seeds)
    }
}
