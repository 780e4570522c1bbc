import Foundation
import LantaarnModel
import Store

/// Staff actions done on the command line go into the audit log like those over the admin API.
/// The actor is `cli:<user>`: the operating-system account that ran the command (under sudo,
/// the one that called sudo).
enum CLIAudit {
    static var actor: String {
        let env = ProcessInfo.processInfo.environment
        let user = env["SUDO_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? env["USER"].flatMap { $0.isEmpty ? nil : $0 }
            ?? env["LOGNAME"] ?? "uid\(getuid())"
        return "cli:" + String(user.prefix(64))
    }
}

extension StoreBackend {
    /// Runs `body` and records it in the audit log: `ok` when it succeeds (with `detail` and what
    /// `summary` says of the result), `failed` (with the error) when it throws, which it then rethrows.
    @discardableResult
    func audited<T>(_ action: String, target: String, detail: String = "", summary: ((T) -> String)? = nil,
                    _ body: () throws -> T) throws -> T {
        do {
            let result = try body()
            try record(action, target, "ok", [detail, summary?(result) ?? ""].filter { !$0.isEmpty }.joined(separator: "; "))
            return result
        } catch {
            _ = try? record(action, target, "failed", String("\(error)".prefix(300)))
            throw error
        }
    }

    /// ``audited(_:target:detail:summary:_:)`` for work that waits.
    @discardableResult
    func audited<T>(_ action: String, target: String, detail: String = "", summary: ((T) -> String)? = nil,
                    _ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            try record(action, target, "ok", [detail, summary?(result) ?? ""].filter { !$0.isEmpty }.joined(separator: "; "))
            return result
        } catch {
            _ = try? record(action, target, "failed", String("\(error)".prefix(300)))
            throw error
        }
    }

    private func record(_ action: String, _ target: String, _ outcome: String, _ detail: String) throws {
        try staff.appendAudit(AuditDraft(at: Clock.nowMilliseconds(), actor: CLIAudit.actor, action: action, target: target,
                                         outcome: outcome, detail: detail))
    }
}
