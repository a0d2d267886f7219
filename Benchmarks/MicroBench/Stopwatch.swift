import Foundation

/// Times a closure: runs it once to warm up, then repeatedly for at least `minimumSeconds`,
/// and reports the median time of one run.
struct Stopwatch {
    /// The shortest total time to spend measuring one case.
    var minimumSeconds = 0.5
    /// The fewest timed runs of one case.
    var minimumRuns = 5

    /// The median wall time of one call of `body`, in seconds.
    func median(_ body: () throws -> Void) rethrows -> Double {
        try body()
        var samples: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        while samples.count < minimumRuns
            || Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < minimumSeconds {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}
