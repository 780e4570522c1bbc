import Ingest
import LantaarnModel
import Pipelines
import Server
import Store

extension Runtime {
    /// What the staff console shows and does, over this node's store, pipelines and sensors.
    func consoleSources() -> ConsoleSources {
        let runtime = self
        return ConsoleSources(
            desk: store.approvalDesk,
            holds: { try runtime.store.retention.holds() },
            staleWindows: {
                let runner = runtime.runner()
                return try runtime.pipelinesInForce().catalog.pipelines.flatMap { p in try runner.staleWindows(p).map { (p.name, $0) } }
            },
            quarantine: { try runtime.store.readings.quarantine(limit: 5000) },
            retry: { name in
                guard let p = try runtime.pipelinesInForce().catalog.pipeline(named: name) else {
                    throw CLIError("er is geen goedgekeurde pijplijn \(name)")
                }
                let runner = runtime.runner()
                guard let range = try runner.dueWindows(p, now: Clock.nowMilliseconds(), catchUp: runtime.settings.schedulerCatchUp,
                                                        lateness: runtime.settings.schedulerLateness) else {
                    return "\(name): er is geen afgesloten venster dat nog moet draaien."
                }
                let results = try runner.run(p, over: range)
                runner.refreshDisclosureReports(after: p)
                return "\(name): \(results.count) vensters gedraaid, \(results.reduce(0) { $0 + $1.rowsOut }) rijen gepubliceerd."
            },
            replay: {
                let replay = QuarantineReplay(store: runtime.store.readings, validator: try runtime.validator())
                let r = try replay.run(QuarantineReplay.Selection(sensor: nil, ids: nil, replace: nil), dryRun: false) { _ in }
                return "\(r.examined) berichten gecontroleerd: \(r.resolved) opgelost (\(r.readingsStored) metingen opgeslagen), "
                    + "\(r.stillRejected) nog steeds afgekeurd, \(r.conflictsKept) botsen met opgeslagen waarden (die blijven staan)."
            },
            waiting: { try runtime.pipelinesInForce().waiting.map { ($0.onDisk.name, $0.inForce?.versionHash) } })
    }
}
