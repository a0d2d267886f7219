import Foundation
import StrataCore
import StrataExperiments
import StrataImport
import StrataInterop
import StrataNN
import StrataTestSupport
import StrataTrain
import XCTest

/// `Model.loadWeights` with the built-in and JSON mappings, on tiny hand-made models and files.
final class WeightImportTests: XCTestCase {
    private func ramp(_ shape: [Int], from start: Float = 0) -> Tensor {
        Tensor(shape: shape, scalars: (0..<Tensor.elementCount(shape)).map { start + Float($0) })
    }

    /// A missing tensor, an unexpected one, two of the wrong shape and an unmapped parameter are all
    /// reported in one error that names the file.
    func testEveryMismatchIsReportedAtOnce() throws {
        let model = try Model(inputShape: [4]) { Dense(3, activation: .relu); Dense(2) }
        let mapping = try WeightMapping.pytorch(for: model.network, inputShape: model.inputShape)
        XCTAssertEqual(mapping.entries["dense.kernel"], .init("0.weight", transform: .transpose))
        XCTAssertEqual(mapping.entries["dense_1.bias"], .init("2.bias"))
        let tensors = ["0.weight": ramp([4, 3]),            // transposed: PyTorch stores (out, in) = (3, 4)
                       "0.bias": ramp([3]),
                       "2.weight": ramp([2, 3]),
                       "2.bias": ramp([5]),
                       "3.weight": ramp([1])]                // no such layer; 0.bias is fine
        let before = model.parameters.map(\.tensor.scalars)
        XCTAssertThrowsError(try model.loadWeights(tensors, mapping: mapping, source: "weights.safetensors")) { error in
            guard case let WeightImportError.mismatch(path, faults) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "weights.safetensors")
            XCTAssertEqual(faults, [
                .shapeMismatch(parameter: "dense.kernel", source: "0.weight", expected: [3, 4], found: [4, 3],
                               parameterShape: [4, 3]),
                .shapeMismatch(parameter: "dense_1.bias", source: "2.bias", expected: [2], found: [5], parameterShape: [2]),
                .unexpected(source: "3.weight"),
            ])
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("weights.safetensors: 3 tensors do not fit the model"), message)
            XCTAssertTrue(message.contains("'0.weight' is (4, 3) but dense.kernel (4, 3) needs (3, 4)"), message)
        }
        XCTAssertEqual(model.parameters.map(\.tensor.scalars), before, "nothing changes when anything is at fault")

        var partial = mapping
        partial.entries["dense_1.kernel"] = nil
        partial.entries["nonexistent.kernel"] = .init("x")
        XCTAssertThrowsError(try model.loadWeights([:], mapping: partial, source: "empty.safetensors")) { error in
            guard case let WeightImportError.mismatch(_, faults) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(faults, [.missing(parameter: "dense.kernel", source: "0.weight"),
                                    .missing(parameter: "dense.bias", source: "0.bias"),
                                    .unmapped(parameter: "dense_1.kernel"),
                                    .missing(parameter: "dense_1.bias", source: "2.bias"),
                                    .unknownParameter(parameter: "nonexistent.kernel")])
        }
    }

    /// A JSON mapping names the sources and transforms; `ignore` skips tensors by suffix.
    func testCustomJSONMapping() throws {
        let json = """
            {"tensors": {"dense.kernel": {"source": "fc.w", "transform": "transpose"}, "dense.bias": "fc.b"},
             "ignore": [".step"]}
            """
        let mapping = try WeightMapping.decode(Data(json.utf8), path: "map.json")
        XCTAssertEqual(mapping.entries, ["dense.kernel": .init("fc.w", transform: .transpose), "dense.bias": .init("fc.b")])
        XCTAssertEqual(try WeightMapping.decode(try mapping.jsonData(), path: "again"), mapping)
        let model = try Model(inputShape: [3]) { Dense(2) }
        let weight = ramp([2, 3])   // (out, in)
        try model.loadWeights(["fc.w": weight, "fc.b": ramp([2], from: 10), "optimizer.step": ramp([1])], mapping: mapping)
        let dense = try XCTUnwrap(model.network.sublayers.first as? Dense)
        XCTAssertEqual(dense.kernel?.shape, [3, 2])
        XCTAssertEqual(dense.kernel?.scalars, [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(dense.bias?.scalars, [10, 11])

        for (text, fragment) in [("[]", "not a JSON object"), (#"{"tensors": 3}"#, "\"tensors\" must be an object"),
                                 (#"{"tensors": {}, "extra": 1}"#, "unknown key extra"),
                                 (#"{"tensors": {"a": {"source": "b", "transform": "flip"}}}"#, "unknown transform 'flip'")] {
            XCTAssertThrowsError(try WeightMapping.decode(Data(text.utf8), path: "bad.json")) { error in
                XCTAssertTrue("\(error)".hasPrefix("weight mapping bad.json: "), "\(error)")
                XCTAssertTrue("\(error)".contains(fragment), "\(error)")
            }
        }
    }

    /// A Keras Dense after Flatten of channels-last `(H, W, C)` maps gets its rows in Strata's `(C, H, W)` order.
    func testNHWCFlattenRowsArePermuted() throws {
        // Maps (C, H, W) = (2, 1, 2): Strata flattens c0(w0, w1), c1(w0, w1); Keras flattens w0(c0, c1), w1(c0, c1).
        let keras = Tensor(shape: [4, 1], scalars: [10, 20, 11, 21])   // row = (w·C + c): w0c0, w0c1, w1c0, w1c1
        let strata = WeightTransform.nhwcFlattenRows(channels: 2, height: 1, width: 2).apply(keras)
        XCTAssertEqual(strata.scalars, [10, 11, 20, 21])                // row = (c·W + w): c0w0, c0w1, c1w0, c1w1

        // End to end: a Keras-style model and the same computation done by hand in NHWC order.
        let model = try Model(inputShape: [2, 2, 3], seed: 1) {
            Conv2D(3, kernelSize: 1); Flatten(); Dense(2)
        }
        let mapping = try WeightMapping.keras(for: model.network, inputShape: model.inputShape)
        XCTAssertEqual(mapping.entries["dense.kernel"]?.transform, .nhwcFlattenRows(channels: 3, height: 2, width: 3))
        XCTAssertEqual(mapping.entries["conv2d.kernel"]?.transform, .hwioToOIHW)
        let hwio = ramp([1, 1, 2, 3], from: 1)                        // (KH, KW, in, out)
        let denseKernel = ramp([18, 2], from: -9)                     // rows in (h, w, c) order
        try model.loadWeights(["conv2d/kernel": hwio, "conv2d/bias": ramp([3]), "dense/kernel": denseKernel,
                               "dense/bias": ramp([2])], mapping: mapping)
        let input = ramp([1, 2, 2, 3])                                // (N, C, H, W)
        // By hand: the 1×1 conv per pixel, flattened channels last, times the kernel as stored.
        var flat: [Float] = []
        for h in 0..<2 { for w in 0..<3 { for o in 0..<3 {
            var sum = Float(o)
            for c in 0..<2 { sum += input.scalars[(c * 2 + h) * 3 + w] * hwio.scalars[c * 3 + o] }
            flat.append(sum)
        } } }
        let expected = (0..<2).map { u in (0..<18).reduce(Float(u)) { $0 + flat[$1] * denseKernel.scalars[$1 * 2 + u] } }
        assertClose(model.predict(input).scalars, expected, rtol: 1e-5, atol: 1e-4)
    }

    /// PyTorch's BatchNorm weight, bias, running mean and variance land in gamma, beta and the moving
    /// statistics; `num_batches_tracked` is ignored; the catalog builds PyTorch models with ε 1e-5.
    func testBatchNormParametersCarriedOver() throws {
        let options = WeightImport.modelOptions(for: "vgg", source: .pytorch)
        XCTAssertEqual(options.batchNormEpsilon, 1e-5)
        XCTAssertEqual(options.batchNormMomentum, 0.9)
        XCTAssertEqual(WeightImport.modelOptions(for: "vgg", source: .keras).samePadding, .sameKeras)
        XCTAssertEqual(WeightImport.modelOptions(for: "cnn", source: .keras), ModelOptions())

        let normalization = BatchNormalization(momentum: 0.9, epsilon: 1e-5)
        let model = try Model(Sequential([Conv2D(2, kernelSize: 1, useBias: false), normalization, ReLU()]),
                              inputShape: [1, 2, 2])
        let mapping = try WeightMapping.pytorch(for: model.network, inputShape: model.inputShape)
        let tensors = ["0.weight": Tensor(shape: [2, 1, 1, 1], scalars: [1, 2]),
                       "1.weight": Tensor(shape: [2], scalars: [3, 4]), "1.bias": Tensor(shape: [2], scalars: [5, 6]),
                       "1.running_mean": Tensor(shape: [2], scalars: [0.5, -1]),
                       "1.running_var": Tensor(shape: [2], scalars: [4, 9]),
                       "1.num_batches_tracked": Tensor(shape: [], scalars: [100])]
        try model.loadWeights(tensors, mapping: mapping)
        XCTAssertEqual(normalization.gamma?.scalars, [3, 4])
        XCTAssertEqual(normalization.beta?.scalars, [5, 6])
        XCTAssertEqual(normalization.movingMean?.scalars, [0.5, -1])
        XCTAssertEqual(normalization.movingVariance?.scalars, [4, 9])
        let output = model.predict(Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, -4]))
        let expected: [Float] = [1, 2, 3, -4].map { max(3 * ($0 - 0.5) / (4 + 1e-5).squareRoot() + 5, 0) }
            + [1, 2, 3, -4].map { max(4 * (2 * $0 + 1) / (9 + 1e-5).squareRoot() + 6, 0) }
        assertClose(output.scalars, expected, rtol: 1e-5, atol: 1e-5)
    }

    /// The built-in mappings refuse containers they cannot number, naming the layer.
    func testBuiltinMappingRefusesNestedLayers() throws {
        let model = try Model(inputShape: [1, 4, 4]) { Residual { Conv2D(1, kernelSize: 3, padding: .same) } }
        XCTAssertThrowsError(try WeightMapping.pytorch(for: model.network, inputShape: model.inputShape)) { error in
            XCTAssertTrue("\(error)".contains("does not know layer residual (Residual)"), "\(error)")
        }
    }

    /// A file that is not safetensors is refused naming it.
    func testNotASafetensorsFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-not-weights-\(UUID().uuidString).safetensors")
        try Data("hello".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let model = try Model(inputShape: [3]) { Dense(2) }
        XCTAssertThrowsError(try model.loadWeights(from: url, mapping: .pytorch(for: model.network, inputShape: [3]))) { error in
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
        }
    }
}
