/// Matrix products: 2-D, batched, and the fused affine map of a dense layer.
extension Tensor {
    /// The matrix product over the last two dimensions.
    ///
    /// Shapes: `(M, K)·(K, N) → (M, N)`; `(…, M, K)·(K, N) → (…, M, N)`; `(B, M, K)·(B, K, N) → (B, M, N)`;
    /// `(M, K)·(B, K, N) → (B, M, N)`. Transposed views (from `transposed()`) are read in place.
    /// Under `Precision.with(.bfloat16)` the operands are rounded to bfloat16 and the products
    /// accumulated in Float32, in the forward and the backward pass; the result is Float32.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank >= 2 && other.rank >= 2,
                     "matmul: needs rank 2 or more, got shapes \(shape) and \(other.shape)")
        let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[other.rank - 1]
        precondition(other.shape[other.rank - 2] == k,
                     "matmul: inner dimensions differ: \(shape) and \(other.shape)")
        let precision = Precision.current
        let result: Tensor
        if other.rank == 2 {
            // Fold the batch into the rows: (…, M, K) → (B·M, K).
            let rows = count / Swift.max(k, 1)
            let left = rank == 2 ? self : noGrad { self.contiguousStorageView().reshaped([rows, k]) }
            result = Tensor(uninitializedShape: Array(shape.dropLast()) + [n])
            Gemm.multiply(operand(left), operand(other), into: result.pointer, m: rows, n: n, k: k, precision: precision)
        } else {
            let batchShape = Array(other.shape.dropLast(2))
            precondition(rank == 2 || Array(shape.dropLast(2)) == batchShape,
                         "matmul: batch dimensions differ: \(shape) and \(other.shape)")
            let batch = batchShape.reduce(1, *)
            let left = rank == 2 ? self : Tensor.batched(self, [batch, m, k])
            let right = Tensor.batched(other, [batch, k, n])
            result = Tensor(uninitializedShape: batchShape + [m, n])
            let leftOperand = rank == 2 ? operand(left) : nil
            for b in 0..<batch {
                let a = leftOperand ?? GemmOperand(left, extraOffset: b * left.strides[0])!
                let bOperand = GemmOperand(right, extraOffset: b * right.strides[0])!
                Gemm.multiply(a, bOperand, into: result.pointer + b * m * n, m: m, n: n, k: k, precision: precision)
            }
        }
        if Tensor.needsGrad(self, other) {
            let a = detached(), b = other.detached()
            let aNeeds = requiresGrad, bNeeds = other.requiresGrad
            result.record("matmul", [self, other], saving: [a, b]) { grad in
                Precision.with(precision) { () -> [Tensor?] in
                    var gradA: Tensor?, gradB: Tensor?
                    if aNeeds {
                        let full = grad.matmul(b.transposed())
                        gradA = full.rank > a.rank ? full.sum(alongAxes: [0]) : full
                    }
                    if bNeeds {
                        if b.rank == 2 && a.rank > 2 {
                            let rows = a.count / k
                            gradB = a.reshaped([rows, k]).transposed().matmul(grad.reshaped([rows, n]))
                        } else {
                            gradB = a.transposed().matmul(grad)
                        }
                    }
                    return [gradA, gradB]
                }
            }
        }
        return result
    }

    /// The affine map of a dense layer on the last axis: `x·W + b` for x `(…, in)`, W `(in, out)`,
    /// b `(out)`: one GEMM, then one pass that adds the bias. With `relu`, the result is
    /// `max(x·W + b, 0)`, as `.relu()` after this op would give, in that same pass (and its backward
    /// masks the gradient without a pass of its own). Under `Precision.with(.bfloat16)` the products
    /// (forward and backward) take bfloat16 operands and accumulate in Float32; the bias is added in Float32.
    public func linear(weight: Tensor, bias: Tensor?, relu: Bool = false) -> Tensor {
        precondition(weight.rank == 2 && rank >= 1 && shape[rank - 1] == weight.shape[0],
                     "linear: input \(shape) does not match weight \(weight.shape) (last axis must be \(weight.shape.first ?? 0))")
        let k = weight.shape[0], n = weight.shape[1]
        if let bias {
            precondition(bias.shape == [n], "linear: bias \(bias.shape) does not match weight \(weight.shape)")
        }
        let rows = count / Swift.max(k, 1)
        let input = noGrad { contiguousStorageView().reshaped([rows, k]) }
        let result = Tensor(uninitializedShape: Array(shape.dropLast()) + [n])
        let precision = Precision.current
        Gemm.multiply(operand(input), operand(weight), into: result.pointer, m: rows, n: n, k: k, precision: precision)
        if bias != nil || relu {
            let b = bias?.contiguousStorageView()
            Tensor.addBias(b?.pointer, relu: relu, to: result.pointer, rows: rows, columns: n)
            withExtendedLifetime(b) {}
        }
        let inputs = bias.map { [self, weight, $0] } ?? [self, weight]
        if Tensor.needsGrad(inputs) {
            let w = weight.detached()
            let inputShape = shape
            let needs = inputs.map(\.requiresGrad)
            let output = relu ? result.detached().reshaped([rows, n]) : nil
            result.record(relu ? "linear+relu" : "linear", inputs, saving: [input, w] + (output.map { [$0] } ?? [])) { grad in
                var g = grad.contiguousStorageView().reshaped([rows, n])
                if let output { g = MapKernel.binary(g, output, op: "linear+relu backward", ReLUGradientFunction()) }
                var grads: [Tensor?] = Precision.with(precision) {[
                    needs[0] ? g.matmul(w.transposed()).reshaped(inputShape) : nil,
                    needs[1] ? input.transposed().matmul(g) : nil,
                ]}
                if needs.count == 3 { grads.append(needs[2] ? g.sum(alongAxes: [0]) : nil) }
                return grads
            }
        }
        return result
    }

    /// Adds `bias` (columns), when given, to every row of the dense (rows, columns) `matrix`, then
    /// applies max(·, 0) with `relu` (NaN becomes 0, as `relu()`); one vectorized pass.
    static func addBias(_ bias: UnsafePointer<Float>?, relu: Bool, to matrix: UnsafeMutablePointer<Float>,
                        rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = matrix + r * columns
            var j = 0
            while j + 8 <= columns {
                var value = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Float>.self)
                if let bias { value += UnsafeRawPointer(bias + j).loadUnaligned(as: SIMD8<Float>.self) }
                if relu { value = ReLUFunction().vector(value) }
                UnsafeMutableRawPointer(row + j).storeBytes(of: value, as: SIMD8<Float>.self)
                j += 8
            }
            while j < columns {
                var value = row[j]
                if let bias { value += bias[j] }
                row[j] = relu ? ReLUFunction().scalar(value) : value
                j += 1
            }
        }
    }

    /// The GEMM operand for the last two dimensions of a 2-D tensor, copying only if the layout needs it.
    private func operand(_ tensor: Tensor) -> GemmOperand {
        GemmOperand(tensor) ?? GemmOperand(tensor.contiguousStorageView())!
    }

    /// `tensor` as a `(B, rows, columns)` stack of matrices that GEMM can read: the tensor itself when
    /// it is already rank 3 with a readable layout (a transposed view, say), else a dense copy.
    private static func batched(_ tensor: Tensor, _ shape: [Int]) -> Tensor {
        if tensor.rank == 3, GemmOperand(tensor) != nil { return tensor.detached() }
        return noGrad { tensor.contiguousStorageView().reshaped(shape) }
    }
}
