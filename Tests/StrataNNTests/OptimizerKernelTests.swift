import StrataCore
import StrataNN
import XCTest

/// The fused update loops split large parameters across threads and into eight-lane groups; every
/// element must still be updated exactly as when the same values are small parameters, which take only
/// the padded last-group path (the path the PyTorch comparisons check element by element).
final class OptimizerKernelTests: XCTestCase {
    private let factories: [(String, () -> any Optimizer)] = [
        ("SGD", { SGD(learningRate: 0.1, weightDecay: 0.01) }),
        ("SGD Nesterov", { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true) }),
        ("Adam AMSGrad", { Adam(learningRate: 0.01, weightDecay: 0.1, amsgrad: true) }),
        ("AdamW", { AdamW(learningRate: 0.01) }),
        ("RMSprop", { RMSprop(learningRate: 0.01) }),
        ("RMSprop centered momentum", { RMSprop(learningRate: 0.01, momentum: 0.9, centered: true) }),
        ("Adagrad", { Adagrad(learningRate: 0.1, initialAccumulator: 0.1) }),
    ]

    func testLargeParametersUpdateLikeSmallOnes() {
        // Enough elements for two threads (the loops split at 2 × 32 768), and not a multiple of 8.
        let threads = ThreadPolicy.threadCount
        ThreadPolicy.setThreadCount(Swift.max(threads, 2))
        defer { ThreadPolicy.setThreadCount(threads) }
        let count = 65_536 + 4_099
        let chunk = 7
        let initial = Tensor.randomNormal([count], seed: 11)
        let gradients = (0..<3).map { Tensor.randomNormal([count], seed: 20 + UInt64($0)) }
        for (label, factory) in factories {
            let large = Parameter(name: "large", tensor: initial.copy())
            let small = stride(from: 0, to: count, by: chunk).map { start in
                let end = min(start + chunk, count)
                let values = Array(initial.scalars[start..<end])
                return Parameter(name: "chunk.\(start)", tensor: Tensor(values))
            }
            let largeOptimizer = factory(), smallOptimizer = factory()
            for gradient in gradients {
                large.tensor.grad = gradient.copy()
                let scalars = gradient.scalars
                for parameter in small {
                    let start = Int(parameter.name.dropFirst("chunk.".count))!
                    parameter.tensor.grad = Tensor(Array(scalars[start..<start + parameter.tensor.count]))
                }
                largeOptimizer.step([large])
                smallOptimizer.step(small)
            }
            let expected = small.flatMap(\.tensor.scalars)
            let actual = large.tensor.scalars
            let firstDifference = actual.indices.first { actual[$0] != expected[$0] }
            XCTAssertNil(firstDifference, "\(label): element \(firstDifference ?? -1) differs")
        }
    }

    /// The C updates (`CStrataKernels`, vectorized, possibly AVX-512) give the same bits as the Swift
    /// reference updates they replace, on one thread and split across two, over three steps.
    func testVectorizedUpdatesMatchTheSwiftReference() {
        let threads = ThreadPolicy.threadCount
        ThreadPolicy.setThreadCount(Swift.max(threads, 2))
        defer { ThreadPolicy.setThreadCount(threads); OptimizerKernels.useReference = false }
        let cases: [(String, () -> any Optimizer)] = factories + [
            ("Adam", { Adam(learningRate: 0.01) }),
            ("RMSprop momentum", { RMSprop(learningRate: 0.01, momentum: 0.9) }),
            ("RMSprop centered", { RMSprop(learningRate: 0.01, centered: true, weightDecay: 0.01) }),
        ]
        for count in [1, 15, 16, 1_003, 65_536 + 4_099] {
            let initial = Tensor.randomNormal([count], seed: 31)
            let gradients = (0..<3).map { Tensor.randomNormal([count], seed: 40 + UInt64($0)) }
            for (label, factory) in cases {
                var results: [[Float]] = []
                for reference in [true, false] {
                    OptimizerKernels.useReference = reference
                    let parameter = Parameter(name: "p", tensor: initial.copy())
                    let optimizer = factory()
                    for gradient in gradients {
                        parameter.tensor.grad = gradient.copy()
                        optimizer.step([parameter])
                    }
                    results.append(parameter.tensor.scalars)
                }
                let firstDifference = results[0].indices.first { results[0][$0] != results[1][$0] }
                XCTAssertNil(firstDifference, "\(label), \(count) elements: element \(firstDifference ?? -1) differs")
            }
        }
    }
}
