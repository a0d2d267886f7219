import Foundation
import StrataTestSupport
import XCTest
@testable import StrataExperiments

/// Seeded mutation tests of the files a run folder is read back from: `options.json` of every kind of run (as
/// `--resume`, `evaluate` and `retrieve` read it), a retrieval run's `metrics.json` and an index folder's
/// `enrollment.json`. Each mutated file must be read or refused with an error naming it (see `MutationFuzzer`).
final class RunFolderMutationTests: XCTestCase {
    /// `options` as the run writes it.
    func encoded<Options: Encodable>(_ options: Options) throws -> [UInt8] {
        [UInt8](try RunReport.jsonEncoder.encode(options))
    }

    /// Mutations of `options.json` in a run folder that also holds a checkpoint, read by `read(folderPath)`.
    func fuzzOptions(_ name: String, seeds: [[UInt8]], count: Int, seed: UInt64, read: (String) throws -> Void) {
        MutationFuzzer.run(name, fileName: "options.json", seeds: seeds, count: count, seed: seed,
                           companions: ["checkpoint.safetensors": []]) { url in
            try read(url.deletingLastPathComponent().path)
        }
    }

    func testTrainingOptionsSurviveMutations() throws {
        var tuned = TrainingOptions()
        tuned.learningRate = 0.01
        tuned.earlyStoppingPatience = 3
        tuned.threads = 2
        tuned.modelOptions.dropout = 0.25
        fuzzOptions("training-options", seeds: [try encoded(TrainingOptions()), try encoded(tuned)], count: 3000, seed: 21) {
            _ = try ClassifierTraining.loadOptions(try RunFolder(existing: $0))
        }
    }

    func testRankNetAndArgmaxOptionsSurviveMutations() throws {
        var rankNet = RankNetOptions()
        rankNet.learningRate = 0.5
        fuzzOptions("ranknet-options", seeds: [try encoded(RankNetOptions()), try encoded(rankNet)], count: 2000, seed: 22) {
            _ = try RunFolder.resuming($0, unit: "epoch", options: RankNetOptions.self)
        }
        fuzzOptions("argmax-options", seeds: [try encoded(ArgmaxOptions())], count: 2000, seed: 23) {
            _ = try RunFolder.resuming($0, unit: "episode", options: ArgmaxOptions.self)
        }
    }

    /// Options that decode but cannot describe a run were taken on trust when read back, and failed deep inside
    /// it (a batch of 0 examples, a 100000×100000 image for the network); now the reader refuses them.
    func testOptionsReadBackAreValidatedNamingTheFileAndOption() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-options-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("options.json")
        try Data().write(to: folder.appendingPathComponent("checkpoint.safetensors"))
        func assertRefused(_ body: () throws -> Void, _ option: String, line: UInt = #line) {
            XCTAssertThrowsError(try body(), line: line) { error in
                XCTAssertTrue("\(error)".contains(file.path) && "\(error)".contains(option), "\(error)", line: line)
            }
        }
        var training = TrainingOptions()
        training.batchSize = 0
        try Data(try encoded(training)).write(to: file)
        assertRefused({ _ = try ClassifierTraining.loadOptions(try RunFolder(existing: folder.path)) }, "--batch-size")
        var rankNet = RankNetOptions()
        rankNet.stepsPerEpoch = -1
        try Data(try encoded(rankNet)).write(to: file)
        assertRefused({ _ = try RunFolder.resuming(folder.path, unit: "epoch", options: RankNetOptions.self) }, "--steps-per-epoch")
        var argmax = ArgmaxOptions()
        argmax.length = 1
        try Data(try encoded(argmax)).write(to: file)
        assertRefused({ _ = try RunFolder.resuming(folder.path, unit: "episode", options: ArgmaxOptions.self) }, "--length")
        var retrieval = RetrievalOptions()
        retrieval.imageSize = [100_000, 100_000]
        try Data(try encoded(retrieval)).write(to: file)
        try Data(Self.metrics).write(to: folder.appendingPathComponent("metrics.json"))
        assertRefused({ _ = try EmbeddingRun.load(folder.path) }, "--image-size")
    }

    /// A retrieval run's `metrics.json` as written after training.
    static let metrics = Array("""
        {"dataset":"faces","fingerprint":"cnn:1a2b","threshold":0.5,"thresholdFAR":0.1,"thresholdIdentities":4,
        "impostorScores":[0.1,0.2,0.3],"validationRank1":0.9,"validationAUROC":0.95,"trainingIdentities":["s1","s2"],
        "validationIdentities":["s3","s4"],"trainingSeconds":1.5,"parameters":1000}
        """.utf8)

    func testRetrievalRunFilesSurviveMutations() throws {
        var pixels = RetrievalOptions()
        pixels.model = "pixels"
        pixels.imageSize = [16, 12]
        let options = try encoded(pixels)
        // Without weights: the pixel "network" needs none, so the whole folder is read.
        MutationFuzzer.run("retrieval-options", fileName: "options.json", seeds: [options], count: 2000, seed: 24,
                           companions: ["metrics.json": Self.metrics]) { url in
            _ = try EmbeddingRun.load(url.deletingLastPathComponent().path)
        }
        MutationFuzzer.run("retrieval-metrics", fileName: "metrics.json", seeds: [Self.metrics], count: 2000, seed: 25,
                           companions: ["options.json": options]) { url in
            _ = try EmbeddingRun.load(url.deletingLastPathComponent().path)
        }
        let record = try encoded(EnrollmentRecord(modelRun: "/runs/faces", fingerprint: "cnn:1a2b", threshold: 0.42,
                                                  galleries: ["/data/gallery"]))
        MutationFuzzer.run("enrollment-record", fileName: "enrollment.json", seeds: [record], count: 2000, seed: 26) { url in
            _ = try Enrollment.readRecord(url.deletingLastPathComponent())
        }
    }
}
