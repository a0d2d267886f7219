import StrataCore
import StrataNN
@testable import StrataTrain
import XCTest

final class ProgressBarTests: XCTestCase {
    func testNonTerminalOutputIsOneKerasLinePerEpoch() throws {
        var output = ""
        let bar = ProgressBar(isTerminal: false) { output += $0 }
        let model = try Model(inputShape: [2]) { Dense(2) }
        model.compile(optimizer: PlainDescent(learningRate: 0.1), loss: SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: [.accuracy])
        let x = Tensor.randomNormal([40, 2], seed: 1), y = Tensor((0..<40).map { Float($0 % 2) })
        try model.fit(x: x, y: y, batchSize: 10, epochs: 2, validationData: (x, y), callbacks: [bar], verbose: false)
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4, output)
        XCTAssertEqual(lines[0], "Epoch 1/2")
        let pattern = #"^4/4 \[==============================\] - \d+s \d+(us|ms|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$"#
        XCTAssertNotNil(lines[1].range(of: pattern, options: .regularExpression), lines[1])
        XCTAssertEqual(lines[2], "Epoch 2/2")
    }

    func testBarShapesAndNumberFormats() {
        let bar = ProgressBar(isTerminal: true) { _ in }
        XCTAssertEqual(bar.progressLine(done: 128, total: 422), "128/422 [========>.....................]")
        XCTAssertEqual(bar.progressLine(done: 1, total: 422), "  1/422 [>.............................]")
        XCTAssertEqual(bar.progressLine(done: 422, total: 422), "422/422 [==============================]")
        var logs = Logs()
        logs["loss"] = 0.11514
        logs["lr"] = 0.0001
        XCTAssertEqual(ProgressBar.format(logs), " - loss: 0.1151 - lr: 1.0000e-04")
        XCTAssertEqual(ProgressBar.stepTime(0.029), "29ms")
        XCTAssertEqual(ProgressBar.stepTime(0.00031), "310us")
        XCTAssertEqual(ProgressBar.duration(13.2), "13s")
        XCTAssertEqual(ProgressBar.duration(75), "1:15")
    }
}
