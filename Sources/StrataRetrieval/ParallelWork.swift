import CDNNL
import Dispatch
import StrataCore

/// Work split into parts that run side by side on `ThreadPolicy.threadCount` threads, each part on
/// one thread whose oneDNN products are single-threaded (so parts never oversubscribe the cores).
enum ParallelWork {
    /// The number of parts worth making for `work` units when a part should hold at least
    /// `minimumPerPart` of them: between 1 and the thread count.
    static func partCount(work: Int, minimumPerPart: Int) -> Int {
        max(1, min(ThreadPolicy.threadCount, work / max(minimumPerPart, 1)))
    }

    /// The `part`-th of `parts` nearly equal contiguous slices of `0..<count`.
    static func slice(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        (count * part / parts) ..< (count * (part + 1) / parts)
    }

    /// Runs `body(part)` for every part in `0..<parts` on at most `ThreadPolicy.threadCount` threads:
    /// worker `w` of `W` takes parts `w`, `w + W`, …, with its OpenMP (oneDNN) thread count set to 1
    /// for the duration and restored after; with one thread (or one part) on the calling thread.
    static func run(parts: Int, _ body: (Int) -> Void) {
        let threads = ThreadPolicy.threadCount
        let workers = min(parts, threads)
        if workers <= 1 {
            for part in 0..<parts { body(part) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // GNU OpenMP keeps the thread count per calling thread, so this affects this worker only.
            omp_set_num_threads(1)
            for part in stride(from: worker, to: parts, by: workers) { body(part) }
            omp_set_num_threads(Int32(threads))
        }
    }
}
