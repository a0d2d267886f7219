import StrataCore
import StrataNN
import Testing

/// Embeddings and labels that disagree stop the program with a message naming the loss and the
/// shapes. Each case runs in a child process (a Swift Testing exit test) whose standard error is checked.
@Suite struct MetricLossShapeErrorTests {
    @Test func tripletLossNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = TripletLoss(mining: .semiHard)(predictions: Tensor.zeros([4, 8]), targets: Tensor([0, 1, 0]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("TripletLoss (semiHard): predictions must be embeddings (N, D) and targets their labels (N); got predictions [4, 8] and targets [3]"))
    }

    @Test func contrastiveLossRejectsOneHotTargets() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = ContrastiveLoss()(predictions: Tensor.zeros([2, 8]), targets: Tensor([[1, 0], [0, 1]]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("ContrastiveLoss: predictions must be embeddings (N, D) and targets their labels (N); got predictions [2, 8] and targets [2, 2]"))
    }

    @Test func angularMarginLossNamesTheEmbeddingDimension() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let loss = AngularMarginLoss(kind: .cosFace, classes: 5, dimension: 16)
            _ = loss(predictions: Tensor.zeros([3, 8]), targets: Tensor([0, 1, 2]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("cosface: embeddings must be (N, 16) for weight [5, 16], got [3, 8]"))
    }

    @Test func angularMarginLossNamesALabelOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let loss = AngularMarginLoss(classes: 5, dimension: 4)
            _ = loss(predictions: Tensor.ones([2, 4]), targets: Tensor([1, 7]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("AngularMarginLoss (arcface): label 7 out of range 0..<5"))
    }

    @Test func labelsMustBeWholeNumbers() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = TripletLoss()(predictions: Tensor.zeros([2, 3]), targets: Tensor([0, 1.5]))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("TripletLoss (batchHard): labels must be whole numbers ≥ 0, got 1.5"))
    }
}
