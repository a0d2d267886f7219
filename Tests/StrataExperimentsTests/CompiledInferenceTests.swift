import StrataCore
import StrataExperiments
import StrataNN
import StrataTestSupport
import StrataTrain
import XCTest

/// `Model.predict` through `CompiledInference` (oneDNN layers chained in blocked layouts, batch
/// normalization folded) against the layer-by-layer reference `network.forward(_, training: false)`,
/// for every catalog model and the retrieval embedding network.
final class CompiledInferenceTests: XCTestCase {
    /// Every catalog model and the embedding network, built on 28×28 single-channel images.
    private func models() throws -> [(String, Model)] {
        var models = try ModelCatalog.names.map { name in
            (name, try Model(try ModelCatalog.make(name),
                             inputShape: try ModelCatalog.layout(of: name).shape(channels: 1, height: 28, width: 28),
                             seed: 1))
        }
        var options = RetrievalOptions()
        options.model = "cnn"
        options.dimension = 16
        models.append(("embedding-cnn", try XCTUnwrap(EmbeddingNetwork.make(options, imageShape: [1, 28, 28], seed: 1))))
        return models
    }

    /// Gives every batch normalization non-trivial statistics and scales, so folding them matters.
    private func randomizeNormalization(_ model: Model) {
        var generator = RandomGenerator(seed: 7)
        for parameter in model.parameters + model.buffers {
            let name = parameter.name
            let range: ClosedRange<Float>? = name.hasSuffix("moving_variance") || name.hasSuffix("gamma") ? 0.5...1.5
                : name.hasSuffix("moving_mean") || name.hasSuffix("beta") ? -0.2...0.2 : nil
            guard let range else { continue }
            let tensor = parameter.tensor
            for i in 0..<tensor.count {
                tensor.pointer[i] = range.lowerBound + (range.upperBound - range.lowerBound) * generator.nextUniform()
            }
            tensor.storage.bumpVersion()
        }
    }

    /// Close within 1e-5 relative to each element and to the reference's largest magnitude.
    private func assertMatchesReference(_ model: Model, _ input: Tensor, _ name: String,
                                        file: StaticString = #filePath, line: UInt = #line) {
        let expected = noGrad { model.network.forward(input, training: false) }
        let actual = model.predict(input)
        let scale = expected.scalars.map(abs).max() ?? 0
        assertClose(actual, expected, rtol: 1e-5, atol: 1e-5 * scale, "\(name) batch \(input.shape[0])",
                    file: file, line: line)
    }

    func testEveryCatalogModelMatchesTheLayerByLayerReferenceAtBatchOneAndSix() throws {
        for (name, model) in try models() {
            randomizeNormalization(model)
            let isConvnet = model.inputShape.count == 3
            XCTAssertEqual(model.compiledInference.blockedSegments, isConvnet ? 1 : 0, name)
            let denseLayers = ((model.network as? Sequential)?.layers ?? []).filter { $0 is Dense }.count
            XCTAssertEqual(model.compiledInference.packedDenseLayers, denseLayers, name)
            for batch in [1, 6] {
                let input = Tensor.randomUniform([batch] + model.inputShape, seed: UInt64(batch))
                assertMatchesReference(model, input, name)
            }
        }
    }

    func testPredictFollowsTheWeightsAfterTrainingChangesThem() throws {
        let model = try Model(try ModelCatalog.make("resnet"), inputShape: [1, 28, 28], seed: 2)
        let images = Tensor.randomUniform([4, 1, 28, 28], seed: 3)
        assertMatchesReference(model, images, "resnet before")
        // A training-mode pass moves the moving statistics; an in-place step changes a kernel.
        _ = noGrad { model.network.forward(images, training: true) }
        let kernel = try XCTUnwrap(model.parameters.first { $0.name.hasSuffix("kernel") }).tensor
        for i in 0..<kernel.count { kernel.pointer[i] *= 0.5 }
        kernel.storage.bumpVersion()
        assertMatchesReference(model, images, "resnet after")
    }

    func testTheReferencePathCanBeChosen() throws {
        let model = try Model(try ModelCatalog.make("cnn"), inputShape: [1, 28, 28], seed: 4)
        model.usesCompiledInference = false
        let images = Tensor.randomUniform([2, 1, 28, 28], seed: 5)
        XCTAssertEqual(model.predict(images).scalars, noGrad { model.network.forward(images, training: false) }.scalars)
    }
}
