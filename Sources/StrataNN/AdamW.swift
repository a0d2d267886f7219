/// Adam with decoupled weight decay (Loshchilov & Hutter), with the defaults of PyTorch's
/// `torch.optim.AdamW`, of which it is likewise a subclass of `Adam`.
///
/// Each step first shrinks the parameter, `p *= 1 − learningRate·weightDecay`, and then applies the
/// plain Adam update (no L2 term in the gradient). The default weight decay is PyTorch's 0.01
/// (Keras's AdamW uses 0.004).
///
/// ```swift
/// let optimizer = AdamW(learningRate: 1e-3, weightDecay: 0.05)
/// try loss.backward()
/// optimizer.step(model.parameters)
/// ```
public final class AdamW: Adam {
    /// An AdamW optimizer with PyTorch's defaults.
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0.01, amsgrad: Bool = false, gradientClipping: GradientClipping? = nil) {
        super.init(name: "AdamW", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                   weightDecay: weightDecay, amsgrad: amsgrad, decoupledWeightDecay: true,
                   gradientClipping: gradientClipping)
    }
}
