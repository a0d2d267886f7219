import Foundation
import StrataCore
import StrataNN
@testable import StrataTrain
import StrataTestSupport
import XCTest

/// Seeded mutation tests of the safetensors reader and of checkpoints read back as a resume does: each mutated
/// file must load or be refused with an error naming it (see `MutationFuzzer`), never trap, never hang.
final class CheckpointMutationTests: XCTestCase {
    /// A committed fixture (Fixtures/, see scripts/make-safetensors-fixture.py).
    func fixture(_ name: String) throws -> [UInt8] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures"))
        return [UInt8](try Data(contentsOf: url))
    }

    /// The bytes of a file written by `write` to a temporary path.
    func written(_ write: (URL) throws -> Void) throws -> [UInt8] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-seed-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try write(url)
        return [UInt8](try Data(contentsOf: url))
    }

    /// The 8-byte little-endian header length that starts every safetensors file.
    static let lengthField: ([UInt8]) -> [HeaderField] = { _ in [HeaderField(offset: 0, width: 8, bigEndian: false)] }

    /// Mutations of the JSON header of `file` alone: each is put back with its true length in front and the
    /// original data after it (so that it reaches the header's validation), written over the input, and parsed.
    func fuzzHeader(_ name: String, of file: [UInt8], count: Int, seed: UInt64, parse: (URL) throws -> Void) {
        let length = file.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        let header = Array(file[8..<(8 + length)]), data = Array(file[(8 + length)...])
        MutationFuzzer.run(name, fileName: "\(name).safetensors", seeds: [header], count: count, seed: seed) { url in
            let mutated = [UInt8](try Data(contentsOf: url))
            let prefix = withUnsafeBytes(of: UInt64(mutated.count).littleEndian) { Array($0) }
            try MutationFuzzer.replace(url, with: prefix + mutated + data)
            try parse(url)
        }
    }

    func testSafeTensorsFilesSurviveMutations() throws {
        let small = try written { url in
            try SafeTensorsFile.write(["a": Tensor([1, 2, 3]), "b": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]),
                                       "s": Tensor(5)], metadata: ["k": "v"], to: url)
        }
        let seeds = [try fixture("python-written"), try fixture("strata-written"), small]
        MutationFuzzer.run("safetensors", fileName: "tensors.safetensors", seeds: seeds, count: 6000, seed: 11,
                           fields: Self.lengthField) { url in
            let header = try SafeTensorsFile.readHeader(from: url)
            let (tensors, _) = try SafeTensorsFile.read(from: url)
            XCTAssertEqual(Set(tensors.keys), Set(header.entries.map(\.name)))
            for tensor in tensors.values { _ = tensor.scalars }
        }
        fuzzHeader("safetensors-header", of: try fixture("python-written"), count: 6000, seed: 13) { url in
            _ = try SafeTensorsFile.read(from: url)
        }
    }

    /// Parameters and buffers of a tiny model, with a gradient on each parameter so an optimizer step uses them.
    func model() -> (parameters: [Parameter], buffers: [Parameter]) {
        let parameters = [Parameter(name: "dense.kernel", tensor: Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])),
                          Parameter(name: "dense.bias", tensor: Tensor([0.5, -0.5]))]
        for parameter in parameters { parameter.tensor.grad = Tensor.full(parameter.tensor.shape, value: 0.25) }
        return (parameters, [Parameter(name: "norm.mean", tensor: Tensor([0, 1]))])
    }

    /// Reads the checkpoint at `url` as a resumed run does: weights, Adam's state, the callbacks' state and the
    /// history, then one more epoch logged and one optimizer step.
    func resume(_ url: URL) throws {
        let checkpoint = try Checkpoint.load(from: url)
        let fresh = model()
        let optimizer = Adam(learningRate: 0.01)
        try checkpoint.restore(into: fresh.parameters, buffers: fresh.buffers, optimizer: optimizer)
        try ModelCheckpoint.restore([EarlyStopping(monitor: "val_loss", patience: 3), ReduceLROnPlateau()],
                                    from: checkpoint.progress, path: url.path)
        var history = checkpoint.progress.history
        _ = history.csv()
        history.record(epoch: history.epochs.count + 1, logs: [("loss", 0.1)])
        _ = history.csv()
        optimizer.step(fresh.parameters)
    }

    func testCheckpointsSurviveMutationsThroughAResume() throws {
        let trained = model()
        let adam = Adam(learningRate: 0.01)
        adam.step(trained.parameters)
        var history = History()
        history.record(epoch: 1, logs: [("loss", 0.5), ("val_loss", 0.75)])
        history.record(epoch: 2, logs: [("loss", 0.25), ("val_loss", .nan)])
        let stopping = EarlyStopping(monitor: "val_loss", patience: 3)
        let plateau = ReduceLROnPlateau()
        let extra = (stopping.savedState.map { ("early_stopping." + $0.key, $0.value) }
            + plateau.savedState.map { ("reduce_lr_on_plateau." + $0.key, $0.value) })
        let progress = TrainingProgress(epochsCompleted: 2, globalStep: 20, monitor: "val_loss", bestValue: 0.75, seed: 42,
                                        randomState: [1, 2, 3, 4], history: history, options: ["batch_size": "8"],
                                        extra: Dictionary(uniqueKeysWithValues: extra))
        let seed = try written { url in
            try Checkpoint.save(parameters: trained.parameters, buffers: trained.buffers, optimizer: adam,
                                progress: progress, to: url)
        }
        MutationFuzzer.run("checkpoint", fileName: "checkpoint.safetensors", seeds: [seed], count: 5000, seed: 12,
                           fields: Self.lengthField, parse: resume)
        fuzzHeader("checkpoint-header", of: seed, count: 6000, seed: 14, parse: resume)

        // The history's JSON alone, mutated and saved in a checkpoint that is otherwise whole.
        var saved: (tensors: [String: Tensor], metadata: [String: String]) = ([:], [:])
        _ = try written { url in
            try Data(seed).write(to: url)
            saved = try SafeTensorsFile.read(from: url)
        }
        let (tensors, metadata) = saved
        MutationFuzzer.run("checkpoint-history", fileName: "checkpoint.safetensors", seeds: [Array(metadata["history"]!.utf8)],
                           count: 1000, seed: 15) { url in
            var mutated = metadata
            mutated["history"] = String(decoding: try Data(contentsOf: url), as: UTF8.self)
            try FileManager.default.removeItem(at: url)
            try SafeTensorsFile.write(tensors, metadata: mutated, to: url)
            try resume(url)
        }
    }
}
