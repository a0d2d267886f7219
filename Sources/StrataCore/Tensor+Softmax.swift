import Foundation

/// Numerically stable softmax and log-softmax (the maximum is subtracted before exponentiating).
extension Tensor {
    /// exp(x) / Σ exp(x) along `axis` (default: the last).
    public func softmax(axis: Int = -1) -> Tensor {
        let axis = normalizedAxes([axis], op: "softmax")[0]
        if axis != rank - 1 { return movingAxisLast(axis) { $0.softmax(axis: -1) } }
        let result = SoftmaxKernel.rows(self, logarithm: false)
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("softmax", [self], saving: [y]) { grad in
                // dx = y ⊙ (g − Σ g⊙y)
                [y * (grad - (grad * y).sum(alongAxes: [-1], keepingDimensions: true))]
            }
        }
        return result
    }

    /// x − log Σ exp(x) along `axis` (default: the last).
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let axis = normalizedAxes([axis], op: "logSoftmax")[0]
        if axis != rank - 1 { return movingAxisLast(axis) { $0.logSoftmax(axis: -1) } }
        let result = SoftmaxKernel.rows(self, logarithm: true)
        if Tensor.needsGrad(self) {
            let y = result.detached()
            result.record("logSoftmax", [self], saving: [y]) { grad in
                // dx = g − softmax ⊙ Σ g
                [grad - y.exp() * grad.sum(alongAxes: [-1], keepingDimensions: true)]
            }
        }
        return result
    }

    /// Applies `body` with `axis` moved to the end, then moves it back (for row-wise ops on any axis).
    func movingAxisLast(_ axis: Int, _ body: (Tensor) -> Tensor) -> Tensor {
        var order = Array(0..<rank)
        order.remove(at: axis)
        order.append(axis)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in order.enumerated() { inverse[a] = i }
        return body(permuted(order).contiguous()).permuted(inverse)
    }
}

/// Row-wise softmax over the last axis of a tensor.
enum SoftmaxKernel {
    /// Softmax (or log-softmax) of each row along the last axis, into a new dense tensor.
    static func rows(_ x: Tensor, logarithm: Bool) -> Tensor {
        let dense = x.contiguousStorageView()
        let result = Tensor(uninitializedShape: x.shape)
        let length = x.shape.last ?? 1
        let rows = length == 0 ? 0 : x.count / length
        let input = dense.pointer, out = result.pointer
        ThreadPolicy.parallelFor(count: rows, minimumPerThread: Swift.max(1, (1 << 14) / Swift.max(length, 1))) { range in
            for r in range { row(input + r * length, out + r * length, length, logarithm) }
        }
        return result
    }

    /// Softmax (or log-softmax) of one row of `n` values; returns log Σ exp(x), the log-sum-exp.
    @inline(__always) @discardableResult
    static func row(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ logarithm: Bool) -> Float {
        let maximum = ReductionKernel.reduceRow(x, n, .max)
        var total: Float = 0
        for j in 0..<n {
            let e = Foundation.exp(x[j] - maximum)
            y[j] = e
            total += e
        }
        let logTotal = Foundation.log(total) + maximum
        if logarithm {
            for j in 0..<n { y[j] = x[j] - logTotal }
        } else {
            let scale = 1 / total
            for j in 0..<n { y[j] *= scale }
        }
        return logTotal
    }
}
