import Foundation
import StrataCore

/// Finds the runs of layers that train as one `BlockedTrainingSegment` (activations kept in oneDNN's
/// blocked layouts between them) in a list of layers, and builds the segment of each.
///
/// A run starts at a `Conv2D` and goes on through every following `Conv2D`, `ReLU`, `MaxPool2D`,
/// `AveragePool2D` and `BatchNormalization` (not synchronized across processes); each convolution's
/// activation must be linear or ReLU (a `ReLU` layer right after a linear convolution or a batch
/// normalization is fused into it). A `Residual` whose body and shortcut (a projection, or the identity)
/// hold only such layers joins the run too, with a following `ReLU` fused into its addition, so a ResNet's
/// trunk trains as one segment; a run may start at such a block. A run that is a lone linear convolution
/// gains nothing and is left to the layer. Anything else (dropout, other activations, other residual
/// blocks, `Flatten`, `Dense`) ends the run and keeps its own `forward`.
public enum TrainingSegmentCompiler {
    /// Whether training forward passes run blocked segments (true unless the environment variable
    /// `STRATA_BLOCKED_TRAINING` is `0`; false runs every layer's own `forward`, the reference path).
    public nonisolated(unsafe) static var isEnabled =
        ProcessInfo.processInfo.environment["STRATA_BLOCKED_TRAINING"] != "0"

    /// The run of `layers` that starts at `start` and trains as one segment, with the index after its
    /// last layer; nil when the layer at `start` begins no such run (or the layers are not built).
    public static func segment(_ layers: [any Layer], from start: Int) -> (segment: BlockedTrainingSegment, end: Int)? {
        guard start < layers.count, layers[start] is Conv2D || layers[start] is Residual else { return nil }
        var segment = BlockedTrainingSegment()
        let (end, beyondConvolution) = append(layers, from: start, to: &segment)
        return beyondConvolution ? (segment, end) : nil
    }

    /// Appends to `segment` the layers from `start` on that a segment takes (a `ReLU` after a linear
    /// convolution, a batch normalization or a residual block fused into it), up to the first it does
    /// not; returns the index after the last one taken and whether anything beyond lone linear
    /// convolutions was.
    private static func append(_ layers: [any Layer], from start: Int, to segment: inout BlockedTrainingSegment)
        -> (end: Int, beyondConvolution: Bool) {
        var index = start, beyondConvolution = false
        while index < layers.count {
            let layer = layers[index]
            let reluFollows = index + 1 < layers.count && layers[index + 1] is ReLU
            switch layer {
            case let conv as Conv2D:
                guard let kernel = conv.kernel, conv.activation == .relu || conv.activation == .linear else {
                    return (index, beyondConvolution)
                }
                let relu = conv.activation == .relu || reluFollows
                if conv.activation == .linear, reluFollows { index += 1 }
                segment.convolution(weight: kernel, bias: conv.bias, stride: conv.strides, padding: conv.paddingAmount,
                                    paddingEnd: conv.paddingEndAmount, dilation: conv.dilation, groups: conv.groups,
                                    relu: relu)
                beyondConvolution = beyondConvolution || relu
                index += 1
                continue
            case is ReLU:
                segment.relu()
            case let pool as MaxPool2D:
                segment.pool(kind: .max, kernel: pool.window.size, stride: pool.window.strides,
                             padding: pool.window.paddingAmount, paddingEnd: pool.window.paddingEndAmount)
            case let pool as AveragePool2D:
                segment.pool(kind: .average, kernel: pool.window.size, stride: pool.window.strides,
                             padding: pool.window.paddingAmount, paddingEnd: pool.window.paddingEndAmount)
            case let norm as BatchNormalization where norm.synchronization == nil && norm.gamma != nil:
                segment.batchNormalization(gamma: norm.gamma!, beta: norm.beta!, runningMean: norm.movingMean!,
                                           runningVar: norm.movingVariance!, momentum: 1 - norm.momentum,
                                           epsilon: norm.epsilon, relu: reluFollows)
                if reluFollows { index += 1 }
            case let residual as Residual:
                guard let (body, shortcut) = paths(of: residual) else { return (index, beyondConvolution) }
                segment.residual(body, shortcut: shortcut, relu: reluFollows)
                if reluFollows { index += 1 }
            default:
                return (index, beyondConvolution)
            }
            beyondConvolution = true
            index += 1
        }
        return (index, beyondConvolution)
    }

    /// The body and the shortcut (nil: the identity) of `residual` as segments, when every layer of both
    /// is one a segment takes; nil otherwise.
    private static func paths(of residual: Residual) -> (body: BlockedTrainingSegment, shortcut: BlockedTrainingSegment?)? {
        func whole(_ layer: any Layer) -> BlockedTrainingSegment? {
            let layers = (layer as? Sequential)?.layers ?? [layer]
            var segment = BlockedTrainingSegment()
            guard !layers.isEmpty, append(layers, from: 0, to: &segment).end == layers.count else { return nil }
            return segment
        }
        guard let body = whole(residual.block) else { return nil }
        guard let projection = residual.shortcut else { return (body, nil) }
        guard let shortcut = whole(projection) else { return nil }
        return (body, shortcut)
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
