import Foundation

/// A `postgresql://` connection URL as libpq writes it, with what Lantaarn uses of it:
/// `postgresql://user:password@host1:5432,host2:5433/database?target_session_attrs=read-write`.
///
/// Several hosts are tried in order; with `target_session_attrs=read-write` a host that is a
/// read-only standby is skipped, so after a failover the promoted standby is found.
public struct PostgresURL: Sendable, Equatable {
    public struct Host: Sendable, Equatable {
        public var name: String
        public var port: Int
    }

    public var hosts: [Host]
    public var user: String
    public var password: String?
    public var database: String
    /// Only a server that accepts writes will do (`target_session_attrs=read-write`).
    public var requiresReadWrite: Bool

    /// Parses `text`; the error says what is wrong and what a valid URL looks like.
    public init(_ text: String) throws {
        let example = "postgresql://USER[:PASSWORD]@HOST[:PORT][,HOST2[:PORT]]/DATABASE[?target_session_attrs=read-write]"
        func fail(_ reason: String) -> PostgresStoreError {
            PostgresStoreError("store URL: \(reason). Expected \(example).")
        }
        guard let schemeEnd = text.range(of: "://"), ["postgresql", "postgres"].contains(text[..<schemeEnd.lowerBound]) else {
            throw fail("it does not start with postgresql://")
        }
        var rest = Substring(text[schemeEnd.upperBound...])
        var query = Substring("")
        if let q = rest.firstIndex(of: "?") { query = rest[rest.index(after: q)...]; rest = rest[..<q] }
        guard let slash = rest.firstIndex(of: "/") else { throw fail("no database name after the host") }
        let database = String(rest[rest.index(after: slash)...]).removingPercentEncoding ?? ""
        guard !database.isEmpty else { throw fail("the database name is empty") }
        var authority = rest[..<slash]
        var user = "", password: String?
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = String(credentials[..<colon]).removingPercentEncoding ?? ""
                password = String(credentials[credentials.index(after: colon)...]).removingPercentEncoding
            } else {
                user = String(credentials).removingPercentEncoding ?? ""
            }
        }
        guard !user.isEmpty else { throw fail("no user name (USER@ before the host)") }
        var hosts: [Host] = []
        for part in authority.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            guard let name = pieces.first, !name.isEmpty, pieces.count <= 2 else { throw fail("host '\(part)' is not HOST or HOST:PORT") }
            var port = 5432
            if pieces.count == 2 {
                guard let p = Int(pieces[1]), (1...65_535).contains(p) else { throw fail("port '\(pieces[1])' of host '\(name)' is not 1-65535") }
                port = p
            }
            hosts.append(Host(name: String(name), port: port))
        }
        guard !hosts.isEmpty else { throw fail("no host") }
        var readWrite = false
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { throw fail("parameter '\(pair)' is not NAME=VALUE") }
            switch (kv[0], kv[1]) {
            case ("target_session_attrs", "read-write"): readWrite = true
            case ("target_session_attrs", "any"): readWrite = false
            case ("target_session_attrs", let v): throw fail("target_session_attrs '\(v)' is not read-write or any")
            case ("sslmode", "disable"): break
            case (let k, _): throw fail("parameter '\(k)' is not supported (target_session_attrs, sslmode=disable)")
            }
        }
        self.hosts = hosts
        self.user = user
        self.password = password
        self.database = database
        self.requiresReadWrite = readWrite
    }

    /// The URL without its password, for messages and logs.
    public var redacted: String {
        let hostList = hosts.map { "\($0.name):\($0.port)" }.joined(separator: ",")
        return "postgresql://\(user)\(password == nil ? "" : ":***")@\(hostList)/\(database)" + (requiresReadWrite ? "?target_session_attrs=read-write" : "")
    }
}

/// A PostgreSQL store failed: what, and what to do.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    public var description: String
    /// The server's SQLSTATE, when the server refused a statement.
    public var sqlState: String?
    public init(_ description: String, sqlState: String? = nil) {
        self.description = description
        self.sqlState = sqlState
    }
}
