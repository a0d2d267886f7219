import CBLAS
import CDNNL
import Dispatch
import Foundation

/// The one threading policy of the library: OpenBLAS, oneDNN's OpenMP runtime and Strata's own
/// parallel loops all use the same thread count, so they never oversubscribe the cores.
///
/// The count comes from the environment variable `STRATA_THREADS`, else the number of cores;
/// `ThreadPolicy.setThreadCount(_:)` changes it at run time (the command line's `--threads`).
public enum ThreadPolicy {
    private nonisolated(unsafe) static var current: Int = {
        let fromEnvironment = ProcessInfo.processInfo.environment["STRATA_THREADS"].flatMap(Int.init)
        let count = max(1, fromEnvironment ?? ProcessInfo.processInfo.activeProcessorCount)
        apply(count)
        return count
    }()

    /// The number of threads every parallel kernel uses.
    public static var threadCount: Int { current }

    /// Sets the number of threads for OpenBLAS, oneDNN and Strata's loops.
    public static func setThreadCount(_ count: Int) {
        precondition(count >= 1, "ThreadPolicy.setThreadCount: count must be at least 1, got \(count)")
        _ = current
        current = count
        apply(count)
    }

    /// Makes sure the libraries were told the thread count (called before the first kernel).
    @inline(__always)
    static func ensureConfigured() { _ = current }

    private static func apply(_ count: Int) {
        openblas_set_num_threads(Int32(count))
        omp_set_num_threads(Int32(count))
    }

    /// oneDNN work (matrix products, convolutions) with fewer multiply-adds than this runs on one
    /// OpenMP thread. The default follows `STRATA_WAIT_POLICY` (`defaultParallelMultiplyAdds(for:)`).
    public nonisolated(unsafe) static var parallelMultiplyAdds = defaultParallelMultiplyAdds(
        for: (try? WaitPolicy.mode(in: ProcessInfo.processInfo.environment)) ?? WaitPolicy.defaultMode)

    /// The default of `parallelMultiplyAdds` under wait policy `mode`: with passive waiting 4 M, because
    /// waking a sleeping thread costs more than it saves below that (`strata-microbench`, and the two-thread
    /// `mlp-small` and `ranknet` rows of `strata-bench`); with threads that poll before sleeping (a spin
    /// count or `spin`, for a machine of one's own) 0, every step on every thread: on the idle machine
    /// 10,000 polls with 0 beat passive at two threads on every inference model at batch 256, and at
    /// batch 1 on all but `dense128` (docs/performance.md, "spinning threads on a machine of one's own").
    public static func defaultParallelMultiplyAdds(for mode: WaitPolicy.Mode) -> Int {
        mode == .passive ? 1 << 22 : 0
    }

    /// Runs `body` with oneDNN's OpenMP limited to one thread when `multiplyAdds` is below
    /// `parallelMultiplyAdds` (or below `minimum`, for kernels that never gain from threads on less);
    /// otherwise with the full thread count.
    @inline(__always)
    static func forOneDNN<T>(multiplyAdds: Int, minimum: Int = 0, _ body: () -> T) -> T {
        let threads = threadCount
        guard threads > 1 && multiplyAdds < Swift.max(parallelMultiplyAdds, minimum) else { return body() }
        omp_set_num_threads(1)
        defer { omp_set_num_threads(Int32(threads)) }
        return body()
    }

    /// Runs `body` over `0..<count` split into at most `threadCount` contiguous ranges, in parallel
    /// when the work is large enough (`count >= minimumPerThread * 2`).
    @inline(__always)
    public static func parallelFor(count: Int, minimumPerThread: Int = 1 << 16,
                                   _ body: (Range<Int>) -> Void) {
        let threads = min(threadCount, count / max(minimumPerThread, 1))
        if threads <= 1 {
            body(0..<count)
            return
        }
        let chunk = (count + threads - 1) / threads
        DispatchQueue.concurrentPerform(iterations: threads) { part in
            let start = part * chunk
            let end = min(start + chunk, count)
            if start < end { body(start..<end) }
        }
    }
}
