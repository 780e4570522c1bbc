/// Errors from the store. Statement arguments are never included, because they may hold personal data.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and what to do about it.
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
