import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension URLSession {
    /// For requests to a server a test started on 127.0.0.1. Under CI every suite starts at once
    /// on two cores and the whole test process can stall for minutes, longer than the default
    /// 60 s request timeout (a CI run once failed twelve server tests at once that way); such a
    /// wait is not what these tests check. Otherwise `URLSession.shared`'s configuration.
    public static let loopback: URLSession = {
        let config = URLSessionConfiguration.default
        config.timeoutIntervalForRequest = 600
        config.timeoutIntervalForResource = 900
        return URLSession(configuration: config)
    }()
}
