import Foundation
import StrataCore
import StrataNN
@testable import StrataTrain
import XCTest

/// Safetensors headers that claim about 10¹² elements, and checkpoints that crashed a resume before they were
/// refused: each found by `CheckpointMutationTests` or while reading the code for them, kept with its input.
final class CheckpointRegressionTests: XCTestCase {
    private var url: URL!

    override func setUpWithError() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("strata-regression-\(UUID().uuidString).safetensors")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: url)
    }

    /// Writes a checkpoint of `tensors` whose metadata is a valid progress with `metadata` laid over it.
    private func writeCheckpoint(_ tensors: [String: Tensor] = ["model/w": Tensor([1, 2])], metadata: [String: String]) throws {
        var all = ["strata_checkpoint": "1", "epoch": "2", "global_step": "20"]
        all.merge(metadata) { $1 }
        try SafeTensorsFile.write(tensors, metadata: all, to: url)
    }

    private func assertThrows(_ body: () throws -> Void, naming fragments: [String],
                              file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            for fragment in fragments {
                XCTAssertTrue("\(error)".contains(fragment), "\(error) does not name \(fragment)", file: file, line: line)
            }
        }
    }

    /// The bytes of a safetensors file: the 8-byte length of `header`, `header`, then `data`.
    private func safetensors(header: String, length: UInt64? = nil, data: [UInt8] = []) -> [UInt8] {
        let json = Array(header.utf8)
        return withUnsafeBytes(of: (length ?? UInt64(json.count)).littleEndian) { Array($0) } + json + data
    }

    func testSafetensorsHeadersClaimingATrillionElementsAreRefusedBeforeAllocating() throws {
        let cases: [(bytes: [UInt8], expected: String)] = [
            (safetensors(header: #"{"w":{"dtype":"F32","shape":[1000000,1000000],"data_offsets":[0,4000000000000]}}"#,
                         data: [0, 0, 0, 0]), "needs data bytes 0..<4000000000000 but the data section holds only 4"),
            (safetensors(header: #"{"w":{"dtype":"U8","shape":[1000000000000],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
             "needs 1000000000000 bytes"),
            (safetensors(header: #"{"w":{"dtype":"F64","shape":[4294967295,4294967295,4294967295],"data_offsets":[0,8]}}"#,
                         data: [UInt8](repeating: 0, count: 8)), "too large to address"),
            (safetensors(header: "{}", length: 1_000_000_000_000), "exceeds the limit"),
            (safetensors(header: "{}", length: 4_000), "larger than the 2 bytes"),
        ]
        for (bytes, expected) in cases {
            try Data(bytes).write(to: url)
            assertThrows({ _ = try SafeTensorsFile.read(from: url) }, naming: [url.path, expected])
            assertThrows({ _ = try SafeTensorsFile.readHeader(from: url) }, naming: [url.path, expected])
        }
    }

    /// Found by the mutation tests (checkpoint, seed 12): one bit turned `loss` into `los` in the history's names,
    /// and the resumed run trapped force-unwrapping the missing series.
    func testAHistoryWhoseNamesDisagreeWithItsValuesIsRefused() throws {
        let history = #"{"epochs":[1,2],"names":["los","val_loss"],"values":{"loss":[0.5,0.25],"val_loss":[0.75,"NaN"]}}"#
        try writeCheckpoint(metadata: ["history": history])
        assertThrows({ _ = try Checkpoint.load(from: url) }, naming: [url.path, "history", "los"])
        let short = #"{"epochs":[1,2],"names":["loss"],"values":{"loss":[0.5]}}"#
        try writeCheckpoint(metadata: ["history": short])
        assertThrows({ _ = try Checkpoint.load(from: url) }, naming: [url.path, "history", "1 values for 2 epochs"])
    }

    /// A saved count of 1e300 (or NaN, or 2.5) trapped converting to `Int` when the callbacks' state was put back.
    func testCallbackCountsThatAreNotWholeNumbersAreRefused() throws {
        for wait in ["1e300", "nan", "2.5", "-1"] {
            try writeCheckpoint(metadata: ["extra/early_stopping.wait": wait, "extra/reduce_lr_on_plateau.best": "0.5",
                                           "extra/reduce_lr_on_plateau.bad_epochs": "0",
                                           "extra/reduce_lr_on_plateau.cooldown": wait])
            let progress = try Checkpoint.load(from: url).progress
            assertThrows({ try ModelCheckpoint.restore([EarlyStopping()], from: progress, path: url.path) },
                         naming: [url.path, "early_stopping", "'wait' is \(wait), not a whole number"])
            assertThrows({ try ModelCheckpoint.restore([ReduceLROnPlateau()], from: progress, path: url.path) },
                         naming: [url.path, "reduce_lr_on_plateau", "'cooldown'"])
        }
    }

    /// Found by libFuzzer (fuzz-checkpoint, 60 s): Adam's `iterations` saved as 7.4e22, a whole Float far beyond
    /// `Int.max`, trapped converting to `Int` when the optimizer's state was loaded. The exact 538-byte input:
    static let iterationsBeyondIntInput = [
        "6gEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJzdHJhdGFfY2hlY2twb2ludCI6IjEiLCJlcG9jaCI6IjEiLCJnbG9iYWxfc3RlcCI6",
        "IjIiLCJvcHRpbWl6ZXIiOiJBZGFtIiwiZXh0cmEvZWFybHlfc3RvcHBpbmcud2FpdCI6IjAiLCJoaXN0b3J5Ijoie1wiZXBvY2hz",
        "XCI6WzFdLFwibmFtZXNcIjpbXCJsb3NzXCJdLFwidmFsdWVzXCI6e1wibG9zc1wiOlswLjVdfX0ifSwibW9kZWwvZGVuc2UuYmlh",
        "cyI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzAsOF19LCJtb2RlbC9kZW5zZS5rZXJuZWwiOnsi",
        "ZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzMsMl0sImRhdGFfb2Zmc2V0cyI6WzgsMzJdfSwib3B0aW1pemVyL2l0ZXJhdGlvbnMiOnsi",
        "ZHR5cGUiOiJGMzIiLCJzaGFwZSI6W10sImRhdGFfb2Zmc2V0cyI6WzMyLDM2XX0sIm9wdGltaXplci9sZWFybmluZ1JhdGUiOnsi",
        "ZHR5cGUiOiJGMzIiLCJzaGFwZSI6W10sImRhdGFfb2Zmc2V0cyI6WzM2LDQwXX19AQEBAQEBAQEBAQEBAQEBAQF1ZXNcIjp7XCJs",
        "AQEBAQH/aXplci/+/g==",
    ].joined()

    func testAnIterationCountBeyondIntIsRefused() throws {
        try XCTUnwrap(Data(base64Encoded: Self.iterationsBeyondIntInput)).write(to: url)
        let checkpoint = try Checkpoint.load(from: url)
        let parameters = [Parameter(name: "dense.kernel", tensor: Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])),
                          Parameter(name: "dense.bias", tensor: Tensor([0.5, -0.5]))]
        assertThrows({ try checkpoint.restore(into: parameters, optimizer: Adam(learningRate: 0.01)) },
                     naming: [url.path, "iterations", "not a whole number of steps"])
        XCTAssertEqual(parameters[1].tensor.scalars, [0.5, -0.5], "nothing changes when the checkpoint is refused")
    }

    /// Optimizer state whose moment has another shape than its parameter loaded, then trapped in the next step.
    func testOptimizerSlotsOfTheWrongShapeAreRefusedBeforeTheStep() throws {
        let parameter = Parameter(name: "w", tensor: Tensor([1, 2]))
        func write(moment: Tensor) throws {
            try writeCheckpoint(["model/w": Tensor([3, 4]), "optimizer/learningRate": Tensor(0.01),
                                 "optimizer/iterations": Tensor(1), "optimizer/step/w": Tensor(1),
                                 "optimizer/firstMoment/w": moment, "optimizer/secondMoment/w": Tensor([0, 0])],
                                metadata: ["optimizer": "Adam"])
        }
        try write(moment: Tensor([0, 0, 0]))
        assertThrows({ try Checkpoint.load(from: url).restore(into: [parameter], optimizer: Adam(learningRate: 0.01)) },
                     naming: [url.path, "optimizer/firstMoment/w", "[2]", "[3]"])
        XCTAssertEqual(parameter.tensor.scalars, [1, 2], "nothing changes when the checkpoint is refused")

        try write(moment: Tensor([0, 0]))
        let adam = Adam(learningRate: 0.01)
        try Checkpoint.load(from: url).restore(into: [parameter], optimizer: adam)
        XCTAssertEqual(parameter.tensor.scalars, [3, 4])
        parameter.tensor.grad = Tensor([1, 1])
        adam.step([parameter])
        XCTAssertEqual(adam.iterations, 2, "the restored state steps on")
    }
}
