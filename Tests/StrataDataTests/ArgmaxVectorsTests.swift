import StrataCore
import StrataData
import XCTest

/// `ArgmaxVectors`: the argmax experiment's vectors, rounded predictions and error count.
final class ArgmaxVectorsTests: XCTestCase {
    func testEachIndexIsTheRowsLargestValueAndTheStreamIsSeeded() {
        var generator = RandomGenerator(seed: 5)
        let (inputs, argmax) = ArgmaxVectors.make(count: 300, length: 7, generator: &generator)
        XCTAssertEqual(inputs.shape, [300, 7])
        let values = inputs.scalars
        for row in 0..<300 {
            let slice = Array(values[(row * 7)..<(row * 7 + 7)])
            XCTAssertEqual(argmax[row], slice.firstIndex(of: slice.max()!)!)
        }
        XCTAssertTrue(values.allSatisfy { $0 >= 0 && $0 < 1 })
        var again = RandomGenerator(seed: 5)
        XCTAssertEqual(ArgmaxVectors.make(count: 300, length: 7, generator: &again).argmax, argmax)
    }

    func testRoundedIndicesClampAndMarkNonFiniteValues() {
        let outputs = Tensor([-3, 0.4, 0.6, 2.5, 8.9, 1e30, .nan, .infinity])
        XCTAssertEqual(ArgmaxVectors.roundedIndices(outputs, length: 5), [0, 0, 1, 3, 4, 4, -1, -1])
    }

    func testMismatchesAndTargets() {
        XCTAssertEqual(ArgmaxVectors.mismatches([0, 1, 2, -1], [0, 2, 2, 3]), 2)
        XCTAssertEqual(ArgmaxVectors.mismatches([], []), 0)
        XCTAssertEqual(ArgmaxVectors.targets([3, 0, 9]).scalars, [3, 0, 9])
    }
}
