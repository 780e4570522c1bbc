import Foundation
@testable import lantaarn
import Ingest
import LantaarnModel
import MQTTClient
import Store
import Testing

struct SettingsTests {
    @Test func defaultsMatchTheBrief() {
        let s = Settings()
        #expect(s.dataDirectory == "./data")
        #expect(s.mqttURL == "mqtt://127.0.0.1:1883")
        #expect(s.listen == "127.0.0.1:8080")
    }

    @Test func environmentOverridesConfigFile() throws {
        var s = Settings()
        let file = try YAMLConfig.decode("""
            data_dir: /srv/a
            mqtt: mqtt://10.0.0.1:1883
            listen: 0.0.0.0:9000
            retention:
              readings: {keep: 10y, basis: "Selectielijst 2020, 1.1"}
            """)
        try file.apply(to: &s)
        #expect(s.dataDirectory == "/srv/a" && s.readingsRetention.keep == 3650 * 86_400_000)
        #expect(s.readingsRetention.basis == "Selectielijst 2020, 1.1")
        #expect(s.ingestLogRetention.text == "7d" && s.pseudonymKeyRetention.text == "7d")
        var keys = Settings()
        try YAMLConfig.decode("retention: {pseudonym_keys: {keep: 2d, basis: \"alleen koppelen\"}}").apply(to: &keys)
        #expect(keys.pseudonymKeyRetention.keep == 2 * 86_400_000 && keys.pseudonymKeyRetention.basis == "alleen koppelen")
        var tuned = Settings()
        try YAMLConfig.decode("store: {chunk_span: 1h, lateness: 15m}").apply(to: &tuned)
        #expect(tuned.chunkPolicy == ChunkPolicy(span: 3_600_000, lateness: 900_000) && tuned.storeURL == nil)
        // The PostgreSQL store: the URL alone, or with the other store settings; anything else is refused.
        var shared = Settings()
        try YAMLConfig.decode("store: postgresql://lantaarn@db1:5432,db2:5432/lantaarn?target_session_attrs=read-write").apply(to: &shared)
        #expect(shared.storeURL == "postgresql://lantaarn@db1:5432,db2:5432/lantaarn?target_session_attrs=read-write")
        try YAMLConfig.decode("store: {url: postgres://db/lantaarn, lateness: 15m}").apply(to: &shared)
        #expect(shared.storeURL == "postgres://db/lantaarn" && shared.chunkPolicy.lateness == 900_000)
        try shared.applyEnvironment(["LANTAARN_STORE": "sqlite"])
        #expect(shared.storeURL == nil)
        #expect { try YAMLConfig.decode("store: mysql://db/x").apply(to: &shared) } throws: { "\($0)".contains("use sqlite") }
        #expect(throws: CLIError.self) { try shared.applyEnvironment(["LANTAARN_STORE": "/srv/data/lantaarn.sqlite"]) }
        #expect(shared.ackAfter == .log)
        try YAMLConfig.decode("ingest: {ack_after: store}").apply(to: &shared)
        #expect(shared.ackAfter == .store)
        #expect { try YAMLConfig.decode("ingest: {ack_after: broker}").apply(to: &shared) } throws: { "\($0)".contains("not log or store") }
        var bad = Settings()
        #expect(throws: CLIError.self) {
            try YAMLConfig.decode("retention: {readings: {keep: soon, basis: x}}").apply(to: &bad)
        }
        try s.applyEnvironment(["LANTAARN_DATA": "/srv/b", "LANTAARN_MQTT": "mqtt://127.0.0.1:1999", "LANTAARN_LISTEN": "127.0.0.1:1"])
        #expect(s.dataDirectory == "/srv/b")
        #expect(s.mqttURL == "mqtt://127.0.0.1:1999")
        #expect(s.listen == "127.0.0.1:1")
    }

    /// The scheduler's catch-up, lateness and quiet time before stale windows are recomputed.
    @Test func schedulerFromTheConfigFile() throws {
        var s = Settings()
        #expect(s.schedulerCatchUp == 7 * 86_400_000 && s.schedulerLateness == 7_200_000 && s.recomputeAfter == 120_000)
        try YAMLConfig.decode("scheduler: {catch_up: 32d, lateness: 3h, recompute_after: 20s}").apply(to: &s)
        #expect(s.schedulerCatchUp == 32 * 86_400_000 && s.schedulerLateness == 3 * 3_600_000 && s.recomputeAfter == 20_000)
        var bad = Settings()
        do {
            try YAMLConfig.decode("scheduler: {recompute_after: soon}").apply(to: &bad)
            Issue.record("accepted 'soon'")
        } catch let e as CLIError {
            #expect("\(e)".contains("scheduler.recompute_after: 'soon' is not a duration such as 2m"), "\(e)")
        }
    }

    /// `admin.oidc`: the issuer and claims as configured; an issuer that is not https (except on
    /// the loopback interface) or a clock skew over 10 minutes is refused with what to write.
    @Test func identityProviderFromTheConfigFile() throws {
        var s = Settings()
        try YAMLConfig.decode("""
            admin: {oidc: {issuer: "https://login.microsoftonline.com/t/v2.0", audience: "api://lantaarn", roles_claim: groups, name_claim: upn, clock_skew: 2m}}
            """).apply(to: &s)
        #expect(s.oidc?.issuer == "https://login.microsoftonline.com/t/v2.0" && s.oidc?.audience == "api://lantaarn")
        #expect(s.oidc?.rolesClaim == "groups" && s.oidc?.nameClaim == "upn" && s.oidc?.clockSkew == 120_000 && s.oidc?.jwksURL == nil)
        var bad = Settings()
        #expect { try YAMLConfig.decode("admin: {oidc: {issuer: \"http://idp.example\", audience: a}}").apply(to: &bad) }
            throws: { "\($0)".contains("must be an https URL") }
        #expect { try YAMLConfig.decode("admin: {oidc: {issuer: \"https://idp.example\", audience: a, clock_skew: 1h}}").apply(to: &bad) }
            throws: { "\($0)".contains("at most 10m") }
        #expect { try YAMLConfig.decode("admin: {oidc: {issuer: \"https://idp.example\", audience: \" \"}}").apply(to: &bad) }
            throws: { "\($0)".contains("audience") }
    }

    /// `admin.oidc.client_id` and `redirect_url` for the console's sign-in; a redirect address
    /// that is not the console's return address, or one without a client id, is refused.
    @Test func consoleSignInFromTheConfigFile() throws {
        var s = Settings()
        try YAMLConfig.decode("""
            admin: {oidc: {issuer: "https://idp.example", audience: "api://lantaarn", client_id: lantaarn-beheer, redirect_url: "https://beheer.example/beheer/oidc/terug"}}
            """).apply(to: &s)
        #expect(s.oidc?.clientID == "lantaarn-beheer" && s.oidc?.redirectURL == "https://beheer.example/beheer/oidc/terug" && s.oidc?.clientSecret == nil)
        var bad = Settings()
        #expect { try YAMLConfig.decode("admin: {oidc: {issuer: \"https://idp.example\", audience: a, client_id: c, redirect_url: \"https://b.example/elders\"}}").apply(to: &bad) }
            throws: { "\($0)".contains("must end in /beheer/oidc/terug") }
        #expect { try YAMLConfig.decode("admin: {oidc: {issuer: \"https://idp.example\", audience: a, redirect_url: \"https://b.example/beheer/oidc/terug\"}}").apply(to: &bad) }
            throws: { "\($0)".contains("go with client_id") }
    }

    /// `backup:` as configured (defaults every 24h, keep 7); too often or keeping none is refused.
    @Test func scheduledBackupsFromTheConfigFile() throws {
        var s = Settings()
        try YAMLConfig.decode("backup: {to: /var/backups/lantaarn, every: 6h, keep: 3}").apply(to: &s)
        #expect(s.backupSchedule == BackupSchedule(directory: "/var/backups/lantaarn", every: 6 * 3_600_000, keep: 3))
        var d = Settings()
        try YAMLConfig.decode("backup: {to: /b}").apply(to: &d)
        #expect(d.backupSchedule == BackupSchedule(directory: "/b", every: 86_400_000, keep: 7))
        var bad = Settings()
        #expect { try YAMLConfig.decode("backup: {to: /b, every: 1m}").apply(to: &bad) } throws: { "\($0)".contains("at least 10m") }
        #expect { try YAMLConfig.decode("backup: {to: /b, keep: 0}").apply(to: &bad) } throws: { "\($0)".contains("1 to 1000") }
    }

    /// A scheduled backup writes a checked copy named by its time and keeps the newest `keep`.
    @Test func scheduledBackupsKeepTheNewest() async throws {
        let dir = NSTemporaryDirectory() + "lantaarn-backup-service-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var settings = Settings()
        settings.dataDirectory = dir + "/data"
        let store = try StoreBackend.open(settings)
        let service = BackupService(copy: StoreCopy(settings: settings, store: store),
                                    schedule: BackupSchedule(directory: dir + "/copies", every: 86_400_000, keep: 2), logger: .init(label: "t"))
        for day in 1...3 { try await service.once(now: ISO8601.parse("2026-12-0\(day)T03:00:00Z")!) }
        let kept = try FileManager.default.contentsOfDirectory(atPath: dir + "/copies").sorted()
        #expect(kept == ["lantaarn-20261202T030000Z.sqlite", "lantaarn-20261203T030000Z.sqlite"], "\(kept)")
    }

    @Test func listenAddresses() throws {
        let a = try ListenAddress("127.0.0.1:8080")
        #expect(a.host == "127.0.0.1" && a.port == 8080)
        #expect(try ListenAddress("[::1]:80").host == "::1")
        #expect(throws: CLIError.self) { try ListenAddress("localhost") }
        #expect(throws: CLIError.self) { try ListenAddress("h:70000") }
    }

    @Test func missingExplicitConfigIsAnError() {
        #expect(throws: CLIError.self) { try ConfigFile.load(explicitPath: "/nonexistent/lantaarn.yaml") }
    }
}

struct MQTTSettingsTests {
    @Test func securityAndSharedGroupFromTheConfigFile() throws {
        let dir = NSTemporaryDirectory() + "lantaarn-mqtt-settings-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "s3cret\n".write(toFile: dir + "/pw", atomically: true, encoding: .utf8)
        var s = Settings()
        try YAMLConfig.decode("""
            mqtt: mqtts://broker.haarlem.nl
            mqtt_security: {username: lantaarn, password_file: \(dir)/pw, ca_file: /etc/ssl/ca.pem}
            mqtt_shared_group: ingest
            """).apply(to: &s)
        #expect(s.mqttURL == "mqtts://broker.haarlem.nl" && s.mqttSharedGroup == "ingest")
        #expect(s.mqttSecurity == MQTTSecurity(username: "lantaarn", password: "s3cret", caFile: "/etc/ssl/ca.pem"))
        var bad = Settings()
        #expect(throws: CLIError.self) { try YAMLConfig.decode("mqtt_shared_group: a/b").apply(to: &bad) }
        #expect(throws: CLIError.self) { try YAMLConfig.decode("mqtt_security: {password_file: /nonexistent}").apply(to: &bad) }
    }

    @Test func houseColourAndDashboardFolderFromTheConfigFile() throws {
        var s = Settings()
        try YAMLConfig.decode("""
            dashboards: /srv/lantaarn/Dashboards
            site: {colour: "#7a1f2b"}
            """).apply(to: &s)
        #expect(s.dashboardDirectory == "/srv/lantaarn/Dashboards" && s.siteColour == "#7a1f2b")
        // Too light for text on white (WCAG 2.1 AA), or not a colour: refused with the reason.
        var bad = Settings()
        do {
            try YAMLConfig.decode("site: {colour: \"#ffcc00\"}").apply(to: &bad)
            Issue.record("a yellow house colour was accepted")
        } catch {
            #expect("\(error)".contains("site.colour") && "\(error)".contains("4.5:1"), "\(error)")
        }
        #expect(throws: CLIError.self) { try YAMLConfig.decode("site: {colour: blauw}").apply(to: &bad) }
    }

    @Test func ingestLimitInboxAndPullsFromTheConfigFile() throws {
        var s = Settings()
        try YAMLConfig.decode("""
            data_dir: /srv/lantaarn
            ingest:
              log_limit: 512MB
              pulls:
                - {url: "https://data.example.nl/sds.csv", every: 1h}
            """).apply(to: &s)
        #expect(s.ingestLogLimit == 512 << 20)
        #expect(s.inbox == "/srv/lantaarn/inbox")
        #expect(s.ingestPulls == [PullSchedule.Source(url: "https://data.example.nl/sds.csv", every: 3_600_000)])
        for bad in ["ingest: {log_limit: lots}", "ingest: {pulls: [{url: ftp://x/y, every: 1h}]}",
                    "ingest: {pulls: [{url: https://x/y, every: 5s}]}"] {
            var b = Settings()
            #expect(throws: CLIError.self, "\(bad)") { try YAMLConfig.decode(bad).apply(to: &b) }
        }
    }
}
