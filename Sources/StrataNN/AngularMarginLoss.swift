import Foundation
import StrataCore

/// An additive-margin softmax for embeddings: ArcFace (Deng et al. 2019) or CosFace (Wang et al. 2018).
///
/// The loss owns one class centre per person, the rows of `weight` `(C, D)`, trained with the model
/// (hand `parameters` to the optimizer with the model's). Embeddings and centres are L2-normalised,
/// θⱼ is the angle between an embedding and centre j, and the logits are s·cos θⱼ for the other
/// classes and, for the target class y:
///
/// - `.arcFace`: s·cos(θ_y + m), computed as cos θ·cos m − sin θ·sin m; where θ_y + m would pass π
///   (cos θ_y ≤ cos(π − m)) it is s·(cos θ_y − m·sin m) instead, insightface's `th` / `mm` form, which
///   keeps the target logit decreasing in θ. sin θ is √max(1 − cos²θ, 1e-6), which bounds the
///   gradient where cos θ = ±1.
/// - `.cosFace`: s·(cos θ_y − m).
///
/// then softmax cross-entropy, averaged over the batch.
///
/// ```swift
/// let loss = AngularMarginLoss(kind: .arcFace, classes: 20, dimension: 128)
/// let optimizer = Adam(learningRate: 1e-3)
/// let value = loss(predictions: model(x, training: true), targets: labels)
/// try value.backward()
/// optimizer.step(model.parameters + loss.parameters)
/// ```
public final class AngularMarginLoss: Loss {
    /// Which margin is applied to the target class.
    public enum Kind: String, Sendable {
        /// An additive angular margin: cos(θ + m).
        case arcFace
        /// An additive cosine margin: cos θ − m.
        case cosFace
    }

    /// `arcface` or `cosface`.
    public var name: String { kind == .arcFace ? "arcface" : "cosface" }
    /// Which margin is applied.
    public let kind: Kind
    /// The scale s of the logits. The default 16 suits tens of classes: with C = 20–40 and the
    /// default margins, the target can still reach probability 0.999 once embeddings sit on their
    /// centres (CosFace's bound s ≥ ln((C − 1)·P / (1 − P)) / (1 − m + 1 / (C − 1)) ≈ 14–15.6), while
    /// the papers' s = 64, chosen for thousands of classes, would saturate the softmax early.
    public let scale: Float
    /// The margin m: radians for ArcFace (default 0.5), cosine for CosFace (default 0.35).
    public let margin: Float
    /// The class centres `(C, D)`, one row per class; normalised when used, so only directions matter.
    public let weight: Tensor

    /// The number of classes C.
    public var classes: Int { weight.shape[0] }
    /// The embedding dimension D.
    public var dimension: Int { weight.shape[1] }
    /// The class centres as a trainable parameter named `<name>.weight`.
    public var parameters: [Parameter] { [Parameter(name: "\(name).weight", tensor: weight)] }

    /// The margin used when none is given: 0.5 for ArcFace, 0.35 for CosFace (the papers' values).
    public static func defaultMargin(for kind: Kind) -> Float { kind == .arcFace ? 0.5 : 0.35 }

    /// A loss with `classes` centres of `dimension` values drawn from N(0, 1/D) with `seed`: directions
    /// uniform on the sphere, lengths near 1, so that a learning rate moves them as much as it moves
    /// the model's weights (the gradient through the normalisation scales as 1 / length).
    public convenience init(kind: Kind = .arcFace, classes: Int, dimension: Int = 128, scale: Float = 16,
                            margin: Float? = nil, seed: UInt64 = 0) {
        precondition(classes > 1 && dimension > 0,
                     "AngularMarginLoss: needs at least 2 classes and a positive dimension, got \(classes) and \(dimension)")
        let deviation = 1 / Float(dimension).squareRoot()
        let weight = Tensor.randomNormal([classes, dimension], standardDeviation: deviation, seed: seed, requiresGrad: true)
        self.init(kind: kind, weight: weight, scale: scale, margin: margin)
    }

    /// A loss with the given class centres `(C, D)` (a checkpoint's, say); they are trained in place.
    public init(kind: Kind = .arcFace, weight: Tensor, scale: Float = 16, margin: Float? = nil) {
        let margin = margin ?? Self.defaultMargin(for: kind)
        precondition(weight.rank == 2 && weight.shape[0] > 1 && weight.isContiguous,
                     "AngularMarginLoss: weight must be dense (C, D) with C ≥ 2, got \(weight.shape)")
        precondition(scale > 0, "AngularMarginLoss: scale must be positive, got \(scale)")
        precondition(margin >= 0 && (kind == .cosFace || margin < Float.pi),
                     "AngularMarginLoss: margin must be in [0, π) for ArcFace and ≥ 0 for CosFace, got \(margin)")
        weight.requiresGrad = true
        self.kind = kind
        self.weight = weight
        self.scale = scale
        self.margin = margin
    }

    /// cos θ `(N, C)` between embeddings `(N, D)` and every class centre, without margin or scale:
    /// its argmax along the classes is the predicted person (for accuracy).
    public func cosines(_ embeddings: Tensor) -> Tensor {
        precondition(embeddings.rank == 2 && embeddings.shape[1] == dimension,
                     "\(name): embeddings must be (N, \(dimension)) for weight \(weight.shape), got \(embeddings.shape)")
        return embeddings.l2Normalized().matmul(weight.l2Normalized().transposed())
    }

    /// The mean margin softmax cross-entropy of embeddings `(N, D)` against class labels `(N)`.
    public func callAsFunction(predictions embeddings: Tensor, targets: Tensor) -> Tensor {
        let labels = EmbeddingLabels(embeddings: embeddings, targets: targets, loss: "AngularMarginLoss (\(name))").labels
        for label in labels {
            precondition(label < classes, "AngularMarginLoss (\(name)): label \(label) out of range 0..<\(classes)")
        }
        let n = labels.count, c = classes
        let cosine = cosines(embeddings)  // (N, C)
        let target = cosine.reshaped([n * c]).gather(labels.enumerated().map { $0.offset * c + $0.element })  // (N)
        let marginal = marginalCosine(target)  // (N)
        // Replace each row's target cosine by its margin form: cos + onehot ⊙ (φ − cos θ_y).
        let oneHot = Tensor.oneHot(labels, classes: c)
        let logits = (cosine + (marginal - target).reshaped([n, 1]) * oneHot) * scale
        return Tensor.softmaxCrossEntropy(logits: logits, labels: labels)
    }

    /// φ(cos θ_y) for the target cosines `(N)`: cos(θ + m) (with the `th` / `mm` fallback) or cos θ − m.
    func marginalCosine(_ cosine: Tensor) -> Tensor {
        switch kind {
        case .cosFace:
            return cosine - margin
        case .arcFace:
            let m = Double(margin)
            let sine = (1 - cosine.squared()).clamped(min: 1e-6, max: 1).sqrt()
            let shifted = cosine * Float(cos(m)) - sine * Float(sin(m))
            let threshold = Float(cos(Double.pi - m)), fallback = Float(sin(Double.pi - m) * m)
            let inside = noGrad { cosine.isGreater(threshold) }
            return Tensor.where(inside, shifted, cosine - fallback)
        }
    }
}
