import Foundation
import LantaarnModel
import Store
import StorePostgres
import TestSupport
import Testing

/// Four-eyes change requests and console sessions, on both backends.
struct ApprovalConformanceTests {
    static let now = StaffConformanceTests.now

    static func proposal(_ target: String, _ hash: String, by: String = "ann", at: Int64 = now) -> ChangeProposal {
        ChangeProposal(kind: .pipeline, target: target, contentHash: hash, proposedBy: by, proposedAt: at, summary: "s", diff: "d", preview: "p")
    }

    /// Proposing files one pending request per content; a newer content supersedes it. Nobody
    /// decides their own change; the decider needs the kind's role and a reason; a decided change
    /// stays decided. Approved content is listed per target, oldest first.
    @Test(arguments: Backend.allCases)
    func proposeAndDecide(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        let first = try store.staff.propose(Self.proposal("lucht", "h1"))
        #expect(try store.staff.propose(Self.proposal("lucht", "h1", by: "bob")).id == first.id, "the same content is one request")
        let second = try store.staff.propose(Self.proposal("lucht", "h2"))
        #expect(second.id != first.id)
        #expect(try store.staff.change(id: first.id)?.status == .superseded)
        let other = try store.staff.propose(Self.proposal("geluid", "g1", by: "bob"))
        #expect(try store.staff.changes(status: .pending, kind: nil, limit: 10).map(\.id) == [other.id, second.id])

        #expect(throws: ApprovalError.ownChange(second.id, "ann")) {
            try store.staff.decide(id: second.id, approve: true, by: "ann", roles: [.approver, .datateam], at: Self.now, reason: "looks good")
        }
        #expect(throws: ApprovalError.lacksRole("carl", needed: [.approver])) {
            try store.staff.decide(id: second.id, approve: true, by: "carl", roles: [.datateam, .archivist], at: Self.now, reason: "looks good")
        }
        #expect(throws: ApprovalError.noReason) {
            try store.staff.decide(id: second.id, approve: true, by: "bob", roles: [.approver], at: Self.now, reason: " ok ")
        }
        #expect(throws: ApprovalError.noSuchChange(999)) {
            try store.staff.decide(id: 999, approve: true, by: "bob", roles: [.approver], at: Self.now, reason: "looks good")
        }
        #expect(try store.staff.change(id: second.id)?.status == .pending, "refused decisions change nothing")
        let approved = try store.staff.decide(id: second.id, approve: true, by: "bob", roles: [.approver], at: Self.now + 5, reason: "checked the preview")
        #expect(approved.status == .approved && approved.decidedBy == "bob" && approved.reason == "checked the preview")
        #expect(try store.staff.change(id: second.id) == approved)
        #expect(throws: ApprovalError.notPending(second.id, .approved)) {
            try store.staff.decide(id: second.id, approve: false, by: "dina", roles: [.approver], at: Self.now, reason: "too late now")
        }
        _ = try store.staff.decide(id: other.id, approve: false, by: "ann", roles: [.approver], at: Self.now + 6, reason: "wrong purpose")
        let third = try store.staff.propose(Self.proposal("lucht", "h3"))
        _ = try store.staff.decide(id: third.id, approve: true, by: "bob", roles: [.approver], at: Self.now + 9, reason: "second change")
        let content = try store.staff.approvedContent(kind: .pipeline)
        #expect(content["lucht"]?.map(\.hash) == ["h2", "h3"])
        #expect(content["geluid"] == nil, "a rejected change is not approved")
        #expect(try store.staff.changes(status: nil, kind: .holdLift, limit: 10).isEmpty)
    }

    /// A session is found by the hash of its cookie while it may be used: a token session takes
    /// its account's current roles and ends with its token or account; an identity-provider
    /// session keeps its own roles; every session ends when it expires or is closed.
    @Test(arguments: Backend.allCases)
    func sessions(_ backend: Backend) throws {
        let store = try StoreUnderTest(backend)
        defer { store.close() }
        try store.staff.addStaff(StaffMember(name: "ann", roles: [.datateam], createdAt: Self.now))
        let token = try store.staff.addToken(staff: "ann", hash: "t1", createdAt: Self.now, expiresAt: Self.now + 3_600_000)
        let s = StaffSession(staff: "ann", roles: [.admin], tokenID: token.id, via: "token \(token.id)", csrf: "c1",
                             createdAt: Self.now, expiresAt: Self.now + 7_200_000)
        try store.staff.openSession(s, hash: "s1")
        let found = try #require(try store.staff.session(hash: "s1", now: Self.now + 1))
        #expect(found.roles == [.datateam], "the account's roles, not what the row says")
        #expect(found.csrf == "c1" && found.via == "token \(token.id)")
        #expect(try store.staff.session(hash: "s1", now: Self.now + 3_600_000) == nil, "the token expired")
        #expect(try store.staff.session(hash: "nope", now: Self.now) == nil)

        let oidc = StaffSession(staff: "k.jansen", roles: [.approver], tokenID: nil, via: "oidc", csrf: "c2", createdAt: Self.now, expiresAt: Self.now + 1000)
        try store.staff.openSession(oidc, hash: "s2")
        #expect(try store.staff.session(hash: "s2", now: Self.now + 999)?.roles == [.approver])
        #expect(try store.staff.session(hash: "s2", now: Self.now + 1000) == nil, "expired")

        try store.staff.openSession(StaffSession(staff: "ann", roles: [], tokenID: token.id, via: "t", csrf: "c3", createdAt: Self.now,
                                                 expiresAt: Self.now + 7_200_000), hash: "s3")
        try store.staff.closeSession(hash: "s3", at: Self.now + 2)
        #expect(try store.staff.session(hash: "s3", now: Self.now + 3) == nil, "signed out")
        _ = try store.staff.revokeToken(id: token.id, at: Self.now + 4)
        #expect(try store.staff.session(hash: "s1", now: Self.now + 5) == nil, "the token was revoked")
        try store.staff.openSession(StaffSession(staff: "ann", roles: [.approver], tokenID: nil, via: "oidc", csrf: "c4", createdAt: Self.now,
                                                 expiresAt: Self.now + 7_200_000), hash: "s4")
        try store.staff.disableStaff("ann", at: Self.now + 6)
        #expect(try store.staff.session(hash: "s4", now: Self.now + 7) == nil, "a disabled account of the same name")
    }
}
