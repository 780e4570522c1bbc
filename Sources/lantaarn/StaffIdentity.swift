import ArgumentParser
import Foundation
import LantaarnModel
import Store

/// Who runs a four-eyes command: the member of staff whose personal token is in `--token-file`
/// (or the file `LANTAARN_TOKEN_FILE` names). A token is never given on the command line, where
/// other users of the machine and the shell history would see it.
struct StaffIdentityOptions: ParsableArguments {
    @Option(name: .long, help: "File holding your personal token ('lantaarn staff token NAME'); default: env LANTAARN_TOKEN_FILE.")
    var tokenFile: String?

    /// The member of staff the token belongs to; `nil` when no token file is given.
    func member(_ store: StoreBackend, now: Int64 = Clock.nowMilliseconds()) throws -> StaffMember? {
        guard let path = tokenFile ?? ProcessInfo.processInfo.environment["LANTAARN_TOKEN_FILE"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read the token file '\(path)'; write your personal token there (mode 0600)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard StaffTokenText.looksLikeToken(token) else {
            throw CLIError("'\(path)' does not hold a personal token (lnt_ and 64 hex digits); 'lantaarn staff token NAME' issues one")
        }
        switch try store.staff.lookupToken(hash: StaffTokenText.hash(token), now: now) {
        case .valid(let member, _): return member
        case .expired(let name, let id): throw CLIError("token \(id) of \(name) has expired; ask an admin for a new one")
        case .revoked(let name, let id): throw CLIError("token \(id) of \(name) was revoked; ask an admin for a new one")
        case .disabled(let name, _): throw CLIError("the account \(name) is disabled")
        case .unknown: throw CLIError("the token in '\(path)' is not known here (another installation, or mistyped)")
        }
    }

    /// The member of staff, required for `what`.
    func require(_ store: StoreBackend, for what: String) throws -> StaffMember {
        guard let member = try member(store) else { throw ApprovalError.identityRequired(what) }
        return member
    }
}

extension StoreBackend {
    /// Four-eyes proposals and decisions, over this backend.
    var approvalDesk: ApprovalDesk { ApprovalDesk(staff: staff, holds: retention) }
}
