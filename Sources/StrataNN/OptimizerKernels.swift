import StrataCore

/// Chooses between the vectorized C updates of `CStrataKernels` (the default) and the Swift updates
/// on `EightLaneLoop` that they are tested against, and splits an update across threads.
///
/// The C updates exist because Swift's `Float.squareRoot()` keeps errno semantics on Linux and takes
/// square roots one lane at a time; in C, `__builtin_elementwise_sqrt` vectorizes and the loop is
/// compiled for AVX-512 as well as baseline x86-64. `strata-microbench --only optimizers` measures both.
///
/// ```swift
/// OptimizerKernels.run(count: n) { start, end in strata_adagrad_update(p, g, sum, start, end, lr, wd, eps) }
/// ```
public enum OptimizerKernels {
    /// Whether optimizers run the Swift reference updates instead of the C kernels (tests and benchmarks).
    public nonisolated(unsafe) static var useReference = false

    /// Elements per thread below which an update stays on one thread.
    static let minimumPerThread = 1 << 15

    /// Calls `body(start, end)` over `0..<count`, split into ranges whose starts are multiples of 16
    /// elements (one 64-byte cache line), in parallel when the count is large.
    @inline(__always)
    static func run(count: Int, _ body: (_ start: Int, _ end: Int) -> Void) {
        let lines = (count + 15) / 16
        ThreadPolicy.parallelFor(count: lines, minimumPerThread: minimumPerThread / 16) { range in
            body(range.lowerBound * 16, Swift.min(range.upperBound * 16, count))
        }
    }
}
