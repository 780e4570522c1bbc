import CMosquitto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One-time `mosquitto_lib_init`. The library must be initialised before the first
/// `mosquitto_new`; a Swift `static let` gives us thread-safe, exactly-once setup.
enum MosquittoLibrary {
    private static let initialised: Bool = {
        mosquitto_lib_init()
        return true
    }()

    static func ensureInitialised() { _ = initialised }

    /// Human-readable text for a libmosquitto error code.
    static func describe(_ code: Int32) -> String {
        if code == Int32(MOSQ_ERR_ERRNO.rawValue) {
            return String(cString: strerror(errno))
        }
        return String(cString: mosquitto_strerror(code))
    }

    static func check(_ code: Int32, _ operation: String) throws {
        guard code == Int32(MOSQ_ERR_SUCCESS.rawValue) else {
            throw MQTTError.library(operation: operation, code: code, message: describe(code))
        }
    }
}

