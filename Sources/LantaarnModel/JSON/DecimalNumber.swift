/// Correctly rounded decimal → Double for the common case, without going through a String.
///
/// Clinger's fast path: when the digits fit in 2^53 and the decimal exponent is within ±22,
/// the mantissa and the power of ten are both exact doubles, so one multiplication or
/// division gives the correctly rounded result. Anything else (long mantissas, big
/// exponents) returns `nil` and the caller uses the standard library's parser.
public enum DecimalNumber {
    private static let powers: [Double] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                           1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]

    /// Parses a JSON number occupying exactly `bytes` (already validated by the caller's grammar).
    @inline(__always)
    public static func fastParse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        var i = 0
        let n = bytes.count
        var negative = false
        if i < n, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        while i < n, bytes[i] &- 48 < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 48) } else { return nil }
            if mantissa > 0 { digits += 1 }
            i += 1
        }
        if i < n, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, bytes[i] &- 48 < 10 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 48) } else { return nil }
                if mantissa > 0 { digits += 1 }
                exponent -= 1
                i += 1
            }
        }
        if i < n, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < n, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { expNegative = bytes[i] == UInt8(ascii: "-"); i += 1 }
            var e = 0
            while i < n, bytes[i] &- 48 < 10 {
                e = e * 10 + Int(bytes[i] &- 48)
                if e > 400 { return nil }
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        guard i == n, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 else { return nil }
        var v = Double(mantissa)
        if exponent < 0 { v /= powers[-exponent] } else { v *= powers[exponent] }
        return negative ? -v : v
    }

    /// Any JSON number: the fast path, else the standard library's correctly rounded parser.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Double? {
        if let v = fastParse(bytes) { return v }
        return Double(String(decoding: bytes, as: UTF8.self))
    }
}
