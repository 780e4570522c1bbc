import Foundation

/// Small, fast, reproducible random numbers (SplitMix64): benchmarks and tests that must
/// draw the same values on every run. Not for anything that needs unpredictability.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SplitMix64 {
    /// A uniform number in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A standard normal number (Box-Muller).
    public mutating func normal() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self), u2 = unit()
        return sqrt(-2 * log(u1)) * cos(2 * .pi * u2)
    }

    /// A Poisson-distributed count with the given mean (Knuth's method: for means up to a few hundred).
    public mutating func poisson(_ mean: Double) -> Int {
        let limit = exp(-mean)
        var k = 0, p = unit()
        while p > limit { k += 1; p *= unit() }
        return k
    }
}
