import StrataCore
import StrataNN
import StrataTrain
import XCTest

/// Plain gradient descent, enough to drive `fit` in these tests.
final class PlainDescent: Optimizer {
    var learningRate: Float
    var gradientClipping: GradientClipping?
    private(set) var iterations = 0
    init(learningRate: Float) { self.learningRate = learningRate }
    func step(_ parameters: [Parameter]) {
        iterations += 1
        for parameter in parameters {
            guard let grad = parameter.tensor.grad else { continue }
            for i in 0..<parameter.tensor.count { parameter.tensor.pointer[i] -= learningRate * grad.pointer[i] }
        }
    }
    func stateDictionary() -> [String: Tensor] { [:] }
    func loadStateDictionary(_ state: [String: Tensor]) throws {}
}

/// Records the order of callback events.
final class EventRecorder: Callback {
    var events: [String] = []
    func onTrainBegin(model: Model, state: TrainingState) { events.append("trainBegin") }
    func onTrainEnd(model: Model, state: TrainingState, logs: Logs) { events.append("trainEnd") }
    func onEpochBegin(model: Model, state: TrainingState) { events.append("epochBegin \(state.epoch)") }
    func onEpochEnd(model: Model, state: TrainingState, logs: Logs) {
        events.append("epochEnd \(state.epoch) \(logs.entries.map(\.name).joined(separator: ","))")
    }
    func onBatchBegin(model: Model, state: TrainingState) { events.append("batchBegin \(state.batch)") }
    func onBatchEnd(model: Model, state: TrainingState, logs: Logs) { events.append("batchEnd \(state.batch)") }
}

final class ModelTests: XCTestCase {
    /// Two separable blobs in 2-D, labelled 0 and 1.
    func blobs(count: Int, seed: UInt64) -> (x: Tensor, y: Tensor) {
        var generator = RandomGenerator(seed: seed)
        var points: [Float] = [], labels: [Float] = []
        for i in 0..<count {
            let label = i % 2
            let center: Float = label == 0 ? -1.5 : 1.5
            points += [center + 0.5 * generator.nextNormal(), center + 0.5 * generator.nextNormal()]
            labels.append(Float(label))
        }
        return (Tensor(shape: [count, 2], scalars: points), Tensor(labels))
    }

    func testSummaryMatchesKerasForTheSmallMLP() throws {
        let model = try Model(inputShape: [28, 28]) { Dense(28); Dense(28); Flatten(); Dense(10) }
        let summary = model.summary()
        XCTAssertTrue(summary.hasPrefix("Model: \"sequential\"\n"))
        XCTAssertTrue(summary.contains(" Layer (type)                Output Shape              Param #"), summary)
        XCTAssertTrue(summary.contains(" dense (Dense)               (None, 28, 28)            812"), summary)
        XCTAssertTrue(summary.contains(" flatten (Flatten)           (None, 784)               0"), summary)
        XCTAssertTrue(summary.contains(" dense_2 (Dense)             (None, 10)                7,850"), summary)
        XCTAssertTrue(summary.contains("Total params: 9,474 (37.01 KB)"), summary)
        XCTAssertTrue(summary.contains("Trainable params: 9,474 (37.01 KB)"), summary)
        XCTAssertTrue(summary.contains("Non-trainable params: 0 (0.00 B)"), summary)
    }

    func testSummaryCountsBatchNormStatisticsAsNonTrainable() throws {
        let model = try Model(inputShape: [1, 8, 8]) {
            Conv2D(4, kernelSize: 3, padding: .same); BatchNormalization(); ReLU(); GlobalAveragePool2D(); Dense(2)
        }
        let summary = model.summary()
        XCTAssertTrue(summary.contains("batch_normalization (BatchNormalization)"), summary)
        XCTAssertTrue(summary.contains("Total params: 66 (264.00 B)"), summary)
        XCTAssertTrue(summary.contains("Trainable params: 58 (232.00 B)"), summary)
        XCTAssertTrue(summary.contains("Non-trainable params: 8 (32.00 B)"), summary)
    }

    func testFitLearnsSeparableBlobsAndReportsHistory() throws {
        let data = blobs(count: 200, seed: 1)
        let model = try Model(inputShape: [2], seed: 3) { Dense(8, activation: .relu); Dense(2) }
        model.compile(optimizer: PlainDescent(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: [.accuracy])
        let history = try model.fit(x: data.x, y: data.y, batchSize: 20, epochs: 10, validationSplit: 0.2, verbose: false)
        XCTAssertEqual(history.epochs, Array(1...10))
        XCTAssertEqual(history.names, ["loss", "accuracy", "val_loss", "val_accuracy"])
        XCTAssertLessThan(history["loss"].last!, history["loss"].first!)
        XCTAssertGreaterThan(history["val_accuracy"].last!, 0.95)
        let evaluation = try model.evaluate(x: data.x, y: data.y)
        XCTAssertGreaterThan(evaluation["accuracy"]!, 0.95)
        XCTAssertEqual(model.predict(data.x, batchSize: 64).shape, [200, 2])
    }

    func testCallbacksFireInOrder() throws {
        let data = blobs(count: 8, seed: 2)
        let model = try Model(inputShape: [2]) { Dense(2) }
        model.compile(optimizer: PlainDescent(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true))
        let recorder = EventRecorder()
        try model.fit(x: data.x, y: data.y, batchSize: 4, epochs: 2, validationData: (data.x, data.y),
                      callbacks: [recorder], verbose: false)
        XCTAssertEqual(recorder.events, [
            "trainBegin",
            "epochBegin 0", "batchBegin 0", "batchEnd 0", "batchBegin 1", "batchEnd 1", "epochEnd 0 loss,val_loss",
            "epochBegin 1", "batchBegin 0", "batchEnd 0", "batchBegin 1", "batchEnd 1", "epochEnd 1 loss,val_loss",
            "trainEnd",
        ])
    }

    func testSameSeedGivesBitIdenticalWeights() throws {
        func train() throws -> [Float] {
            let data = blobs(count: 64, seed: 5)
            let model = try Model(inputShape: [2], seed: 9) { Dense(16, activation: .relu); Dropout(0.3); Dense(2) }
            model.compile(optimizer: PlainDescent(learningRate: 0.05), loss: SparseCategoricalCrossentropy(fromLogits: true))
            try model.fit(x: data.x, y: data.y, batchSize: 8, epochs: 3, verbose: false)
            return model.parameters.flatMap { $0.tensor.scalars }
        }
        XCTAssertEqual(try train(), try train())
    }

    func testBadFitRequestsThrowClearErrors() throws {
        let data = blobs(count: 10, seed: 1)
        let model = try Model(inputShape: [2]) { Dense(2) }
        XCTAssertThrowsError(try model.fit(x: data.x, y: data.y, verbose: false)) { error in
            XCTAssertTrue("\(error)".contains("compile(optimizer:loss:metrics:)"), "\(error)")
        }
        model.compile(optimizer: PlainDescent(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true))
        XCTAssertThrowsError(try model.fit(x: data.x, y: data.y, batchSize: 11, verbose: false)) { error in
            XCTAssertTrue("\(error)".contains("batch size 11 must be between 1 and the 10 training examples"), "\(error)")
        }
        XCTAssertThrowsError(try model.fit(x: data.x, y: Tensor([1, 0]), verbose: false)) { error in
            XCTAssertTrue("\(error)".contains("different numbers of examples"), "\(error)")
        }
    }
}
