import StrataCore
import Testing

/// A shape mismatch stops the program with a message that names the op and both shapes.
/// Each case runs in a child process (a Swift Testing exit test) whose standard error is checked.
@Suite struct ShapeErrorTests {
    @Test func broadcastMismatchNamesOpAndShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("add: shapes [2, 3] and [4] cannot be broadcast"))
    }

    @Test func matmulMismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("matmul: inner dimensions differ: [2, 3] and [4, 5]"))
    }

    @Test func reshapeMismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshaped([4, 2])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("reshaped: cannot reshape [2, 3]"))
        #expect(message.contains("[4, 2]"))
    }

    @Test func lossWithWrongLabelCountNamesShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.softmaxCrossEntropy(logits: Tensor.zeros([3, 10]), labels: [1, 2])
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("softmaxCrossEntropy: 2 labels for logits [3, 10]"))
    }

    @Test func linearMismatchNamesInputAndWeight() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 5]).linear(weight: Tensor.zeros([4, 3]), bias: nil)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("linear: input [2, 5] does not match weight [4, 3]"))
    }
}
