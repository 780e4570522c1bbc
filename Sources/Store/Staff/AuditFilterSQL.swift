/// The `WHERE` condition of an ``AuditFilter``, the same on both backends (only the placeholder
/// differs: `?` or `$n`).
package enum AuditFilterSQL {
    /// A value bound to the condition.
    package enum Bind: Sendable {
        case text(String)
        case integer(Int64)
    }

    /// The condition and its binds, in order; `placeholder(n)` gives the n-th (from 1) placeholder.
    package static func condition(_ f: AuditFilter, placeholder: (Int) -> String) -> (String, [Bind]) {
        var parts = ["TRUE"]
        var binds: [Bind] = []
        func add(_ sql: (String) -> String, _ bind: Bind) {
            binds.append(bind)
            parts.append(sql(placeholder(binds.count)))
        }
        if let actor = f.actor { add({ "actor = \($0)" }, .text(actor)) }
        if let action = f.action {
            if action.hasSuffix(".") {
                add({ "substr(action, 1, \(action.count)) = \($0)" }, .text(action))
            } else {
                add({ "action = \($0)" }, .text(action))
            }
        }
        if let outcome = f.outcome { add({ "outcome = \($0)" }, .text(outcome)) }
        if let since = f.since { add({ "at >= \($0)" }, .integer(since)) }
        if let until = f.until { add({ "at < \($0)" }, .integer(until)) }
        return (parts.joined(separator: " AND "), binds)
    }
}
