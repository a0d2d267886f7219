import Foundation
import StrataCore
import StrataData
import StrataExperiments
import StrataImport
import StrataInterop
import StrataNN
import StrataTestSupport
import StrataTrain
import XCTest

/// Models trained one epoch in PyTorch and in Keras (scripts/make-import-fixtures.py), loaded into Strata's
/// catalog models, give the frameworks' logits on the same 64 MNIST test images (stored in the fixture).
final class ImportParityTests: XCTestCase {
    private let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    /// The 64 test images `(64, 28, 28)` as bytes, and their labels.
    private func images() throws -> Dataset {
        let (tensors, _) = try SafeTensorsFile.read(from: fixtures.appendingPathComponent("images.safetensors"))
        let pixels = try XCTUnwrap(tensors["images"]), labels = try XCTUnwrap(tensors["labels"])
        return try Dataset(name: "fixture", images: pixels.scalars.map { UInt8($0) }, labels: labels.scalars.map { Int($0) },
                           height: 28, width: 28, classNames: (0..<10).map(String.init))
    }

    /// Every `<framework>-<model>.logits.safetensors` in the fixtures, and in `$STRATA_IMPORT_FIXTURES`
    /// when set (for larger models, such as vgg, written there by the script with `--models vgg --out`).
    private func cases() throws -> [(source: WeightSource, model: String, folder: URL)] {
        var folders = [fixtures]
        if let extra = ProcessInfo.processInfo.environment["STRATA_IMPORT_FIXTURES"] { folders.append(URL(fileURLWithPath: extra)) }
        var cases: [(WeightSource, String, URL)] = []
        for folder in folders {
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            where file.hasSuffix(".logits.safetensors") {
                let stem = file.dropLast(".logits.safetensors".count)
                let dash = try XCTUnwrap(stem.firstIndex(of: "-"))
                let source = try XCTUnwrap(WeightSource(rawValue: String(stem[..<dash])))
                cases.append((source, String(stem[stem.index(after: dash)...]), folder))
            }
        }
        return cases
    }

    func testImportedModelsGiveTheFrameworksLogits() throws {
        let test = try images()
        let cases = try cases()
        XCTAssertGreaterThanOrEqual(cases.count, 6, "fixtures of three models from two frameworks")
        XCTAssertEqual(Set(cases.map(\.source)), [.pytorch, .keras])
        for (source, name, folder) in cases {
            let weights = folder.appendingPathComponent("\(source.rawValue)-\(name).safetensors")
            let (model, options) = try WeightImport.load(weights, source: source, model: name, datasetName: "mnist",
                                                         dataset: test)
            XCTAssertEqual(options.model, name)
            let shape = try ModelCatalog.layout(of: name).shape(channels: 1, height: 28, width: 28)
            let inputs = Tensor(shape: [test.count] + shape, scalars: test.images.map { Float($0) / 255 })
            let logits = try XCTUnwrap(try SafeTensorsFile.read(
                from: folder.appendingPathComponent("\(source.rawValue)-\(name).logits.safetensors")).tensors["logits"])
            assertClose(model.predict(inputs), logits, rtol: 0, atol: 1e-4, "\(source.rawValue) \(name)")
        }
    }

    /// Keras's "same" with odd padding (a stride-2 3×3 conv on 8×8, a 2×2 pool on 7×7) is `Padding.sameKeras`.
    func testKerasSamePaddingMatchesKeras() throws {
        let (tensors, _) = try SafeTensorsFile.read(from: fixtures.appendingPathComponent("keras-same-padding.safetensors"))
        func tensor(_ name: String) throws -> Tensor { try XCTUnwrap(tensors[name], name) }
        let model = try Model(inputShape: [3, 8, 8]) { Conv2D(4, kernelSize: 3, strides: 2, padding: .sameKeras) }
        let conv = try XCTUnwrap(model.network.sublayers.first as? Conv2D)
        try model.loadWeights(["conv2d/kernel": tensor("conv.kernel"), "conv2d/bias": tensor("conv.bias")],
                              mapping: .keras(for: model.network, inputShape: model.inputShape))
        XCTAssertEqual(conv.name, "conv2d")
        assertClose(model.predict(try tensor("conv.input")), try tensor("conv.output"), rtol: 1e-5, atol: 1e-5,
                    "Conv2D sameKeras")
        // The PyTorch-style variant puts the extra row at the top, so it differs here.
        let symmetric = try tensor("conv.input").conv2d(try tensor("conv.kernel").permuted([3, 2, 0, 1]).contiguous(),
                                                         bias: try tensor("conv.bias"),
                                                         stride: (2, 2), padding: (1, 1))
        XCTAssertGreaterThan(zip(symmetric.scalars, try tensor("conv.output").scalars).map { abs($0 - $1) }.max() ?? 0, 0.1)

        let pool = MaxPool2D(2, padding: .sameKeras)
        var generator = RandomGenerator(seed: 0)
        _ = try pool.build(inputShape: [3, 7, 7], generator: &generator)
        assertClose(pool(try tensor("pool.input")), try tensor("pool.output"), rtol: 0, atol: 0, "MaxPool2D sameKeras")
    }
}
