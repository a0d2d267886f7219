/// Comparisons (results are 0 or 1, not differentiable), selection with `where`, and clamping.
extension Tensor {
    /// 1 where `self > other` (with broadcasting), else 0.
    public func isGreater(_ other: Tensor) -> Tensor { BinaryKernel.apply(GreaterFunction(), self, other, op: "isGreater") }
    /// 1 where `self >= other` (with broadcasting), else 0.
    public func isGreaterOrEqual(_ other: Tensor) -> Tensor {
        BinaryKernel.apply(GreaterOrEqualFunction(), self, other, op: "isGreaterOrEqual")
    }
    /// 1 where `self < other` (with broadcasting), else 0.
    public func isLess(_ other: Tensor) -> Tensor { other.isGreater(self) }
    /// 1 where `self <= other` (with broadcasting), else 0.
    public func isLessOrEqual(_ other: Tensor) -> Tensor { other.isGreaterOrEqual(self) }
    /// 1 where `self == other` (with broadcasting), else 0.
    public func isEqual(_ other: Tensor) -> Tensor { BinaryKernel.apply(EqualFunction(), self, other, op: "isEqual") }

    /// 1 where `self > value`, else 0.
    public func isGreater(_ value: Float) -> Tensor { isGreater(Tensor(value)) }
    /// 1 where `self >= value`, else 0.
    public func isGreaterOrEqual(_ value: Float) -> Tensor { isGreaterOrEqual(Tensor(value)) }
    /// 1 where `self < value`, else 0.
    public func isLess(_ value: Float) -> Tensor { Tensor(value).isGreater(self) }
    /// 1 where `self <= value`, else 0.
    public func isLessOrEqual(_ value: Float) -> Tensor { Tensor(value).isGreaterOrEqual(self) }
    /// 1 where `self == value`, else 0.
    public func isEqual(_ value: Float) -> Tensor { isEqual(Tensor(value)) }

    /// Elements of `a` where `condition` is non-zero and of `b` elsewhere (all three broadcast);
    /// differentiable in `a` and `b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = Broadcast.shape(Broadcast.shape(condition.shape, a.shape, op: "where"), b.shape, op: "where")
        let c = condition.expanded(to: shape).contiguousStorageView()
        let x = a.expanded(to: shape).contiguousStorageView()
        let y = b.expanded(to: shape).contiguousStorageView()
        let result = Tensor(uninitializedShape: shape)
        let pc = c.pointer, px = x.pointer, py = y.pointer, out = result.pointer
        for i in 0..<result.count { out[i] = pc[i] != 0 ? px[i] : py[i] }
        if needsGrad(a, b) {
            let mask = c.isEqual(0).isEqual(0)
            let aShape = a.shape, bShape = b.shape
            result.record("where", [a, b]) { grad in
                [(grad * mask).sum(toShape: aShape), (grad * (1 - mask)).sum(toShape: bShape)]
            }
        }
        return result
    }

    /// Each element limited to `[min, max]`; the gradient flows where the element was inside.
    public func clamped(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
        precondition(lower <= upper, "clamped: min \(lower) is above max \(upper)")
        let result = MapKernel.unary(self, ClampFunction(lower: lower, upper: upper))
        if Tensor.needsGrad(self) {
            let x = detached()
            result.record("clamp", [self], saving: [x]) { grad in
                [MapKernel.binary(grad, x, op: "clamp backward", ClampGradientFunction(lower: lower, upper: upper))]
            }
        }
        return result
    }
}

struct GreaterFunction: BinaryFunction {
    @inline(__always) func scalar(_ a: Float, _ b: Float) -> Float { a > b ? 1 : 0 }
    @inline(__always) func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>(repeating: 0).replacing(with: 1, where: a .> b)
    }
}

struct GreaterOrEqualFunction: BinaryFunction {
    @inline(__always) func scalar(_ a: Float, _ b: Float) -> Float { a >= b ? 1 : 0 }
    @inline(__always) func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>(repeating: 0).replacing(with: 1, where: a .>= b)
    }
}

struct EqualFunction: BinaryFunction {
    @inline(__always) func scalar(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 }
    @inline(__always) func vector(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>(repeating: 0).replacing(with: 1, where: a .== b)
    }
}
