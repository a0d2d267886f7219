import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// Output shapes and parameter counts of every layer, checked against Keras's numbers.
final class LayerShapeTests: XCTestCase {
    /// Builds `layer` on `inputShape`, runs a batch of 2 through it, and returns (output shape, parameter count).
    func built(_ layer: any Layer, _ inputShape: [Int], file: StaticString = #filePath, line: UInt = #line) throws
        -> (shape: [Int], parameters: Int) {
        var generator = RandomGenerator(seed: 1)
        let shape = try layer.build(inputShape: inputShape, generator: &generator)
        let output = layer.forward(Tensor.randomNormal([2] + inputShape, seed: 2), training: true)
        XCTAssertEqual(output.shape, [2] + shape, "forward agrees with the built output shape", file: file, line: line)
        return (shape, (layer.parameters + layer.buffers).scalarCount)
    }

    func testRankNetScorerHas6005Parameters() throws {
        let scorer = Sequential {
            Conv2D(8, kernelSize: 5, strides: 2)
            Conv2D(16, kernelSize: 5, strides: 2)
            Flatten()
            Dense(10)
            Dense(1)
        }
        let result = try built(scorer, [1, 28, 28])
        XCTAssertEqual(result.shape, [1])
        XCTAssertEqual(result.parameters, 6005)
        XCTAssertEqual(scorer.outputShapes, [[8, 12, 12], [16, 4, 4], [256], [10], [1]])
    }

    func testSmallMLPOnImageRowsHas9474Parameters() throws {
        let model = Sequential { Dense(28); Dense(28); Flatten(); Dense(10) }
        let result = try built(model, [28, 28])
        XCTAssertEqual(result.shape, [10])
        XCTAssertEqual(result.parameters, 9474)
        XCTAssertEqual(model.outputShapes, [[28, 28], [28, 28], [784], [10]])
    }

    func testArgmaxResidualMLPHas3821Parameters() throws {
        let model = Sequential {
            for _ in 0..<3 {
                Residual { Dense(60, activation: .relu); Dense(10) }
            }
            Dense(1)
        }
        let result = try built(model, [10])
        XCTAssertEqual(result.shape, [1])
        XCTAssertEqual(result.parameters, 3821)
    }

    func testEveryLayerShapeAndCount() throws {
        let cases: [(String, any Layer, [Int], [Int], Int)] = [
            ("Dense", Dense(4), [3], [4], 16),
            ("Dense no bias", Dense(4, useBias: false), [3], [4], 12),
            ("Conv2D same", Conv2D(6, kernelSize: 3, padding: .same), [2, 7, 7], [6, 7, 7], 6 * 2 * 9 + 6),
            ("Conv2D same stride 2", Conv2D(4, kernelSize: 3, strides: 2, padding: .same), [2, 8, 8], [4, 4, 4], 4 * 2 * 9 + 4),
            ("Conv2D groups", Conv2D(4, kernelSize: 3, groups: 2), [2, 5, 5], [4, 3, 3], 4 * 1 * 9 + 4),
            ("Conv2D dilation", Conv2D(3, kernelSize: 3, dilation: 2), [1, 9, 9], [3, 5, 5], 3 * 9 + 3),
            ("Conv2D no bias", Conv2D(3, kernelSize: (1, 3), useBias: false), [2, 4, 6], [3, 4, 4], 3 * 2 * 3),
            ("MaxPool2D", MaxPool2D(2), [3, 8, 8], [3, 4, 4], 0),
            ("MaxPool2D same odd", MaxPool2D(2, padding: .same), [3, 7, 7], [3, 4, 4], 0),
            ("MaxPool2D 3 stride 2", MaxPool2D(poolSize: (3, 3), strides: (2, 2)), [1, 9, 9], [1, 4, 4], 0),
            ("AveragePool2D", AveragePool2D(2), [3, 6, 6], [3, 3, 3], 0),
            ("GlobalAveragePool2D", GlobalAveragePool2D(), [5, 4, 4], [5], 0),
            ("Flatten", Flatten(), [2, 3, 4], [24], 0),
            ("Reshape", Reshape([4, -1]), [2, 3, 4], [4, 6], 0),
            ("Dropout", Dropout(0.5), [7], [7], 0),
            ("BatchNormalization 4-D", BatchNormalization(), [3, 4, 4], [3, 4, 4], 12),
            ("BatchNormalization 2-D", BatchNormalization(), [5], [5], 20),
            ("ReLU", ReLU(), [3], [3], 0), ("LeakyReLU", LeakyReLU(), [3], [3], 0), ("ELU", ELU(), [3], [3], 0),
            ("GELU", GELU(), [3], [3], 0), ("Sigmoid", Sigmoid(), [3], [3], 0), ("Tanh", Tanh(), [3], [3], 0),
            ("Softmax", Softmax(), [3], [3], 0),
            ("Lambda", Lambda(outputShape: { [$0[0] * 2] }) { Tensor.concatenate([$0, $0], axis: 1) }, [3], [6], 0),
            ("Residual projection", Residual(shortcut: Conv2D(4, kernelSize: 1, strides: 2)) {
                Conv2D(4, kernelSize: 3, strides: 2, padding: .same)
            }, [2, 8, 8], [4, 4, 4], (4 * 2 * 9 + 4) + (4 * 2 + 4)),
            ("Concatenate", Concatenate {
                Conv2D(3, kernelSize: 1)
                Sequential { Conv2D(2, kernelSize: 1); Conv2D(4, kernelSize: 3, padding: .same) }
                MaxPool2D(poolSize: (3, 3), strides: (1, 1), padding: .same)
            }, [2, 5, 5], [9, 5, 5], (3 * 2 + 3) + (2 * 2 + 2) + (4 * 2 * 9 + 4)),
        ]
        for (name, layer, input, expectedShape, expectedCount) in cases {
            let result = try built(layer, input)
            XCTAssertEqual(result.shape, expectedShape, name)
            XCTAssertEqual(result.parameters, expectedCount, name)
        }
    }

    func testNamesAreUniqueAndStable() throws {
        let model = Sequential {
            Conv2D(4, kernelSize: 3)
            Residual { Conv2D(4, kernelSize: 3, padding: .same) }
            Flatten()
            Dense(8)
            Dense(2)
        }
        _ = try built(model, [1, 6, 6])
        XCTAssertEqual(model.name, "sequential")
        XCTAssertEqual(model.layers.map(\.name), ["conv2d", "residual", "flatten", "dense", "dense_1"])
        XCTAssertEqual(model.parameters.map(\.name), [
            "conv2d.kernel", "conv2d.bias", "residual.sequential_1.conv2d_1.kernel", "residual.sequential_1.conv2d_1.bias",
            "dense.kernel", "dense.bias", "dense_1.kernel", "dense_1.bias",
        ])
    }

    func testDenseActsOnTheLastAxisLikeKeras() throws {
        let dense = Dense(3)
        var generator = RandomGenerator(seed: 4)
        _ = try dense.build(inputShape: [2, 5], generator: &generator)
        let x = Tensor.randomNormal([4, 2, 5], seed: 5)
        let y = dense(x)
        let row = x.slice(axis: 0, 1..<2).slice(axis: 1, 1..<2).reshaped([1, 5])
        assertClose(y.slice(axis: 0, 1..<2).slice(axis: 1, 1..<2).reshaped([1, 3]), row.matmul(dense.kernel!),
                    rtol: 1e-5, atol: 1e-6)
    }

    func testBadInputShapesThrowNamingTheLayer() {
        var generator = RandomGenerator(seed: 1)
        XCTAssertThrowsError(try Conv2D(4, kernelSize: 3).build(inputShape: [28, 28], generator: &generator)) { error in
            XCTAssertTrue("\(error)".contains("(Conv2D): input shape (None, 28, 28) is not valid"), "\(error)")
        }
        XCTAssertThrowsError(try Conv2D(4, kernelSize: 5).build(inputShape: [1, 3, 3], generator: &generator)) { error in
            XCTAssertTrue("\(error)".contains("5×5 window"), "\(error)")
        }
        let mismatch = Residual { Dense(3) }
        XCTAssertThrowsError(try mismatch.build(inputShape: [4], generator: &generator)) { error in
            XCTAssertTrue("\(error)".contains("the block gives (None, 3) but the shortcut gives (None, 4)"), "\(error)")
        }
        XCTAssertThrowsError(try Reshape([5, 5]).build(inputShape: [2, 3], generator: &generator)) { error in
            XCTAssertTrue("\(error)".contains("6 elements"), "\(error)")
        }
    }

    func testDropoutOnlyWhileTrainingAndBatchNormUpdatesMovingStatistics() throws {
        let dropout = Dropout(0.5)
        var generator = RandomGenerator(seed: 1)
        _ = try dropout.build(inputShape: [100], generator: &generator)
        let x = Tensor.ones([2, 100])
        XCTAssertTrue(dropout(x, training: false) === x)
        XCTAssertTrue(dropout(x, training: true).scalars.contains(0))

        let norm = BatchNormalization(momentum: 0.9)
        _ = try norm.build(inputShape: [2], generator: &generator)
        let batch = Tensor([[1, 10], [3, 20]])
        _ = norm(batch, training: true)
        assertClose(norm.movingMean!.scalars, [0.2, 1.5], rtol: 1e-5)
        let inference = norm(batch, training: false)
        XCTAssertEqual(inference.shape, [2, 2])
    }
}
