import Logging
@testable import Pipelines
import Store
import Synchronization
import Testing

/// How the scheduler reads its lease: a node that waited and then gets the lease catches up at
/// once (took over); a node that leads from the start runs on its schedule.
struct SchedulerLeadershipTests {
    /// A lease that answers from a script.
    final class ScriptedLease: SchedulerLease {
        let answers: Mutex<[Bool]>
        init(_ answers: [Bool]) { self.answers = Mutex(answers) }
        func acquire() -> Bool { answers.withLock { $0.isEmpty ? true : $0.removeFirst() } }
        func release() {}
    }

    @Test func aCandidateThatGetsTheLeaseTakesOver() {
        let lease = ScriptedLease([false, false, true, true, false, true])
        var leadership = PipelineScheduler.Leadership()
        let logger = Logger(label: "test")
        let roles = (0..<6).map { _ in leadership.check(lease, logger) }
        #expect(roles == [.candidate, .candidate, .tookOver, .leader, .candidate, .tookOver])
    }

    @Test func aNodeThatLeadsFromTheStartRunsOnSchedule() {
        var leadership = PipelineScheduler.Leadership()
        let roles = (0..<3).map { _ in leadership.check(SingleNodeLease(), Logger(label: "test")) }
        #expect(roles == [.leader, .leader, .leader])
    }
}
