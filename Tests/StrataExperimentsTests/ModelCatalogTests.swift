import StrataCore
import StrataExperiments
import StrataNN
import XCTest

final class ModelCatalogTests: XCTestCase {
    /// Builds catalog model `name` on 28×28 single-channel images and returns its trainable and total counts.
    func counts(_ name: String, options: ModelOptions = ModelOptions()) throws -> (trainable: Int, total: Int, net: Sequential) {
        let net = try ModelCatalog.make(name, options: options)
        var generator = RandomGenerator(seed: 1)
        let input = try ModelCatalog.layout(of: name).shape(channels: 1, height: 28, width: 28)
        let output = try net.build(inputShape: input, generator: &generator)
        XCTAssertEqual(output, [options.classes], name)
        return (net.parameters.scalarCount, net.parameters.scalarCount + net.buffers.scalarCount, net)
    }

    func testKerasReferenceCounts() throws {
        XCTAssertEqual(try counts("mlp-small").trainable, 9_474)
        XCTAssertEqual(try counts("mlp").trainable, 669_706, "Keras mnist_mlp example")
        XCTAssertEqual(try counts("dense128").trainable, 101_770, "TensorFlow's Fashion-MNIST tutorial model")
        XCTAssertEqual(try counts("cnn").trainable, 34_826, "Keras mnist_convnet example")
    }

    func testEveryModelBuildsAndRuns() throws {
        for name in ModelCatalog.names {
            let (_, _, net) = try counts(name)
            let input = try ModelCatalog.layout(of: name).shape(channels: 1, height: 28, width: 28)
            let output = net.forward(Tensor.randomNormal([2] + input, seed: 3), training: true)
            XCTAssertEqual(output.shape, [2, 10], name)
        }
    }

    func testResNetDepthIsSixNPlusTwoWeightedLayers() throws {
        for depth in [20, 32] {
            var options = ModelOptions()
            options.resnetDepth = depth
            let (_, _, net) = try counts("resnet", options: options)
            // Weighted layers on the main path: every 3×3 convolution plus the final dense layer.
            var convolutions = 0
            var stack: [any Layer] = [net]
            while let layer = stack.popLast() {
                if let conv = layer as? Conv2D, conv.kernelSize.height == 3 { convolutions += 1 }
                stack.append(contentsOf: layer.sublayers)
            }
            XCTAssertEqual(convolutions + 1, depth)
        }
    }

    func testBadNamesAndDepthsThrow() {
        XCTAssertThrowsError(try ModelCatalog.make("alexnet")) { error in
            XCTAssertTrue("\(error)".contains("unknown model 'alexnet'; choose one of: mlp-small, mlp"), "\(error)")
        }
        var options = ModelOptions()
        options.resnetDepth = 21
        XCTAssertThrowsError(try ModelCatalog.make("resnet", options: options)) { error in
            XCTAssertTrue("\(error)".contains("depth must be 6n + 2"), "\(error)")
        }
    }
}
