/// Elementwise arithmetic with NumPy broadcasting, between tensors and with scalars.
extension Tensor {
    /// Elementwise sum with broadcasting.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = BinaryKernel.apply(AddFunction(), lhs, rhs, op: "add")
        if needsGrad(lhs, rhs) {
            let lhsShape = lhs.shape, rhsShape = rhs.shape
            result.record("add", [lhs, rhs]) { grad in
                [grad.sum(toShape: lhsShape), grad.sum(toShape: rhsShape)]
            }
        }
        return result
    }

    /// max(lhs + rhs, 0) with broadcasting, as `(lhs + rhs).relu()` gives (the same bits, forward and
    /// backward), with the ReLU computed in the sum's own buffer: a residual block's output keeps one
    /// activation until its backward pass instead of two.
    public static func addReLU(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        let result = BinaryKernel.apply(AddFunction(), lhs, rhs, op: "add")
        MapKernel.unaryInPlace(result.pointer, count: result.count, ReLUFunction())
        if needsGrad(lhs, rhs) {
            let lhsShape = lhs.shape, rhsShape = rhs.shape, output = result.detached()
            result.record("add+relu", [lhs, rhs], saving: [output]) { grad in
                let masked = MapKernel.binary(grad, output, op: "add+relu backward", ReLUGradientFunction())
                return [masked.sum(toShape: lhsShape), masked.sum(toShape: rhsShape)]
            }
        }
        return result
    }

    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = BinaryKernel.apply(SubtractFunction(), lhs, rhs, op: "subtract")
        if needsGrad(lhs, rhs) {
            let lhsShape = lhs.shape, rhsShape = rhs.shape, rhsNeeds = rhs.requiresGrad
            result.record("subtract", [lhs, rhs]) { grad in
                [grad.sum(toShape: lhsShape), rhsNeeds ? (-grad).sum(toShape: rhsShape) : nil]
            }
        }
        return result
    }

    /// Elementwise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = BinaryKernel.apply(MultiplyFunction(), lhs, rhs, op: "multiply")
        if needsGrad(lhs, rhs) {
            let a = lhs.detached(), b = rhs.detached()
            let lhsNeeds = lhs.requiresGrad, rhsNeeds = rhs.requiresGrad
            result.record("multiply", [lhs, rhs], saving: [a, b]) { grad in
                [lhsNeeds ? (grad * b).sum(toShape: a.shape) : nil,
                 rhsNeeds ? (grad * a).sum(toShape: b.shape) : nil]
            }
        }
        return result
    }

    /// Elementwise quotient with broadcasting.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor {
        let result = BinaryKernel.apply(DivideFunction(), lhs, rhs, op: "divide")
        if needsGrad(lhs, rhs) {
            let a = lhs.detached(), b = rhs.detached()
            let lhsNeeds = lhs.requiresGrad, rhsNeeds = rhs.requiresGrad
            result.record("divide", [lhs, rhs], saving: [a, b]) { grad in
                [lhsNeeds ? (grad / b).sum(toShape: a.shape) : nil,
                 rhsNeeds ? (-(grad * a) / (b * b)).sum(toShape: b.shape) : nil]
            }
        }
        return result
    }

    /// The elementwise larger of two tensors (ties send the gradient to `lhs`).
    public static func maximum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        let result = BinaryKernel.apply(MaximumFunction(), lhs, rhs, op: "maximum")
        if needsGrad(lhs, rhs) {
            let a = lhs.detached(), b = rhs.detached()
            result.record("maximum", [lhs, rhs], saving: [a, b]) { grad in
                let takeLeft = a.isGreaterOrEqual(b)
                return [(grad * takeLeft).sum(toShape: a.shape), (grad * (1 - takeLeft)).sum(toShape: b.shape)]
            }
        }
        return result
    }

    /// The elementwise smaller of two tensors (ties send the gradient to `lhs`).
    public static func minimum(_ lhs: Tensor, _ rhs: Tensor) -> Tensor {
        let result = BinaryKernel.apply(MinimumFunction(), lhs, rhs, op: "minimum")
        if needsGrad(lhs, rhs) {
            let a = lhs.detached(), b = rhs.detached()
            result.record("minimum", [lhs, rhs], saving: [a, b]) { grad in
                let takeLeft = a.isLessOrEqual(b)
                return [(grad * takeLeft).sum(toShape: a.shape), (grad * (1 - takeLeft)).sum(toShape: b.shape)]
            }
        }
        return result
    }

    /// Adds a scalar to every element.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor { lhs + Tensor(rhs) }
    /// Adds a scalar to every element.
    public static func + (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) + rhs }
    /// Subtracts a scalar from every element.
    public static func - (lhs: Tensor, rhs: Float) -> Tensor { lhs - Tensor(rhs) }
    /// Subtracts every element from a scalar.
    public static func - (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) - rhs }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Tensor, rhs: Float) -> Tensor { lhs * Tensor(rhs) }
    /// Multiplies every element by a scalar.
    public static func * (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) * rhs }
    /// Divides every element by a scalar.
    public static func / (lhs: Tensor, rhs: Float) -> Tensor { lhs * Tensor(1 / rhs) }
    /// Divides a scalar by every element.
    public static func / (lhs: Float, rhs: Tensor) -> Tensor { Tensor(lhs) / rhs }

    /// Adds `other` (same shape) into this tensor's elements in place; not recorded on the tape (bumps `version`).
    public func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape, "addInPlace: shapes \(shape) and \(other.shape) differ")
        precondition(isContiguous, "addInPlace: the destination must be dense")
        let source = other.contiguousStorageView()
        let a = pointer, b = source.pointer
        ThreadPolicy.parallelFor(count: count) { range in
            let start = range.lowerBound
            BinaryKernel.vectorVector(AddFunction(), a + start, b + start, a + start, range.count)
        }
        storage.bumpVersion()
    }

    /// Multiplies every element by `factor` in place; not recorded on the tape (bumps `version`).
    public func scaleInPlace(by factor: Float) {
        precondition(isContiguous, "scaleInPlace: the tensor must be dense")
        let a = pointer
        ThreadPolicy.parallelFor(count: count) { range in
            let start = range.lowerBound
            BinaryKernel.vectorScalar(MultiplyFunction(), a + start, factor, a + start, range.count)
        }
        storage.bumpVersion()
    }

    /// Copies the elements of `source` (same shape) into this tensor or view; not recorded on the tape (bumps `version`).
    public func assign(_ source: Tensor) {
        precondition(shape == source.shape, "assign: shapes \(shape) and \(source.shape) differ")
        let dense = source.contiguousStorageView()
        if isContiguous {
            pointer.update(from: dense.pointer, count: count)
        } else {
            StridedCopy.copy(dense.pointer, intoView: self)
        }
        storage.bumpVersion()
    }
}
