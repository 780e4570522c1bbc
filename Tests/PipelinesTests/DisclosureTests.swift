import LantaarnModel
import Pipelines
import Testing

/// The disclosure-control engine: intervals from linear programmes (GLPK), the pattern chooser
/// that never touches published history, and the model that turns published tables and their
/// declared relations into one system.
struct DisclosureTests {
    /// A 2 × 2 table with its margins published and all four body cells held back: each body
    /// cell moves along the one cycle, bounded by non-negativity of the cells that go down.
    @Test func intervalsOfATableWithMargins() {
        // Body 3 7 / 6 4; rows 10 10, columns 9 11, total 20.
        var system = ProtectionSystem()
        for (id, v) in [("R0", 10), ("R1", 10), ("C0", 9), ("C1", 11)] { system.published[id] = Double(v) }
        for id in ["a", "b", "c", "d"] { system.targets[id] = .init(label: id, protection: 5) }
        system.relations = [
            .init([.init("a", 1), .init("b", 1), .init("R0", -1)], origin: "row 0"),
            .init([.init("c", 1), .init("d", 1), .init("R1", -1)], origin: "row 1"),
            .init([.init("a", 1), .init("c", 1), .init("C0", -1)], origin: "column 0"),
            .init([.init("b", 1), .init("d", 1), .init("C1", -1)], origin: "column 1"),
        ]
        let audit = IntervalAudit.run(system, mode: .exact)
        // a + b = 10, a + c = 9, c + d = 10: a from 0 to 9 (c = 9 − a ≥ 0, b = 10 − a ≥ 0, d = 1 + a).
        #expect(audit.intervals["a"] == CellInterval(low: 0, high: 9))
        #expect(audit.intervals["d"] == CellInterval(low: 1, high: 10))
        #expect(audit.exposed.isEmpty && audit.components == 1 && audit.programmes == 8)
        // Publish b = 7: everything is pinned down, and the audit names the relations.
        system.targets["b"] = nil
        system.published["b"] = 7
        let pinned = IntervalAudit.run(system, mode: .exact)
        #expect(pinned.intervals["a"] == CellInterval(low: 3, high: 3) && pinned.exposed.count == 3)
        #expect(pinned.exposed.first { $0.cell == "a" }?.relations.sorted() == ["column 0", "row 0"])
    }

    /// The identity: open(t) = open(t−1) + new(t) − closed(t). Publishing a new week in
    /// full would pin last week's held-back open count; the chooser holds back in the new week
    /// only, and history stays as published.
    @Test func stockFlowIdentityAndTheChooser() throws {
        var history = ProtectionSystem()
        history.published["open-1"] = 0
        history.published["new0"] = 20
        history.targets["open0"] = .init(label: "open week 0", protection: 5)      // 3, held back
        history.targets["closed0"] = .init(label: "closed week 0", protection: 5)  // 17, held back with it
        history.relations.append(.init([.init("open0", 1), .init("open-1", -1), .init("new0", -1), .init("closed0", 1)], origin: "week 0"))
        #expect(IntervalAudit.run(history, mode: .exact).intervals["open0"] == CellInterval(low: 0, high: 20))
        // Week 1: open 4 (too small), new 6, closed 5.
        let cells: [String: PatternChooser.Candidate] = [
            "open1": .init(value: 4, label: "open week 1", protection: 5, rank: 0),
            "new1": .init(value: 6, label: "new week 1", protection: 5, rank: 0),
            "closed1": .init(value: 5, label: "closed week 1", protection: 5, rank: 0),
        ]
        let week1 = ProtectionSystem.Relation([.init("open1", 1), .init("open0", -1), .init("new1", -1), .init("closed1", 1)], origin: "week 1")
        // Publishing week 1 in full: open0 = 4 − 6 + 5 = 3, and closed0 = 17 with it.
        var naive = history
        naive.relations.append(week1)
        for (id, c) in cells { naive.published[id] = Double(c.value) }
        let exposed = IntervalAudit.run(naive, mode: .exact).exposed
        #expect(exposed.map(\.cell).sorted() == ["closed0", "open0"] && exposed.allSatisfy { $0.interval.width == 0 }, "\(exposed)")
        #expect(exposed.first { $0.cell == "open0" }?.relations.sorted() == ["week 0", "week 1"])

        let choice = try PatternChooser.choose(history: history, cells: cells, relations: [week1], primary: ["open1"])
        #expect(choice.held == ["open1"] && choice.audit.exposed.isEmpty, "\(choice.held)")
        // Checked independently and exactly: every held-back cell keeps 5; history unchanged.
        var check = history
        check.relations.append(week1)
        for (id, c) in cells {
            if choice.held.contains(id) { check.targets[id] = .init(label: id, protection: 5) } else { check.published[id] = Double(c.value) }
        }
        let exact = IntervalAudit.run(check, mode: .exact)
        #expect(exact.exposed.isEmpty && exact.intervals["open0"] == CellInterval(low: 0, high: 20) && exact.intervals["open1"] == CellInterval(low: 1, high: 21))
    }

    /// Published numbers that break a declared relation are refused, not published.
    @Test func contradictoryNumbersAreRefused() {
        var history = ProtectionSystem()
        history.published["total"] = 10
        history.published["b"] = 3
        let cells: [String: PatternChooser.Candidate] = ["a": .init(value: 9, label: "a", protection: 5, rank: 0)]
        let relation = ProtectionSystem.Relation([.init("a", 1), .init("b", 1), .init("total", -1)], origin: "a + b = total")
        #expect(throws: PatternChooser.Failure.self) {
            _ = try PatternChooser.choose(history: history, cells: cells, relations: [relation], primary: [])
        }
    }

    /// Published tables to cells: an absent row of a published period is zero, a total row with
    /// nothing under it adds no relation, and two datasets' same statistic is one cell.
    @Test func modelFromPublishedTables() {
        let spec = DisclosureSpec(
            namespace: "m", k: 5, protection: 5, keys: ["wijk": "wijk"],
            counts: [.init(column: "nieuw", statistic: "nieuw", time: "start", of: "meldingen"),
                     .init(column: "open", statistic: "open", time: "eind", of: "meldingen")],
            relations: [.total(dimension: "wijk", code: "GM")],
            method: "test")
        let rows: [[CellValue]] = [
            [.text("W1"), .text("t0"), .text("t1"), .integer(6), .null],
            [.text("W2"), .text("t0"), .text("t1"), .null, .integer(8)],
            [.text("GM"), .text("t0"), .text("t1"), .integer(9), .integer(10)],
            [.text("W1"), .text("t1"), .text("t2"), .integer(7), .integer(2)],   // W2 has no row in t1–t2
            [.text("GM"), .text("t1"), .text("t2"), .integer(7), .integer(2)],
        ]
        let table = PublishedTable(dataset: "d", spec: spec, columns: ["wijk", "start", "eind", "nieuw", "open"], rows: rows)
        let system = DisclosureModel.build([table])
        let w2 = { (s: String, t: String) in DisclosureModel.cellID(namespace: "m", statistic: s, time: t, dims: ["wijk": "W2"]) }
        #expect(system.published.count == 8 && system.targets[w2("nieuw", "t0")] != nil)
        #expect(system.targets.count == 2 && system.targets.values.contains { $0.label == "d|t0|wijk=W2|nieuw" })
        #expect(system.relations.filter { $0.origin.contains("total") }.count == 4)
        // W1's open at t1 (held back) = 10 − 8 through the gemeente total: exposed; W2's new = 9 − 6 too.
        let audit = IntervalAudit.run(system, mode: .exact)
        #expect(audit.exposed.map(\.label).sorted() == ["d|t0|wijk=W2|nieuw", "d|t1|wijk=W1|open"] && audit.broken.isEmpty)
    }
}
