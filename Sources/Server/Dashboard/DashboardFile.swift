import Foundation
import LantaarnModel
import Pipelines

/// Reading one `Dashboards/NAME.yaml`: unknown fields, wrong types and impossible values are
/// errors with file, line, column, YAML path and what to do (as pipeline files).
enum DashboardFile {
    struct RawDashboard: Decodable {
        var name: String
        var title: String
        var introduction: String
        var order: Int?
        var panels: [RawPanel]
    }

    struct RawPanel: Decodable {
        var type: String
        var title: String
        var caption: String?
        var dataset: String
        var `where`: [String: String]?
        var period: String?
        var time: String?
        var value: String?
        var series: String?
        var area: String?
        var area_name: String?
        var columns: [String]?
        var reduce: String?
        var weight: String?
        var unit: String?
        var decimals: Int?
        var layout: String?
        var zero: Bool?
        var thresholds: [RawThreshold]?
        var band: RawBand?
        var classes: Int?
        var limit: Int?
        var sort: String?
    }

    struct RawThreshold: Decodable {
        var value: Double
        var label: String
    }

    struct RawBand: Decodable {
        var lower: String
        var upper: String
    }

    static let schema: YAMLSourceMap.Schema = .fields([
        "name": .any, "title": .any, "introduction": .any, "order": .any,
        "panels": .list(.fields([
            "type": .any, "title": .any, "caption": .any, "dataset": .any, "where": .any, "period": .any, "time": .any,
            "value": .any, "series": .any, "area": .any, "area_name": .any, "columns": .any, "reduce": .any, "weight": .any,
            "unit": .any, "decimals": .any, "layout": .any, "zero": .any, "thresholds": .list(.fields(["value": .any, "label": .any])),
            "band": .fields(["lower": .any, "upper": .any]), "classes": .any, "limit": .any, "sort": .any,
        ])),
    ])

    /// Loads and checks one dashboard file on its own (datasets are checked by the catalogue);
    /// `contents`, when given, instead of reading `path`.
    static func load(path: String, contents: Data? = nil) throws -> DashboardDefinition {
        let (raw, _, map) = try YAMLSourceMap.decode(RawDashboard.self, path: path, contents: contents, schema: schema)
        do {
            return try validated(raw, file: path)
        } catch let error as PipelineError {
            throw map.located(error)
        }
    }

    static func validated(_ raw: RawDashboard, file: String) throws -> DashboardDefinition {
        func fail(_ path: String, _ reason: String) -> PipelineError { PipelineError(file: file, path: path, reason: reason) }
        guard !raw.name.isEmpty, raw.name.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }) else {
            throw fail("name", "use lower-case letters, digits and '-' only (it is the address /dashboards/NAME)")
        }
        guard !raw.title.trimmingSpaces().isEmpty else { throw fail("title", "give the page a title") }
        let intro = raw.introduction.trimmingSpaces()
        guard intro.count >= 20 else { throw fail("introduction", "write a few sentences in plain Dutch about what the page shows") }
        // B1: short sentences. A sentence of more than 25 words is hard to read for many people.
        for sentence in intro.split(whereSeparator: { $0 == "." || $0 == "?" || $0 == "!" }) where sentence.split(separator: " ").count > 25 {
            throw fail("introduction", "a sentence has more than 25 words; split it (plain Dutch, B1): '\(String(sentence.prefix(60)).trimmingSpaces())…'")
        }
        guard !raw.panels.isEmpty else { throw fail("panels", "add at least one panel") }
        let panels = try raw.panels.enumerated().map { i, p in try panel(p, path: "panels[\(i)]", fail: fail) }
        return DashboardDefinition(name: raw.name, title: raw.title.trimmingSpaces(), introduction: intro, order: raw.order ?? 100,
                                   panels: panels, file: file)
    }

    private static func panel(_ p: RawPanel, path: String, fail: (String, String) -> PipelineError) throws -> DashboardPanel {
        guard let kind = DashboardPanel.Kind(rawValue: p.type) else {
            throw fail("\(path).type", "unknown panel type '\(p.type)'; use one of \(DashboardPanel.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard !p.title.trimmingSpaces().isEmpty else { throw fail("\(path).title", "give the panel a title") }
        var panel = DashboardPanel(kind: kind, title: p.title.trimmingSpaces(), dataset: p.dataset)
        panel.caption = p.caption?.trimmingSpaces()
        panel.filters = (p.where ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let text = p.period {
            switch text {
            case "latest": panel.period = .latest
            case "all": panel.period = .all
            default:
                guard let ms = DurationText.milliseconds(text), ms > 0 else {
                    throw fail("\(path).period", "use 'latest', 'all' or a duration such as 24h, 7d or 12w")
                }
                panel.period = .last(ms)
            }
        }
        if let v = p.time { panel.time = v }
        panel.value = p.value
        panel.series = p.series
        if let v = p.area { panel.area = v }
        if let v = p.area_name { panel.areaName = v }
        panel.columns = p.columns ?? []
        if let text = p.reduce {
            guard let r = DashboardPanel.Reduce(rawValue: text) else {
                throw fail("\(path).reduce", "use one of \(DashboardPanel.Reduce.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            panel.reduce = r
        }
        panel.weight = p.weight
        if panel.weight != nil, panel.reduce != .mean { throw fail("\(path).weight", "a weight only applies to reduce: mean") }
        panel.unit = p.unit
        if let d = p.decimals {
            guard (0...3).contains(d) else { throw fail("\(path).decimals", "use 0 to 3 decimals") }
            panel.decimals = d
        }
        if let text = p.layout {
            guard let layout = DashboardPanel.Layout(rawValue: text) else { throw fail("\(path).layout", "use lines or small_multiples") }
            panel.layout = layout
        }
        if let zero = p.zero {
            guard kind == .line else { throw fail("\(path).zero", "only a line panel's value axis can start elsewhere than zero") }
            panel.fromZero = zero
        }
        panel.thresholds = (p.thresholds ?? []).map { DashboardPanel.Threshold(value: $0.value, label: $0.label.trimmingSpaces()) }
        for (i, t) in panel.thresholds.enumerated() where t.label.isEmpty || !t.value.isFinite {
            throw fail("\(path).thresholds[\(i)]", "a threshold needs a finite value and a label that says what it is")
        }
        panel.band = p.band.map { ($0.lower, $0.upper) }
        if let c = p.classes {
            guard (3...7).contains(c) else { throw fail("\(path).classes", "use 3 to 7 classes (more cannot be told apart)") }
            panel.classes = c
        }
        if let l = p.limit {
            guard (1...500).contains(l) else { throw fail("\(path).limit", "use 1 to 500") }
            panel.limit = l
        }
        panel.sort = p.sort
        // What each type needs.
        switch kind {
        case .line, .bar, .map, .kpi:
            guard panel.value != nil else { throw fail("\(path).value", "a \(kind.rawValue) panel needs the column it shows as 'value'") }
        case .table:
            guard !panel.columns.isEmpty else { throw fail("\(path).columns", "list the columns the table shows") }
        case .tiles:
            break
        }
        if panel.band != nil, kind != .line { throw fail("\(path).band", "a band is drawn around a line; use it on a line panel") }
        if panel.layout == .lines, panel.series == nil, kind == .line {
            throw fail("\(path).layout", "'lines' draws one line per series; name the series column (series: wijk_naam)")
        }
        return panel
    }
}
