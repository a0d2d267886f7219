import Foundation

/// How pixel bytes become the floats a model sees.
///
/// ```swift
/// DataLoader(train, batchSize: 64, normalization: .standardized(mean: 0.1307, std: 0.3081))
/// ```
public enum Normalization: Sendable, Equatable {
    /// `byte / 255`, in [0, 1].
    case unitRange
    /// `(byte / 255 − mean[c]) / std[c]` per channel `c` (mean and std on the [0, 1] scale).
    case standardized(mean: [Float], std: [Float])
    /// The byte value itself, 0…255, as a float.
    case raw

    /// Standardization with one mean and standard deviation for every channel.
    public static func standardized(mean: Float, std: Float) -> Normalization {
        .standardized(mean: [mean], std: [std])
    }

    /// Standardization by `dataset`'s own per-channel mean and standard deviation.
    public static func standardized(by dataset: Dataset) -> Normalization {
        let statistics = dataset.channelStatistics()
        return .standardized(mean: statistics.mean, std: statistics.std)
    }

    /// The normalized value of `value` (a pixel on the [0, 1] scale) in `channel`.
    @inline(__always)
    public func apply(_ value: Float, channel: Int) -> Float {
        switch self {
        case .unitRange:
            return value
        case let .standardized(mean, std):
            let c = mean.count == 1 ? 0 : channel
            return (value - mean[c]) / std[c]
        case .raw:
            return value * 255
        }
    }

    /// For each channel, the normalized value of every byte 0…255 (a lookup table for the fast path).
    func lookupTables(channels: Int) -> [[Float]] {
        if case let .standardized(mean, std) = self {
            precondition(mean.count == std.count && (mean.count == 1 || mean.count == channels),
                         "Normalization.standardized: \(mean.count) means and \(std.count) stds for \(channels) channels")
            precondition(std.allSatisfy { $0 > 0 }, "Normalization.standardized: std \(std) must be positive")
        }
        return (0..<channels).map { channel in
            (0...255).map { apply(Float($0) / 255, channel: channel) }
        }
    }
}
