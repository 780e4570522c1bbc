import Foundation
import Ingest
import LantaarnModel
import MQTTClient
import Server
import Store

/// Effective runtime settings after merging defaults, `lantaarn.yaml`, environment and flags.
struct Settings {
    var dataDirectory = "./data"
    var mqttURL = "mqtt://127.0.0.1:1883"
    /// Broker credentials and TLS files (the password comes from a file, never a flag).
    var mqttSecurity = MQTTSecurity()
    /// With a group, subscriptions are `$share/GROUP/...`: Lantaarn nodes split one stream.
    var mqttSharedGroup: String?
    var listen = "127.0.0.1:8080"
    var sensorDirectory = "./Sensors"
    var pipelineDirectory = "./Pipelines"
    var dashboardDirectory = "./Dashboards"
    var municipality = "Gemeente Haarlem"
    var contactEmail = "opendata@haarlem.nl"
    /// Contact details and logo on the public pages (`site:` in lantaarn.yaml).
    var sitePhone: String?
    var siteAddress: String?
    var privacyOfficer: String?
    var logoFile: String?
    /// House colour (`site.colour`), checked for contrast.
    var siteColour = BrandColour.standard
    /// The public address for absolute URIs (`server.public_url`); `nil`: the one the client used.
    var publicURL: String?
    /// The admin API on its own listener (`server.admin_listen`); `nil`: on the public one.
    var adminListen: String?
    /// HTTPS with this certificate chain and key (`server.tls`).
    var tlsCertificate: String?
    var tlsKey: String?
    /// Query API and SensorThings per client: average per second and burst; `nil`: off.
    var rateLimit: (perSecond: Double, burst: Int)? = (20, 100)
    /// Wijk boundaries used while none are imported (`lantaarn geo import`): this file
    /// (GeoJSON or TopoJSON, WGS84 or RD New), or else the bundled Haarlem wijken 2020.
    var boundaryFile: String?
    var gemeente = "GM0392"
    var boundaryVintage = 2020
    /// File holding the old shared admin token (accepted only until the first staff account exists).
    var adminTokenFile: String?
    /// The identity provider whose bearer JWTs the admin API accepts (`admin.oidc`).
    var oidc: OIDCConfiguration?
    /// Scheduled online copies of the store (`backup:`); `nil`: none.
    var backupSchedule: BackupSchedule?
    /// Default simplification of `/geo/{level}/{vintage}.geojson`, metres.
    var mapTolerance = 5.0
    /// Chunk span (fixed when the store is created) and lateness of the open buffer.
    var chunkPolicy = ChunkPolicy.standard
    /// The PostgreSQL store's URL; `nil`: the SQLite file in the data directory.
    var storeURL: String?
    /// This node's share of the sensor topics without shared subscriptions (`--ingest-partition`).
    var ingestPartition: IngestPartition?
    /// When a QoS 1 message is acknowledged to the broker (`ingest.ack_after`).
    var ackAfter = MQTTIngestService.AckPoint.log
    /// How far back the scheduler runs missed windows after downtime (ms).
    var schedulerCatchUp: Int64 = 7 * 86_400_000
    /// Closed windows this recent (ms) are computed again at every scheduled run.
    var schedulerLateness: Int64 = 2 * 3_600_000
    /// A stale window is computed again once its readings have not changed for this long (ms).
    var recomputeAfter: Int64 = 2 * 60_000
    /// How long sensor readings are kept, and why.
    var readingsRetention = RetentionPolicy(
        keep: "5y", basis: "Lantaarn default; record the Selectielijst category in lantaarn.yaml (retention.readings.basis)")!
    /// How long closed meldingen (minimised) are kept, from their closing.
    var meldingenRetention = RetentionPolicy(
        keep: "5y", basis: "Lantaarn default (VNG handreiking open data MOR: 5 jaar); record the Selectielijst category in lantaarn.yaml (retention.meldingen.basis)")!
    /// Set when the data team keeps scrubbed melding text as an internal dataset: how long, and why.
    var meldingTextRetention: RetentionPolicy?
    /// How long a week's pseudonym key is kept after the week (matching needs it; afterwards
    /// its pseudonyms must lead back to nobody).
    var pseudonymKeyRetention = RetentionPolicy(keep: "7d", basis: "Pseudonymen dienen alleen om waarnemingen te koppelen (AVG art. 5 lid 1 onder e)")!
    /// How long entries of the audit log of staff actions are kept (BIO: logging; the log holds
    /// no citizens' data, only staff names and what they did).
    var auditRetention = RetentionPolicy(
        keep: "7y", basis: "Lantaarn default (BIO 12.4: logbestanden bewaren); record the Selectielijst category in lantaarn.yaml (retention.audit.basis)")!
    /// How long committed raw input (ingest-log segments) is kept for replay.
    var ingestLogRetention = RetentionPolicy(keep: "7d", basis: "Technical buffer for reprocessing; no archival value")!
    var logLevel = "info"
    /// Uncommitted ingest log (bytes) at which the MQTT subscriber pauses.
    var ingestLogLimit = MQTTIngestService.defaultBacklogLimit
    /// Folder `serve` watches for files to load; `nil`: `inbox/` in the data directory.
    var inboxDirectory: String?
    /// Sources `serve` pulls over HTTP on a schedule.
    var ingestPulls: [PullSchedule.Source] = []

    /// This node's id as `LANTAARN_NODE_ID` gives it (containers, whose host name changes).
    var configuredNodeID: String?

    /// `LANTAARN_*` environment variables override the defaults and the config file.
    mutating func applyEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws {
        if let v = env["LANTAARN_DATA"], !v.isEmpty { dataDirectory = v }
        if let v = env["LANTAARN_MQTT"], !v.isEmpty { mqttURL = v }
        if let v = env["LANTAARN_LISTEN"], !v.isEmpty { listen = v }
        if let v = env["LANTAARN_LOG_LEVEL"], !v.isEmpty { logLevel = v }
        if let v = env["LANTAARN_ADMIN_TOKEN_FILE"], !v.isEmpty { adminTokenFile = v }
        if let v = env["LANTAARN_STORE"], !v.isEmpty { storeURL = try Self.storeURL(v, "LANTAARN_STORE") }
        if let v = env["LANTAARN_NODE_ID"], !v.isEmpty {
            guard v.count <= 40, v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
                throw CLIError("LANTAARN_NODE_ID: '\(v.prefix(60))' must be 1 to 40 letters, digits, '-' or '_' (it names the node's MQTT client and ingest log)")
            }
            configuredNodeID = v
        }
    }

    /// A store named by `where`: `sqlite` (the default file) gives `nil`, a `postgresql://` URL
    /// itself; anything else is refused with what is accepted.
    static func storeURL(_ text: String, _ place: String) throws -> String? {
        if text == "sqlite" { return nil }
        guard text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") else {
            throw CLIError("\(place): '\(text.prefix(40))' is not a store; use sqlite (the file in the data directory, the default) or a URL like postgresql://lantaarn@db1:5432,db2:5432/lantaarn?target_session_attrs=read-write")
        }
        return text
    }

    /// Retention of raw inputs as the privacy statement states it.
    var privacyFacts: PrivacyFacts {
        var facts = PrivacyFacts()
        func retention(_ p: RetentionPolicy) -> PrivacyFacts.Retention { .init(keep: p.text, basis: p.basis) }
        facts.readings = retention(readingsRetention)
        facts.meldingen = retention(meldingenRetention)
        facts.meldingText = meldingTextRetention.map(retention)
        facts.pseudonymKeys = retention(pseudonymKeyRetention)
        facts.ingestLog = retention(ingestLogRetention)
        return facts
    }

    /// The watched inbox folder.
    var inbox: String { inboxDirectory ?? (dataDirectory as NSString).appendingPathComponent("inbox") }

    /// This node's id: `LANTAARN_NODE_ID` when set, else from the host name and the data
    /// directory, so it is the same after every restart (and after the data directory was wiped:
    /// the broker then hands the restarted node what it never acknowledged) and differs between
    /// nodes, also between machines that use the same path.
    var nodeID: String {
        if let configuredNodeID { return configuredNodeID }
        let path = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        return String(SHA256.hex(Array("\(ProcessInfo.processInfo.hostName)\n\(path)".utf8)).prefix(12))
    }

    /// The MQTT ingest log's folder in `ingest-log/`. On a shared (PostgreSQL) store each node
    /// commits its own log's offset, so the name carries the node (and the store key, see
    /// `IngestLogReader.sourceKey`, also the log's identity).
    var mqttLogName: String { storeURL == nil ? "mqtt" : "mqtt-\(nodeID)" }

    /// Path of the ingest log `name` inside the data directory.
    func ingestLogDirectory(name: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("ingest-log/\(name)")
    }
}

/// `HOST:PORT` for `--listen`.
struct ListenAddress {
    var host: String
    var port: Int

    init(_ text: String) throws {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65_535).contains(port) else {
            throw CLIError("invalid listen address '\(text)': use HOST:PORT, for example 127.0.0.1:8080")
        }
        host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        self.port = port
    }
}

/// A command-line problem, printed as is.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
