import Foundation
import StrataCore
import StrataData
@testable import StrataExperiments
import StrataNN
import StrataTestSupport
import StrataTrain
import XCTest

/// `strata rank`: the scorer, the shared-weight gradient, the pairs, the options and a tiny run.
final class RankNetExperimentTests: XCTestCase {
    private func randomImages(_ count: Int, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomUniform([count, 1, 28, 28], generator: &generator)
    }

    func testScorerHas6005Parameters() throws {
        let scorer = try RankNetExperiment.makeScorer(imageShape: [1, 28, 28], seed: 1)
        XCTAssertEqual(scorer.parameters.scalarCount, 6_005)
        XCTAssertEqual(scorer.outputShape, [1])
    }

    /// One scorer used on both images gets, on each parameter, the sum of the gradients through the two
    /// branches: each branch's alone (the other's scores held constant), and those of two separate
    /// copies of the scorer with the same weights.
    func testSharedWeightsReceiveTheSumOfBothBranchesGradients() throws {
        let a = randomImages(5, seed: 2), b = randomImages(5, seed: 3)
        let targets = Tensor([1, 0, 0.5, 1, 0])
        let shared = try RankNetExperiment.makeScorer(imageShape: [1, 28, 28], seed: 4)
        let (loss, differences) = RankNetExperiment.pairLoss(scorer: shared, first: a, second: b, targets: targets)
        XCTAssertEqual(differences.shape, [5])
        try loss.backward()
        let joint = shared.parameters.map { $0.tensor.grad!.copy() }
        shared.parameters.zeroGradients()

        // Branch a alone: scores of b as constants; then branch b alone.
        let constantB = noGrad { shared(b, training: true) }
        try RankNetLoss()(scoresA: shared(a, training: true), scoresB: constantB, targets: targets).backward()
        let throughA = shared.parameters.map { $0.tensor.grad!.copy() }
        shared.parameters.zeroGradients()
        let constantA = noGrad { shared(a, training: true) }
        try RankNetLoss()(scoresA: constantA, scoresB: shared(b, training: true), targets: targets).backward()
        let throughB = shared.parameters.map { $0.tensor.grad!.copy() }
        shared.parameters.zeroGradients()

        // Two copies with the same weights (same seed), one per branch.
        let left = try RankNetExperiment.makeScorer(imageShape: [1, 28, 28], seed: 4)
        let right = try RankNetExperiment.makeScorer(imageShape: [1, 28, 28], seed: 4)
        let twinLoss = RankNetLoss()(scoresA: left(a, training: true), scoresB: right(b, training: true), targets: targets)
        XCTAssertEqual(twinLoss.scalar, loss.scalar, accuracy: 1e-6)
        try twinLoss.backward()

        for (index, parameter) in shared.parameters.enumerated() {
            let name = parameter.name
            assertClose(joint[index], throughA[index] + throughB[index], rtol: 1e-4, atol: 1e-6, name)
            assertClose(joint[index], left.parameters[index].tensor.grad! + right.parameters[index].tensor.grad!,
                        rtol: 1e-4, atol: 1e-6, name)
            XCTAssertGreaterThan(throughA[index].abs().sum().scalar, 0, "\(name): branch a contributes")
            XCTAssertGreaterThan(throughB[index].abs().sum().scalar, 0, "\(name): branch b contributes")
        }
    }

    func testPairLossIsBinaryCrossEntropyOfTheScoreDifference() throws {
        let scorer = try RankNetExperiment.makeScorer(imageShape: [1, 28, 28], seed: 5)
        let a = randomImages(4, seed: 6), b = randomImages(4, seed: 7)
        let targets: [Float] = [1, 0, 0.5, 1]
        let (loss, differences) = noGrad {
            RankNetExperiment.pairLoss(scorer: scorer, first: a, second: b, targets: Tensor(targets), training: false)
        }
        let expected = zip(noGrad { scorer(a) - scorer(b) }.scalars, targets).map { x, t -> Float in
            let p = 1 / (1 + exp(-x))
            return -(t * log(p) + (1 - t) * log(1 - p))
        }.reduce(0, +) / 4
        XCTAssertEqual(loss.scalar, expected, accuracy: 1e-5)
        // The meter used for validation and test pairs computes the same loss from scores.
        var meter = PairMeter()
        meter.add(differences: differences.scalars, targets: targets)
        XCTAssertEqual(meter.loss, Double(loss.scalar), accuracy: 1e-5)
        let probabilities = differences.scalars.map { 1 / (1 + exp(-$0)) }
        let mse = zip(probabilities, targets).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 4
        XCTAssertEqual(meter.mse, Double(mse), accuracy: 1e-6)
    }

    func testPairsFollowTheOrderAndCarryTheirImages() throws {
        let data = Self.toyData(perClass: 4, classes: 4, seed: 8).training
        let order = [2, 0, 3, 1]
        var sampler = try RankNetExperiment.pairSampler(labels: data.labels, order: order, seed: 9, excludeTies: false)
        var replay = try RankNetExperiment.pairSampler(labels: data.labels, order: order, seed: 9, excludeTies: false)
        let pairs = replay.pairs(count: 400)
        let position = [2: 0, 0: 1, 3: 2, 1: 3]
        var ties = 0
        for pair in pairs {
            let (a, b) = (position[data.labels[pair.first]]!, position[data.labels[pair.second]]!)
            XCTAssertEqual(pair.target, a < b ? 1 : (a > b ? 0 : 0.5))
            if a == b { ties += 1 }
        }
        XCTAssertGreaterThan(ties, 50, "same-class pairs are kept with target ½")
        let batch = sampler.batch(of: data, count: 3)
        XCTAssertEqual(batch.targets.scalars, pairs.prefix(3).map(\.target))
        for (row, pair) in pairs.prefix(3).enumerated() {
            let pixels = data.image(at: pair.first).map { Float($0) / 255 }
            XCTAssertEqual(Array(batch.first.slice(axis: 0, row..<(row + 1)).scalars), pixels)
        }
        var distinct = try RankNetExperiment.pairSampler(labels: data.labels, order: order, seed: 9, excludeTies: true)
        XCTAssertTrue(distinct.pairs(count: 400).allSatisfy { data.labels[$0.first] != data.labels[$0.second] })
    }

    func testOrderOptionAndRelevance() throws {
        var options = RankNetOptions()
        XCTAssertEqual(try options.resolvedOrder(classCount: 3), [0, 1, 2])
        XCTAssertEqual(try RankNetOptions.parseOrder("9, 8,7"), [9, 8, 7])
        XCTAssertThrowsError(try RankNetOptions.parseOrder("1,two")) { XCTAssertTrue("\($0)".contains("--order")) }
        for bad in [[0, 1], [0, 1, 1], [0, 1, 3]] {
            options.order = bad
            XCTAssertThrowsError(try options.resolvedOrder(classCount: 3)) {
                XCTAssertTrue("\($0)".contains("--order") && "\($0)".contains("not a permutation"), "\($0)")
            }
        }
        XCTAssertEqual(RankNetExperiment.relevance(of: [0, 9, 3], order: Array(0..<10)), [9, 0, 6])
        XCTAssertEqual(RankNetExperiment.relevance(of: [0, 1, 2], order: [2, 0, 1]), [1, 0, 2])
        options = RankNetOptions()
        options.batchSize = 0
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--batch-size")) }
        options = RankNetOptions()
        options.decay = 1.5
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--decay")) }
        options = RankNetOptions()
        options.activation = "swish"
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--activation")) }
        options = RankNetOptions()
        options.augment = "mixup"
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--augment")) }
        options = RankNetOptions()
        options.optimizer = "lbfgs"
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--optimizer")) }
    }

    /// `align` deskews every image once before training, so no augmentation is left to run per draw;
    /// `align+affine` leaves only the random affine map; the other choices keep their augmentations.
    func testAlignDeskewsOnceAndLeavesOnlyRandomAugmentations() {
        var options = RankNetOptions()
        for (augment, aligns, perDraw) in [("none", false, 0), ("affine", false, 1), ("align", true, 0),
                                           ("align+affine", true, 1), ("elastic", false, 2)] {
            options.augment = augment
            XCTAssertEqual(options.alignsImages, aligns, augment)
            XCTAssertEqual(options.trainingAugmentations.count, perDraw, augment)
            XCTAssertFalse(options.trainingAugmentations.contains { $0 is Deskew }, augment)
        }
    }

    func testTestMetricsOfPerfectAndReversedScores() throws {
        let test = Self.toyData(perClass: 30, classes: 3, seed: 10).test
        var options = RankNetOptions()
        options.testPairs = 500
        let perfect = test.labels.enumerated().map { Float(2 - $1) + Float($0) * 1e-3 }
        let good = try RankNetExperiment.measure(scores: perfect, test: test, order: [0, 1, 2], options: options)
        XCTAssertEqual(good.pairwiseAccuracy, 1)
        XCTAssertEqual(good.allPairsAccuracy, 1)
        XCTAssertEqual(good.kendallTau, good.kendallTauMax, accuracy: 1e-12)
        XCTAssertEqual(good.kendallTauMax, (1 - 3.0 * 435 / 4005).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(good.ndcg, 1, accuracy: 1e-12)
        XCTAssertEqual(good.meanScores.count, 3)
        XCTAssertGreaterThan(good.meanScores[0], good.meanScores[2])
        let reversed = try RankNetExperiment.measure(scores: perfect.map { -$0 }, test: test, order: [0, 1, 2], options: options)
        XCTAssertEqual(reversed.pairwiseAccuracy, 0)
        XCTAssertEqual(reversed.kendallTau, -good.kendallTau, accuracy: 1e-12)
        // With the order reversed, the same scores are perfectly wrong.
        let flipped = try RankNetExperiment.measure(scores: perfect, test: test, order: [2, 1, 0], options: options)
        XCTAssertEqual(flipped.pairwiseAccuracy, 0)
    }

    func testATinyRunLearnsBrightnessOrderAndWritesItsFolder() throws {
        let data = Self.toyData(perClass: 40, classes: 3, seed: 12)
        var options = RankNetOptions()
        options.epochs = 2
        options.stepsPerEpoch = 25
        options.batchSize = 16
        options.learningRate = 0.01
        options.validationPairs = 100
        options.testPairs = 300
        options.order = [2, 1, 0]  // the brightest class ranks highest
        options.standardize = true
        options.augment = "align"
        let folder = try RunFolder.create(output: FileManager.default.temporaryDirectory
            .appendingPathComponent("strata-rank-\(UUID().uuidString)").path, name: "toy", overwrite: false)
        defer { try? FileManager.default.removeItem(at: folder.url) }
        var lines: [String] = []
        let run = try RankNetExperiment.train(options, data: data, folder: folder, verbose: false) { lines.append($0) }
        XCTAssertEqual(run.history.epochs, [1, 2])
        XCTAssertEqual(run.history.names, ["loss", "mse", "accuracy", "val_loss", "val_mse", "val_accuracy"])
        XCTAssertGreaterThan(run.metrics.pairwiseAccuracy, 0.9, lines.joined(separator: "\n"))
        XCTAssertGreaterThan(run.metrics.kendallTau, 0.7)
        XCTAssertEqual(run.testScores.count, data.test.count)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder.url.path))
        XCTAssertEqual(files, ["history.csv", "history.json", "metrics.json", "summary.txt", "scores.png", "scores.csv", "loss.png",
                               "mse.png", "accuracy.png", "model.safetensors", "checkpoint.safetensors"])
        let metrics = try JSONDecoder().decode(RankNetMetrics.self, from: Data(contentsOf: folder.url.appendingPathComponent("metrics.json")))
        XCTAssertEqual(metrics.order, [2, 1, 0])
        XCTAssertEqual(metrics.parameters, 6_005)
        XCTAssertTrue(lines.contains { $0.hasPrefix("pairwise accuracy: ") })
    }

    /// Images 28×28 whose brightness grows with the class (plus noise); a training and a test set.
    /// A run stopped after two epochs and continued from its checkpoint ends with the straight run's
    /// history, history.csv, weights and test scores, bit for bit: the optimizer state, the pair stream
    /// and the step counter (which numbers the augmentation draws) come back from the checkpoint.
    func testAnInterruptedRunResumesToTheSameResult() throws {
        let data = Self.toyData(perClass: 30, classes: 3, seed: 12)
        var options = RankNetOptions()
        options.epochs = 4
        options.stepsPerEpoch = 10
        options.batchSize = 16
        options.learningRate = 0.01
        options.validationPairs = 50
        options.testPairs = 200
        options.order = [2, 1, 0]
        options.augment = "affine"
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("strata-rank-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        func folder(_ name: String) throws -> RunFolder {
            try RunFolder.create(output: root.appendingPathComponent(name).path, name: "toy", overwrite: false)
        }
        let straightFolder = try folder("a"), interruptedFolder = try folder("b")
        let straight = try RankNetExperiment.train(options, data: data, folder: straightFolder, verbose: false) { _ in }
        let partial = try RankNetExperiment.train(options, data: data, folder: interruptedFolder, stopAfter: 2,
                                                  verbose: false) { _ in }
        XCTAssertEqual(partial.history.epochs, [1, 2])
        XCTAssertTrue(partial.testScores.isEmpty, "a stopped run is not tested")
        let checkpoint = try Checkpoint.load(from: interruptedFolder.checkpoint)
        XCTAssertEqual(checkpoint.progress.globalStep, 20)
        let resumed = try RankNetExperiment.train(options, data: data, folder: interruptedFolder, resumeFrom: checkpoint,
                                                  verbose: false) { _ in }
        XCTAssertEqual(resumed.history.csv(), straight.history.csv())
        XCTAssertEqual(try String(contentsOf: interruptedFolder.history, encoding: .utf8),
                       try String(contentsOf: straightFolder.history, encoding: .utf8))
        XCTAssertEqual(resumed.testScores, straight.testScores)
        XCTAssertEqual(resumed.metrics.kendallTau, straight.metrics.kendallTau)
        func weights(_ folder: RunFolder) throws -> [String: [Float]] {
            try Checkpoint.load(from: folder.url.appendingPathComponent("model.safetensors")).model.mapValues(\.scalars)
        }
        XCTAssertEqual(try weights(interruptedFolder), try weights(straightFolder))
    }

    static func toyData(perClass: Int, classes: Int, seed: UInt64) -> ExperimentData {
        var generator = RandomGenerator(seed: seed)
        func make(_ name: String) -> Dataset {
            var pixels: [UInt8] = [], labels: [Int] = []
            for index in 0..<(perClass * classes) {
                let label = index % classes
                labels.append(label)
                let base = 40 + 180 * label / max(classes - 1, 1)
                pixels += (0..<784).map { _ in UInt8(clamping: base + generator.nextInt(below: 61) - 30) }
            }
            return try! Dataset(name: name, images: pixels, labels: labels, height: 28, width: 28,
                                classNames: (0..<classes).map { "c\($0)" })
        }
        return ExperimentData(name: "toy", training: make("toy"), test: make("toy/test"))
    }
}
