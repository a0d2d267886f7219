import Foundation
import StrataCore

/// Finds the runs of layers that train as one `BlockedTrainingSegment` (activations kept in oneDNN's
/// blocked layouts between them) in a list of layers, and builds the segment of each.
///
/// A run starts at a `Conv2D` and goes on through every following `Conv2D`, `ReLU`, `MaxPool2D`,
/// `AveragePool2D` and `BatchNormalization` (not synchronized across processes); each convolution's
/// activation must be linear or ReLU (a `ReLU` layer right after a linear convolution or a batch
/// normalization is fused into it). A run that is a lone linear convolution gains nothing and is left
/// to the layer. Anything else (dropout, other activations, residual blocks, `Flatten`, `Dense`) ends
/// the run and keeps its own `forward`.
public enum TrainingSegmentCompiler {
    /// Whether training forward passes run blocked segments (true unless the environment variable
    /// `STRATA_BLOCKED_TRAINING` is `0`; false runs every layer's own `forward`, the reference path).
    public nonisolated(unsafe) static var isEnabled =
        ProcessInfo.processInfo.environment["STRATA_BLOCKED_TRAINING"] != "0"

    /// The run of `layers` that starts at `start` and trains as one segment, with the index after its
    /// last layer; nil when the layer at `start` begins no such run (or the layers are not built).
    public static func segment(_ layers: [any Layer], from start: Int) -> (segment: BlockedTrainingSegment, end: Int)? {
        var segment = BlockedTrainingSegment(), index = start, beyondConvolution = false
        while index < layers.count {
            let layer = layers[index]
            if let conv = layer as? Conv2D {
                guard let kernel = conv.kernel, conv.activation == .relu || conv.activation == .linear else { break }
                var relu = conv.activation == .relu
                index += 1
                if !relu, index < layers.count, layers[index] is ReLU {
                    relu = true
                    index += 1
                }
                segment.convolution(weight: kernel, bias: conv.bias, stride: conv.strides, padding: conv.paddingAmount,
                                    paddingEnd: conv.paddingEndAmount, dilation: conv.dilation, groups: conv.groups,
                                    relu: relu)
                beyondConvolution = beyondConvolution || relu
                continue
            }
            guard segment.count > 0 else { return nil }  // a run starts at a convolution
            switch layer {
            case is ReLU:
                segment.relu()
            case let pool as MaxPool2D:
                segment.pool(kind: .max, kernel: pool.window.size, stride: pool.window.strides,
                             padding: pool.window.paddingAmount, paddingEnd: pool.window.paddingEndAmount)
            case let pool as AveragePool2D:
                segment.pool(kind: .average, kernel: pool.window.size, stride: pool.window.strides,
                             padding: pool.window.paddingAmount, paddingEnd: pool.window.paddingEndAmount)
            case let norm as BatchNormalization where norm.synchronization == nil && norm.gamma != nil:
                let relu = index + 1 < layers.count && layers[index + 1] is ReLU
                segment.batchNormalization(gamma: norm.gamma!, beta: norm.beta!, runningMean: norm.movingMean!,
                                           runningVar: norm.movingVariance!, momentum: 1 - norm.momentum,
                                           epsilon: norm.epsilon, relu: relu)
                if relu { index += 1 }
            default:
                return beyondConvolution ? (segment, index) : nil
            }
            beyondConvolution = true
            index += 1
        }
        return beyondConvolution ? (segment, index) : nil
    }

    /// The ranges of `layers` that train as blocked segments, in order (whatever `isEnabled` says).
    public static func runs(_ layers: [any Layer]) -> [Range<Int>] {
        var runs: [Range<Int>] = [], index = 0
        while index < layers.count {
            if let (_, end) = segment(layers, from: index) {
                runs.append(index..<end)
                index = end
            } else {
                index += 1
            }
        }
        return runs
    }
}
