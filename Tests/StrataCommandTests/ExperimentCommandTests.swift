import Foundation
import XCTest

/// The success paths of `strata rank` (on the synthetic MNIST) and `strata argmax`, run as subprocesses with
/// tiny settings: what each prints and writes.
final class ExperimentCommandTests: XCTestCase {
    private var workspace: CommandWorkspace!

    override func setUpWithError() throws { workspace = try CommandWorkspace("experiments") }
    override func tearDown() { workspace.remove() }

    func testRankTrainsAScorerAndMeasuresItsRanking() throws {
        let run = workspace.url("rank")
        let outcome = try workspace.strata.succeed([
            "rank", "--dataset", "mnist", "--data-dir", workspace.data.path, "--epochs", "1", "--steps-per-epoch", "3",
            "--batch-size", "16", "--validation-pairs", "50", "--test-pairs", "50", "--ndcg-k", "5", "--threads", "1",
            "--out", run.path,
        ])
        let lines = outcome.lines
        XCTAssertEqual(lines.first, "run folder: \(run.path)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("training on pairs of ") && $0.hasSuffix("order 0 > 1 > 2 > 3 > 4 > 5 > 6 > 7 > 8 > 9") },
                      outcome.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("3/3 [") && $0.contains(" - val_mse: ") }, outcome.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("pairwise accuracy: ") && $0.contains("% on 50 test pairs of different classes") },
                      outcome.output)
        XCTAssertEqual(lines.last { !$0.isEmpty }, "wrote \(run.path)")

        let history = try RunFiles.csv(run.appendingPathComponent("history.csv"))
        XCTAssertEqual(history.header, ["epoch", "loss", "mse", "accuracy", "val_loss", "val_mse", "val_accuracy"])
        XCTAssertEqual(history.rows.count, 1)
        for chart in ["scores", "loss", "mse", "accuracy"] {
            XCTAssertTrue(RunFiles.isPNG(run.appendingPathComponent("\(chart).png")), chart)
        }
        XCTAssertEqual(try RunFiles.safetensors(run.appendingPathComponent("model.safetensors")).values.map(\.count).reduce(0, +),
                       6_005)

        // The test scores, one per test image: the metrics recomputed from them by hand.
        let scores = try RunFiles.csv(run.appendingPathComponent("scores.csv"))
        XCTAssertEqual(scores.header, ["index", "label", "score"])
        XCTAssertEqual(scores.rows.map { Int($0[1]) }, SyntheticDigits.testLabels)
        let values = try scores.rows.map { try XCTUnwrap(Double($0[2]), "score \($0)") }
        let relevance = SyntheticDigits.testLabels.map { Double(9 - $0) }
        let metrics = try RunFiles.json(run.appendingPathComponent("metrics.json"))
        XCTAssertEqual(metrics["ndcgK"] as? Int, 5)
        let means = try XCTUnwrap(metrics["meanScores"] as? [Double])
        for c in 0..<10 {
            let ofClass = zip(values, SyntheticDigits.testLabels).filter { $1 == c }.map(\.0)
            XCTAssertEqual(means[c], ofClass.reduce(0, +) / Double(ofClass.count), accuracy: 1e-6, "class \(c)")
        }
        let tau = try XCTUnwrap(metrics["kendallTau"] as? Double)
        XCTAssertEqual(tau, kendallTauB(values, relevance), accuracy: 1e-6)
        XCTAssertTrue(lines.contains { $0.hasPrefix(String(format: "Kendall's tau-b: %.4f (", tau)) }, outcome.output)
    }

    func testArgmaxTrainsEpisodesWithADecayingRateAndTests() throws {
        let tiny = ["--depth", "1", "--width", "8", "--length", "5", "--episodes", "2", "--batches-per-episode", "3",
                    "--batch-size", "16", "--test-batches", "2", "--test-batch-size", "16", "--threads", "1"]
        let run = workspace.url("argmax")
        let outcome = try workspace.strata.succeed(["argmax"] + tiny + ["--out", run.path])
        let lines = outcome.lines
        XCTAssertTrue(lines.contains("Total params: 99 (396.00 B)"), outcome.output)
        XCTAssertTrue(lines.contains("2 episodes of 3 batches of 16 fresh vectors; momentum, learning rate 0.0001 ×0.98 per episode, regression head"),
                      outcome.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Episode 1/2 - loss: ") && $0.hasSuffix(" - lr: 1.0000e-04") }, outcome.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Episode 2/2 - loss: ") && $0.hasSuffix(" - lr: 9.8000e-05") }, outcome.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("test: loss ") && $0.contains(" on 32 vectors (2 batches of 16)") }, outcome.output)
        XCTAssertEqual(lines.last { !$0.isEmpty }, "wrote \(run.path)")

        let history = try RunFiles.csv(run.appendingPathComponent("history.csv"))
        XCTAssertEqual(history.header, ["epoch", "loss", "error", "lr", "seconds"])
        XCTAssertEqual(history.rows.map(\.first), ["1", "2"])
        XCTAssertEqual(history.rows.compactMap { Double($0[3]) }.map(Float.init), [1e-4, 1e-4 * 0.98])
        let metrics = try RunFiles.json(run.appendingPathComponent("metrics.json"))
        XCTAssertEqual(metrics["episodes"] as? Int, 2)
        XCTAssertEqual(metrics["parameters"] as? Int, 99)
        XCTAssertEqual(metrics["testVectors"] as? Int, 32)
        let error = try XCTUnwrap(metrics["testError"] as? Double)
        XCTAssertEqual(error * 32, (error * 32).rounded(), accuracy: 1e-9, "the error rate counts whole vectors")
        XCTAssertTrue(RunFiles.isPNG(run.appendingPathComponent("error.png")) && RunFiles.isPNG(run.appendingPathComponent("loss.png")))

        // The classification head: a softmax over the 5 positions (Dense 5 → 5 instead of 5 → 1).
        let classifier = try workspace.strata.succeed(["argmax"] + tiny + ["--head", "classification", "--out", workspace.path("softmax")])
        XCTAssertTrue(classifier.lines.contains("Total params: 123 (492.00 B)"), classifier.output)
    }

    /// Kendall's tau-b of two lists, by counting every pair: (concordant − discordant) / √(pairs untied in a ·
    /// pairs untied in b).
    private func kendallTauB(_ a: [Double], _ b: [Double]) -> Double {
        var (concordant, discordant, untiedA, untiedB) = (0.0, 0.0, 0.0, 0.0)
        for i in a.indices {
            for j in a.indices where j > i {
                let (da, db) = (a[i] - a[j], b[i] - b[j])
                if da != 0 { untiedA += 1 }
                if db != 0 { untiedB += 1 }
                if da * db > 0 { concordant += 1 } else if da * db < 0 { discordant += 1 }
            }
        }
        return (concordant - discordant) / (untiedA * untiedB).squareRoot()
    }
}
