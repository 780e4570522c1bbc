import Foundation
import Ingest
import MQTTClient
import LantaarnModel
import Server
import Store
import Yams

/// `lantaarn.yaml`: every key is optional.
///
/// ```yaml
/// data_dir: ./data
/// mqtt: mqtt://127.0.0.1:1883             # mqtts://HOST:8883 for TLS
/// mqtt_security: {username: lantaarn, password_file: /etc/lantaarn/mqtt-password, ca_file: ca.pem}
/// mqtt_shared_group: lantaarn              # several nodes split one stream ($share/lantaarn/...)
/// admin: {token_file: /etc/lantaarn/admin-token}   # old shared token: only until the first `lantaarn staff add`
/// # admin: {oidc: {issuer: https://login.microsoftonline.com/TENANT/v2.0, audience: api://lantaarn, roles_claim: roles}}
/// listen: 127.0.0.1:8080
/// sensors: ./Sensors
/// pipelines: ./Pipelines
/// dashboards: ./Dashboards
/// municipality: Gemeente Haarlem
/// contact_email: opendata@haarlem.nl
/// site: {logo: ./logo.svg, colour: "#00538a", phone: "14 023", address: "Postbus 511, 2003 PB Haarlem", privacy_officer: privacy@haarlem.nl}
/// server:
///   public_url: https://data.haarlem.nl    # absolute URIs in the catalogue, CKAN and SensorThings
///   admin_listen: 127.0.0.1:8081           # the admin API on its own listener, not on the public one
///   tls: {cert_file: /etc/lantaarn/cert.pem, key_file: /etc/lantaarn/key.pem}   # HTTPS and HSTS
///   rate_limit: {per_second: 20, burst: 100}   # query API and SensorThings per client; "off" to turn off
/// boundaries: {file: wijken.geojson, gemeente: GM0392, vintage: 2024, map_tolerance_m: 5}
/// store: {chunk_span: 1d, lateness: 2h}   # chunk_span applies when the store is created
/// # store: postgresql://lantaarn@db1,db2/lantaarn?target_session_attrs=read-write   # several nodes (docs/scale-out.md)
/// # store: {url: postgresql://..., lateness: 2h}                                     # both
/// scheduler: {catch_up: 7d, lateness: 2h, recompute_after: 2m}   # missed windows; late readings; stale windows
/// ingest:
///   log_limit: 1GB                         # uncommitted ingest log at which the subscriber pauses
///   ack_after: log                         # or store: PUBACK only after the store commit (nodes without durable disk)
/// retention:
///   readings: {keep: 5y, basis: "Selectielijst gemeenten 2020, categorie ..."}
///   ingest_log: {keep: 7d, basis: "technical buffer"}   # raw input: log segments and quarantined messages
///   meldingen: {keep: 5y, basis: "..."}      # closed meldingen, from closing
///   pseudonym_keys: {keep: 7d, basis: "..."} # a week's ANPR pseudonym key, after the week
///   audit: {keep: 7y, basis: "..."}          # the audit log of staff actions
/// meldingen: {keep_text: {keep: 1y, basis: "..."}}   # keep scrubbed text internally (off by default)
/// ```
struct ConfigFile: Decodable {
    var data_dir: String?
    var mqtt: String?
    var mqtt_security: MQTTSecuritySection?
    var mqtt_shared_group: String?
    var admin: Admin?
    var meldingen: Meldingen?
    var listen: String?
    var sensors: String?
    var pipelines: String?
    var dashboards: String?
    var municipality: String?
    var contact_email: String?
    var site: Site?
    var server: Server?
    var boundaries: Boundaries?
    var retention: Retention?
    var store: StoreSection?
    var scheduler: SchedulerSection?
    var ingest: IngestSection?
    var backup: BackupSection?

    /// Scheduled online copies of the SQLite store (`serve`).
    struct BackupSection: Decodable {
        var to: String
        var every: String?
        var keep: Int?
    }

    struct IngestSection: Decodable {
        var log_limit: String?
        /// `log` (default) or `store`: when a QoS 1 message is acknowledged to the broker.
        var ack_after: String?
        /// Sources pulled over HTTP on a schedule by `serve`.
        var pulls: [Pull]?
        /// Watched folder (default: inbox/ in the data directory).
        var inbox: String?
    }

    struct Pull: Decodable {
        var url: String
        var every: String
    }

    struct MQTTSecuritySection: Decodable {
        var username: String?
        var password_file: String?
        var ca_file: String?
        var cert_file: String?
        var key_file: String?
    }

    struct SchedulerSection: Decodable {
        /// How far back missed windows are run after downtime.
        var catch_up: String?
        /// Closed windows this recent are computed again at every run.
        var lateness: String?
        /// A stale window is computed again once its readings have not changed for this long.
        var recompute_after: String?
    }

    /// `store: postgresql://...` (the URL alone) or `store: {url: ..., chunk_span: ..., lateness: ...}`.
    struct StoreSection: Decodable {
        var url: String?
        var chunk_span: String?
        var lateness: String?

        private enum CodingKeys: String, CodingKey { case url, chunk_span, lateness }

        init(from decoder: any Decoder) throws {
            if let url = try? decoder.singleValueContainer().decode(String.self) {
                self.url = url
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            url = try c.decodeIfPresent(String.self, forKey: .url)
            chunk_span = try c.decodeIfPresent(String.self, forKey: .chunk_span)
            lateness = try c.decodeIfPresent(String.self, forKey: .lateness)
        }
    }
    var log_level: String?

    struct Retention: Decodable {
        var readings: Policy?
        var ingest_log: Policy?
        var meldingen: Policy?
        /// How long a week's pseudonym key (ANPR) is kept after its week.
        var pseudonym_keys: Policy?
        /// How long entries of the audit log of staff actions are kept.
        var audit: Policy?
    }

    struct Meldingen: Decodable {
        /// Keep scrubbed free text as an internal (never public) dataset, for this long.
        var keep_text: Policy?
    }

    struct Policy: Decodable {
        var keep: String
        var basis: String
    }

    struct Site: Decodable {
        var logo: String?
        var colour: String?
        var phone: String?
        var address: String?
        var privacy_officer: String?
    }

    struct Server: Decodable {
        var public_url: String?
        var admin_listen: String?
        var tls: TLS?
        var rate_limit: RateLimit?

        struct TLS: Decodable {
            var cert_file: String
            var key_file: String
        }

        /// `{per_second, burst}` or the word `off`.
        enum RateLimit: Decodable {
            case off
            case limit(perSecond: Double, burst: Int)

            init(from decoder: any Decoder) throws {
                if let word = try? decoder.singleValueContainer().decode(String.self) {
                    guard word == "off" else { throw CLIError("config server.rate_limit: write {per_second: 20, burst: 100} or off, not '\(word)'") }
                    self = .off
                    return
                }
                struct Fields: Decodable { var per_second: Double; var burst: Int }
                let f = try Fields(from: decoder)
                guard f.per_second > 0, f.per_second.isFinite, f.burst >= 1 else {
                    throw CLIError("config server.rate_limit: per_second must be above 0 and burst at least 1")
                }
                self = .limit(perSecond: f.per_second, burst: f.burst)
            }
        }
    }

    struct Admin: Decodable {
        /// File whose first line is the old shared bearer token (at least 32 characters): only
        /// until the first staff account exists.
        var token_file: String?
        /// Bearer JWTs from the municipality's identity provider.
        var oidc: OIDC?

        struct OIDC: Decodable {
            var issuer: String
            var audience: String
            var roles_claim: String?
            var name_claim: String?
            var jwks_url: String?
            var clock_skew: String?
            /// The console's sign-in (authorization code with PKCE).
            var client_id: String?
            var client_secret_file: String?
            var redirect_url: String?
        }
    }

    struct Boundaries: Decodable {
        var file: String?
        var gemeente: String?
        var vintage: Int?
        var map_tolerance_m: Double?
    }

    /// `admin.oidc`: the issuer and key set as https URLs (http only on the loopback interface),
    /// claim names, clock skew of at most 10 minutes.
    static func oidc(_ o: Admin.OIDC) throws -> OIDCConfiguration {
        func checkURL(_ text: String, _ key: String) throws {
            guard let url = URL(string: text), url.host != nil,
                  url.scheme == "https" || (url.scheme == "http" && ["127.0.0.1", "localhost"].contains(url.host ?? "")) else {
                throw CLIError("config \(key): '\(text.prefix(100))' must be an https URL, like https://login.microsoftonline.com/TENANT/v2.0")
            }
        }
        try checkURL(o.issuer, "admin.oidc.issuer")
        if let jwks = o.jwks_url { try checkURL(jwks, "admin.oidc.jwks_url") }
        guard !o.audience.trimmingSpaces().isEmpty else { throw CLIError("config admin.oidc.audience: name the audience Lantaarn is registered under") }
        var c = OIDCConfiguration(issuer: o.issuer, audience: o.audience)
        if let v = o.roles_claim { c.rolesClaim = v }
        if let v = o.name_claim { c.nameClaim = v }
        c.jwksURL = o.jwks_url
        if let id = o.client_id?.trimmingSpaces(), !id.isEmpty { c.clientID = id }
        if let file = o.client_secret_file { c.clientSecret = try secret(file, "admin.oidc.client_secret_file") }
        if let url = o.redirect_url {
            try checkURL(url, "admin.oidc.redirect_url")
            guard url.hasSuffix("/beheer/oidc/terug") else {
                throw CLIError("config admin.oidc.redirect_url: '\(url.prefix(100))' must end in /beheer/oidc/terug (the console's return address)")
            }
            c.redirectURL = url
        }
        if c.clientID == nil, o.client_secret_file != nil || o.redirect_url != nil {
            throw CLIError("config admin.oidc: client_secret_file and redirect_url go with client_id (the console's sign-in)")
        }
        if let text = o.clock_skew {
            c.clockSkew = try duration(text, "admin.oidc.clock_skew", example: "60s")
            guard c.clockSkew <= 600_000 else { throw CLIError("config admin.oidc.clock_skew: at most 10m") }
        }
        return c
    }

    /// Loads `explicitPath`, or `./lantaarn.yaml` when it exists, or nothing.
    static func load(explicitPath: String?) throws -> ConfigFile {
        let path = explicitPath ?? "lantaarn.yaml"
        guard FileManager.default.fileExists(atPath: path) else {
            if explicitPath != nil { throw CLIError("config file \(path) does not exist") }
            return ConfigFile()
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read config file \(path) as UTF-8 text")
        }
        do {
            return try YAMLConfig.decode(text)
        } catch {
            throw CLIError("config file \(path) is invalid: \(error)")
        }
    }

    init() {}

    private static func policy(_ p: Policy, _ path: String) throws -> RetentionPolicy {
        guard let policy = RetentionPolicy(keep: p.keep, basis: p.basis) else {
            throw CLIError("config \(path).keep: '\(p.keep)' is not a duration such as 90d or 5y")
        }
        guard !p.basis.trimmingSpaces().isEmpty else {
            throw CLIError("config \(path).basis: state the legal basis or Selectielijst category")
        }
        return policy
    }

    func apply(to s: inout Settings) throws {
        if let v = data_dir { s.dataDirectory = v }
        if let v = mqtt { s.mqttURL = v }
        if let m = mqtt_security {
            if let v = m.username { s.mqttSecurity.username = v }
            if let v = m.password_file { s.mqttSecurity.password = try Self.secret(v, "mqtt_security.password_file") }
            if let v = m.ca_file { s.mqttSecurity.caFile = v }
            if let v = m.cert_file { s.mqttSecurity.certFile = v }
            if let v = m.key_file { s.mqttSecurity.keyFile = v }
        }
        if let v = mqtt_shared_group { s.mqttSharedGroup = try Self.sharedGroup(v) }
        if let v = listen { s.listen = v }
        if let v = sensors { s.sensorDirectory = v }
        if let v = pipelines { s.pipelineDirectory = v }
        if let v = dashboards { s.dashboardDirectory = v }
        if let v = municipality { s.municipality = v }
        if let v = contact_email { s.contactEmail = v }
        if let site {
            if let v = site.logo {
                let lower = v.lowercased()
                guard lower.hasSuffix(".svg") || lower.hasSuffix(".png") else { throw CLIError("config site.logo: '\(v)' must be an .svg or .png file") }
                guard FileManager.default.isReadableFile(atPath: v) else { throw CLIError("config site.logo: cannot read '\(v)'") }
                s.logoFile = v
            }
            if let v = site.colour {
                if let problem = BrandColour.problem(v) { throw CLIError("config site.colour: \(problem)") }
                s.siteColour = v
            }
            s.sitePhone = site.phone
            s.siteAddress = site.address
            s.privacyOfficer = site.privacy_officer
        }
        if let server {
            if let v = server.public_url {
                guard let url = URL(string: v), ["http", "https"].contains(url.scheme ?? ""), url.host != nil, url.path.isEmpty || url.path == "/",
                      url.query == nil else {
                    throw CLIError("config server.public_url: '\(v)' must be like https://data.haarlem.nl (scheme and host, no path)")
                }
                s.publicURL = v.hasSuffix("/") ? String(v.dropLast()) : v
            }
            if let v = server.admin_listen { s.adminListen = v }
            if let tls = server.tls {
                for (file, key) in [(tls.cert_file, "server.tls.cert_file"), (tls.key_file, "server.tls.key_file")]
                where !FileManager.default.isReadableFile(atPath: file) {
                    throw CLIError("config \(key): cannot read '\(file)'")
                }
                s.tlsCertificate = tls.cert_file
                s.tlsKey = tls.key_file
            }
            switch server.rate_limit {
            case .off?: s.rateLimit = nil
            case .limit(let perSecond, let burst)?: s.rateLimit = (perSecond, burst)
            case nil: break
            }
        }
        if let b = backup {
            let every = try b.every.map { try Self.duration($0, "backup.every", example: "24h") } ?? 86_400_000
            guard every >= 600_000 else { throw CLIError("config backup.every: at least 10m") }
            let keep = b.keep ?? 7
            guard (1...1000).contains(keep) else { throw CLIError("config backup.keep: 1 to 1000 copies") }
            guard !b.to.trimmingSpaces().isEmpty else { throw CLIError("config backup.to: name the folder the copies go to") }
            s.backupSchedule = BackupSchedule(directory: b.to, every: every, keep: keep)
        }
        if let v = admin?.token_file { s.adminTokenFile = v }
        if let o = admin?.oidc { s.oidc = try Self.oidc(o) }
        if let v = boundaries?.file { s.boundaryFile = v }
        if let v = boundaries?.gemeente { s.gemeente = v }
        if let v = boundaries?.vintage { s.boundaryVintage = v }
        if let v = boundaries?.map_tolerance_m {
            guard v >= 0, v <= 1000 else { throw CLIError("config boundaries.map_tolerance_m: \(v) must be from 0 to 1000 metres") }
            s.mapTolerance = v
        }
        if let url = store?.url { s.storeURL = try Settings.storeURL(url, "config store") }
        if let text = store?.chunk_span {
            guard let span = DurationText.milliseconds(text), span >= 60_000, 86_400_000 % span == 0 || span % 86_400_000 == 0 else {
                throw CLIError("config store.chunk_span: '\(text)' must be a duration of at least 1m that divides a day or is whole days")
            }
            s.chunkPolicy.span = span
        }
        if let text = store?.lateness {
            s.chunkPolicy.lateness = try Self.duration(text, "store.lateness", example: "2h")
        }
        if let text = scheduler?.catch_up { s.schedulerCatchUp = try Self.duration(text, "scheduler.catch_up", example: "7d") }
        if let text = scheduler?.lateness { s.schedulerLateness = try Self.duration(text, "scheduler.lateness", example: "2h") }
        if let text = scheduler?.recompute_after { s.recomputeAfter = try Self.duration(text, "scheduler.recompute_after", example: "2m") }
        if let p = retention?.readings { s.readingsRetention = try Self.policy(p, "retention.readings") }
        if let p = retention?.ingest_log { s.ingestLogRetention = try Self.policy(p, "retention.ingest_log") }
        if let p = retention?.meldingen { s.meldingenRetention = try Self.policy(p, "retention.meldingen") }
        if let p = retention?.pseudonym_keys { s.pseudonymKeyRetention = try Self.policy(p, "retention.pseudonym_keys") }
        if let p = retention?.audit { s.auditRetention = try Self.policy(p, "retention.audit") }
        if let p = meldingen?.keep_text { s.meldingTextRetention = try Self.policy(p, "meldingen.keep_text") }
        if let v = log_level { s.logLevel = v }
        if let text = ingest?.log_limit { s.ingestLogLimit = try Self.byteSize(text, "ingest.log_limit") }
        if let v = ingest?.inbox { s.inboxDirectory = v }
        if let v = ingest?.ack_after {
            guard let point = MQTTIngestService.AckPoint(rawValue: v) else {
                throw CLIError("config ingest.ack_after: '\(v)' is not log or store (store: acknowledge to the broker only after the store committed, for nodes without durable disk)")
            }
            s.ackAfter = point
        }
        for (k, pull) in (ingest?.pulls ?? []).enumerated() {
            guard HTTPFetcher.isPullable(pull.url) else {
                throw CLIError("config ingest.pulls[\(k)].url: '\(HTTPFetcher.redacted(pull.url))' must be an http:// or https:// URL")
            }
            guard let every = DurationText.milliseconds(pull.every), every >= 60_000 else {
                throw CLIError("config ingest.pulls[\(k)].every: '\(pull.every)' must be a duration of at least 1m, such as 1h")
            }
            s.ingestPulls.append(PullSchedule.Source(url: pull.url, every: every))
        }
    }

    /// A duration such as `2h` (zero allowed).
    static func duration(_ text: String, _ key: String, example: String) throws -> Int64 {
        guard let ms = DurationText.milliseconds(text), ms >= 0 else {
            throw CLIError("config \(key): '\(text)' is not a duration such as \(example)")
        }
        return ms
    }

    /// A positive size such as `1GB`.
    static func byteSize(_ text: String, _ key: String) throws -> Int64 {
        guard let bytes = ByteSizeText.bytes(text), bytes > 0 else {
            throw CLIError("\(key): '\(text)' is not a size such as 512MB or 2GB")
        }
        return bytes
    }

    /// The first line of a secret file (a password), without its line break.
    static func secret(_ path: String, _ key: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("\(key): cannot read '\(path)'; it should hold the password on its first line")
        }
        return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
    }

    /// A shared-subscription group name: no '/', '+' or '#'.
    static func sharedGroup(_ name: String) throws -> String {
        guard !name.isEmpty, !name.contains(where: { "/+#".contains($0) }) else {
            throw CLIError("mqtt_shared_group '\(name)' may not be empty or contain '/', '+' or '#'")
        }
        return name
    }
}

/// Parses the text of a config file.
enum YAMLConfig {
    static func decode(_ text: String) throws -> ConfigFile {
        try YAMLDecoder().decode(ConfigFile.self, from: text.trimmingSpaces().isEmpty ? "{}" : text)
    }
}
