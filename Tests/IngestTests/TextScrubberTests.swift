import Ingest
import LantaarnModel
import Testing

/// Personal data in free text becomes typed placeholders; ordinary text stays.
struct TextScrubberTests {
    let scrubber = TextScrubber()

    func scrubbed(_ text: String) -> String { scrubber.scrub(text).text }

    @Test(arguments: ["jan.jansen+melding@example.nl", "J.de.Vries@gemeente-haarlem.nl", "a_b@c.io"])
    func emailAddresses(_ email: String) {
        #expect(scrubbed("Mail mij op \(email) graag") == "Mail mij op [e-mail] graag")
    }

    @Test(arguments: ["06-12345678", "06 1234 5678", "0612345678", "+31 6 12345678", "+31612345678", "0031 20 123 4567",
                      "020-1234567", "023 512 3456", "(020) 123 4567", "+31 (0)20 123 4567"])
    func dutchPhoneNumbers(_ phone: String) {
        #expect(scrubbed("Bel \(phone) na vijven") == "Bel [telefoon] na vijven")
    }

    /// One plate per sidecode 1-14, with and without dashes.
    @Test(arguments: ["AB-12-34", "12-34-AB", "12-AB-34", "AB-12-CD", "AB-CD-12", "12-AB-CD", "12-ABC-3", "1-ABC-23",
                      "AB-123-C", "A-123-BC", "ABC-12-D", "A-12-BCD", "1-AB-234", "123-AB-4", "AB12CD", "GX 123 B"])
    func numberPlatesOfEverySidecode(_ plate: String) {
        #expect(scrubbed("De auto \(plate) staat al weken op de stoep") == "De auto [kenteken] staat al weken op de stoep")
    }

    @Test(arguments: ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300", "DE89 3704 0044 0532 0130 00"])
    func ibans(_ iban: String) {
        #expect(scrubbed("Maak het over naar \(iban) aub") == "Maak het over naar [iban] aub")
    }

    @Test func addresses() {
        #expect(scrubbed("Bij 2011 AB 12 ligt afval") == "Bij [adres] ligt afval")
        #expect(scrubbed("Postcode 1011PN, 1 heeft last") == "Postcode [adres] heeft last")
        #expect(scrubbed("Voor Kerkstraat 12a staat een boom") == "Voor [adres] staat een boom")
        #expect(scrubbed("Op de Grote Markt 2 is het vies") == "Op de Grote [adres] is het vies")
    }

    @Test func ordinaryTextStays() {
        for text in ["Lamp kapot sinds 2024-05-01 om 10:30", "Er ligt al 3 weken vuil, ongeveer 12,50 euro schade",
                     "In 2024 is de stoep 2 keer gemaakt", "Paaltje 15 bij de brug", "Week 12: veel zwerfvuil"] {
            #expect(scrubbed(text) == text)
        }
    }

    @Test func countsPerKind() {
        let (text, counts) = scrubber.scrub("a@b.nl en c@d.nl, bel 0612345678, auto AB-12-CD")
        #expect(text == "[e-mail] en [e-mail], bel [telefoon], auto [kenteken]")
        #expect(counts.byKind == ["e-mail": 2, "telefoon": 1, "kenteken": 1] && counts.total == 4)
    }
}
