import Foundation
import LantaarnModel
import Store

/// One dataset's disclosure report: what an attacker holding every published number can
/// compute about its held-back counts.
public struct DisclosureReport: Sendable, Codable, Equatable {
    public var dataset: String
    /// Protected count cells in its current releases, and how many are held back.
    public var cells: Int
    public var suppressed: Int
    /// The narrowest interval of a held-back cell (`nil` when none is bounded or none is held back).
    public var smallestInterval: Int?
    /// Held-back cells narrower than the protection width (0 when the protection holds).
    public var exposed: Int
    public var k: Int
    public var protection: Int
    public var method: String
    /// Counts of readings are not protected; this says so, instead of a report.
    public var unprotectedCounts: [String]

    enum CodingKeys: String, CodingKey {
        case dataset, cells, suppressed, exposed, k, protection, method
        case smallestInterval = "smallest_interval"
        case unprotectedCounts = "unprotected_counts"
    }
}

/// Recomputes, for every held-back count of every public release, the interval an attacker gets
/// from everything public (``IntervalAudit`` in exact mode, per namespace), and reports per dataset.
public enum DisclosureAudit {
    public struct Outcome: Sendable {
        public var reports: [DisclosureReport]
        /// Every held-back cell's interval, by label (dataset|time|keys|column).
        public var intervals: [String: CellInterval]
        public var exposed: [AuditResult.Exposure]
        public var broken: [String]
        public var programmes: Int
        public var components: Int
    }

    public static func run(_ store: any ReleaseStore, progress: (String) -> Void = { _ in }) throws -> Outcome {
        let tables = try PublishedHistory.tables(store, namespace: nil)
        var outcome = Outcome(reports: [], intervals: [:], exposed: [], broken: [], programmes: 0, components: 0)
        var byDataset: [String: [CellInterval]] = [:]
        for namespace in Set(tables.map(\.spec.namespace)).sorted() {
            let group = tables.filter { $0.spec.namespace == namespace }
            let system = DisclosureModel.build(group)
            progress("audit: \(namespace): \(group.count) dataset(s), \(system.targets.count) held-back cells, \(system.relations.count) relations")
            let result = IntervalAudit.run(system, mode: .exact) { done, total in
                // About ten lines per namespace, however many groups.
                if done == total || done % max(1, total / 10) == 0 { progress("audit: \(namespace): group \(done) of \(total)") }
            }
            outcome.programmes += result.programmes
            outcome.components += result.components
            outcome.exposed += result.exposed
            outcome.broken += result.broken
            for (id, interval) in result.intervals {
                guard let label = system.targets[id]?.label else { continue }
                outcome.intervals[label] = interval
                byDataset[String(label.prefix { $0 != "|" }), default: []].append(interval)
            }
        }
        // Counts of readings only: reported as such, nothing to audit.
        for summary in try store.datasets() where summary.metadata.isPublic {
            guard let spec = summary.metadata.disclosure, !spec.counts.contains(where: \.isProtected) else { continue }
            outcome.reports.append(DisclosureReport(dataset: summary.metadata.name, cells: 0, suppressed: 0, smallestInterval: nil, exposed: 0,
                                                    k: spec.k, protection: spec.protection, method: spec.method,
                                                    unprotectedCounts: spec.counts.map(\.column)))
        }
        for table in tables.sorted(by: { $0.dataset < $1.dataset }) {
            let cells = DisclosureModel.cells(of: table)
            let intervals = byDataset[table.dataset] ?? []
            outcome.reports.append(DisclosureReport(
                dataset: table.dataset, cells: cells.count, suppressed: cells.filter { $0.value == nil }.count,
                smallestInterval: intervals.compactMap(\.width).min(),
                exposed: intervals.filter { !$0.protects(table.spec.protection) }.count,
                k: table.spec.k, protection: table.spec.protection, method: table.spec.method,
                unprotectedCounts: table.spec.counts.filter { !$0.isProtected }.map(\.column)))
        }
        outcome.reports.sort { $0.dataset < $1.dataset }
        return outcome
    }

    /// Keeps each dataset's report in the store, for its public page.
    public static func record(_ reports: [DisclosureReport], in store: any ReleaseStore) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for r in reports { try store.recordDisclosureReport(dataset: r.dataset, report: String(decoding: try encoder.encode(r), as: UTF8.self)) }
    }
}
