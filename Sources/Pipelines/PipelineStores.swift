import Store

/// The stores a pipeline run reads from and publishes to, each by the narrowest contract it
/// needs: readings and meldingen to aggregate, ANPR sightings for travel times, and the
/// release store to publish, record the run and find windows whose input changed.
public struct PipelineStores: Sendable {
    public var readings: any ReadingStore
    public var releases: any ReleaseStore & PipelineRunLog & StaleWindowLog
    public var meldingen: any MeldingStore
    public var anpr: any AnprStore

    public init(readings: any ReadingStore, releases: any ReleaseStore & PipelineRunLog & StaleWindowLog,
                meldingen: any MeldingStore, anpr: any AnprStore) {
        self.readings = readings
        self.releases = releases
        self.meldingen = meldingen
        self.anpr = anpr
    }
}
