import Foundation

/// What one `serve` node runs (`--roles ingest,scheduler,http`). A deployment on PostgreSQL runs,
/// for example, three ingest nodes, two HTTP nodes and two scheduler candidates; on SQLite one
/// node runs all three.
struct NodeRoles: CustomStringConvertible {
    enum Role: String, CaseIterable {
        /// The MQTT subscriber, the ingest consumer, the inbox and HTTP pulls.
        case ingest
        /// The pipeline scheduler (one leader at a time) and the purge.
        case scheduler
        /// The public (and admin) HTTP server.
        case http
    }

    private let roles: Set<Role>

    init(_ text: String) throws {
        var roles = Set<Role>()
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            guard let role = Role(rawValue: part) else {
                throw CLIError("--roles: '\(part)' is not a role; use a comma-separated list of ingest, scheduler and http (default all three)")
            }
            roles.insert(role)
        }
        guard !roles.isEmpty else { throw CLIError("--roles: name at least one of ingest, scheduler and http") }
        self.roles = roles
    }

    func contains(_ role: Role) -> Bool { roles.contains(role) }

    var description: String { Role.allCases.filter(roles.contains).map(\.rawValue).joined(separator: ",") }
}
