import LantaarnModel
import Pipelines

/// Every dashboard in `Dashboards/*.yaml`, one per file, checked against the pipelines whose
/// datasets they show.
public struct DashboardCatalog: Sendable {
    /// Dashboards in index order (then by name).
    public let dashboards: [DashboardDefinition]

    /// Loads and checks every dashboard file; the first wrong file stops the load with its error.
    public init(directory: String, pipelines: [PipelineDefinition]) throws {
        var list: [DashboardDefinition] = []
        for (_, result) in try Self.check(directory: directory, pipelines: pipelines) {
            switch result {
            case .success(let d): list.append(d)
            case .failure(let problems): throw problems.errors[0]
            }
        }
        self.init(dashboards: list)
    }

    public init(dashboards: [DashboardDefinition]) {
        self.dashboards = dashboards.sorted { ($0.order, $0.name) < ($1.order, $1.name) }
    }

    public func dashboard(named name: String) -> DashboardDefinition? {
        dashboards.first { $0.name == name }
    }

    /// Each file's definition, or everything wrong with it: its own errors, then datasets that
    /// no pipeline publishes or that are not public, and columns the dataset does not have.
    public static func check(directory: String, pipelines: [PipelineDefinition]) throws
        -> [(file: String, result: Result<DashboardDefinition, DashboardProblems>)] {
        let files = try YAMLSourceMap.files(in: directory, folder: "dashboard", option: "--dashboards DIR pointing at Dashboards/")
        var names: [String: String] = [:]
        return files.map { file in
            let dashboard: DashboardDefinition
            do { dashboard = try DashboardFile.load(path: file) } catch let e as PipelineError {
                return (file, .failure(DashboardProblems(errors: [e])))
            } catch {
                return (file, .failure(DashboardProblems(errors: [PipelineError(file: file, path: "", reason: "\(error)")])))
            }
            var (errors, unknown) = check(dashboard, pipelines: pipelines)
            if let other = names[dashboard.name] {
                errors.insert(PipelineError(file: file, path: "name", reason: "dashboard '\(dashboard.name)' is also defined in \(other)"), at: 0)
            }
            names[dashboard.name] = names[dashboard.name] ?? file
            if errors.isEmpty && unknown.isEmpty { return (file, .success(dashboard)) }
            return (file, .failure(DashboardProblems(errors: errors + unknown, dashboard: errors.isEmpty ? dashboard : nil)))
        }
    }

    /// What is wrong with the datasets and columns a dashboard names, and apart from that the
    /// datasets none of these pipelines publishes.
    static func check(_ d: DashboardDefinition, pipelines: [PipelineDefinition]) -> (errors: [PipelineError], unknown: [PipelineError]) {
        var errors: [PipelineError] = [], unknown: [PipelineError] = []
        let byDataset = Dictionary(pipelines.map { ($0.output.dataset, $0) }, uniquingKeysWith: { a, _ in a })
        for (i, panel) in d.panels.enumerated() {
            func fail(_ field: String, _ reason: String) {
                errors.append(PipelineError(file: d.file, path: "panels[\(i)].\(field)", reason: reason))
            }
            guard let pipeline = byDataset[panel.dataset] else {
                let hint = YAMLSourceMap.closest(panel.dataset, in: byDataset.keys.sorted()).map { "; did you mean '\($0)'?" }
                unknown.append(PipelineError(file: d.file, path: "panels[\(i)].dataset",
                                             reason: "no pipeline publishes '\(panel.dataset)'\(hint ?? "; the pipelines publish \(byDataset.keys.sorted().joined(separator: ", "))")"))
                continue
            }
            guard pipeline.output.accessRights.hasSuffix("/PUBLIC") else {
                fail("dataset", "'\(panel.dataset)' is not public (\(pipeline.output.accessRights.split(separator: "/").last ?? "")); a public page cannot show it")
                continue
            }
            let columns = pipeline.columns
            for (field, column) in panel.referencedColumns where !columns.contains(where: { $0.name == column }) {
                fail(field, "'\(panel.dataset)' has no column '\(column)'; it has \(columns.map(\.name).joined(separator: ", "))")
            }
            if let value = panel.value, let spec = columns.first(where: { $0.name == value }), spec.type != .integer, spec.type != .number {
                fail("value", "'\(value)' holds \(spec.type.rawValue), not numbers; a \(panel.kind.rawValue) panel needs numbers")
            }
        }
        return (errors, unknown)
    }
}

/// Everything wrong with one dashboard file.
public struct DashboardProblems: Error, Sendable {
    public var errors: [PipelineError]
    /// The dashboard, when its only fault is naming datasets that none of the pipelines here
    /// publishes (another process may): `serve` can still show it; pages only ever show
    /// datasets that are published and public.
    public var dashboard: DashboardDefinition?

    public init(errors: [PipelineError], dashboard: DashboardDefinition? = nil) {
        self.errors = errors
        self.dashboard = dashboard
    }
}
