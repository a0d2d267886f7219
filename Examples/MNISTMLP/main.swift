// Trains a 2×512 MLP on MNIST with `fit`, as in the README: swift run -c release mnist-mlp
import Strata

let train = try Dataset.builtin(.mnist, part: .training)
let test = try Dataset.builtin(.mnist, part: .test)
func tensors(_ data: Dataset) -> (x: Tensor, y: Tensor) {
    let batch = DataLoader(data, batchSize: data.count, shuffle: false).batch(0, ofEpoch: 0)
    return (batch.images.reshaped([data.count, 784]), batch.labels)
}
let (x, y) = tensors(train), (testX, testY) = tensors(test)

let model = try Model(inputShape: [784], seed: 42) {
    Dense(512, activation: .relu); Dropout(0.2)
    Dense(512, activation: .relu); Dropout(0.2)
    Dense(10)
}
model.compile(optimizer: RMSprop(learningRate: 1e-3),
              loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: [.accuracy])
print(model.summary())
try model.fit(x: x, y: y, batchSize: 128, epochs: 5, validationSplit: 0.1)
print("test accuracy:", try model.evaluate(x: testX, y: testY)["accuracy"]!)
