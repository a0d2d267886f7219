// The getting-started article's code (Sources/Strata/Strata.docc/GettingStarted.md): swift run -c release getting-started
import Foundation
import Strata

// MNIST as tensors: images (N, 784) with pixels in [0, 1], labels (N).
func tensors(_ data: Dataset) -> (x: Tensor, y: Tensor) {
    let batch = DataLoader(data, batchSize: data.count, shuffle: false).batch(0, ofEpoch: 0)
    return (batch.images.reshaped([data.count, 784]), batch.labels)
}
let (x, y) = tensors(try Dataset.builtin(.mnist, part: .training))
let (testX, testY) = tensors(try Dataset.builtin(.mnist, part: .test))

// A small MLP, trained for two epochs and evaluated on the test images.
func makeModel() throws -> Model {
    try Model(inputShape: [784], seed: 42) {
        Dense(128, activation: .relu)
        Dense(10)
    }
}
let model = try makeModel()
model.compile(optimizer: Adam(learningRate: 1e-3),
              loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
try model.fit(x: x, y: y, batchSize: 128, epochs: 2, validationSplit: 0.1)
print("test accuracy:", try model.evaluate(x: testX, y: testY)["accuracy"]!)

// The weights saved as safetensors, loaded into a fresh model, and the model exported to ONNX.
let weights = URL(fileURLWithPath: "mnist-mlp.safetensors")
try Checkpoint.save(parameters: model.parameters, buffers: model.buffers, optimizer: nil,
                    progress: TrainingProgress(), to: weights)
let restored = try makeModel()
try Checkpoint.load(from: weights).restore(into: restored.parameters, buffers: restored.buffers)
print("same predictions:", restored.predict(testX).scalars == model.predict(testX).scalars)
try restored.exportONNX(to: URL(fileURLWithPath: "mnist-mlp.onnx"))
