import Foundation
import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// The metric-learning losses on hand-worked batches (which triplets the mining picks, the values),
/// degenerate batches, and finite-difference checks of their gradients.
final class MetricLossTests: XCTestCase {
    /// Five points in 2-D: people 0 (x0, x1, x2 on the x axis) and 1 (x3, x4 above it).
    /// Distances: d01 1, d02 3, d12 2, d03 1.5, d13 √3.25, d23 √11.25, d04 d24 √10.09, d14 √8.09, d34 √3.94.
    let points = Tensor([[0, 0], [1, 0], [3, 0], [0, 1.5], [1.5, 2.8]])
    let pointLabels = Tensor([0, 0, 0, 1, 1])

    /// A (rows, columns) leaf of seeded normal values (well spread: no ties, no hinge near its kink).
    func embeddings(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor {
        Tensor.randomNormal([rows, columns], seed: seed, requiresGrad: true)
    }

    func triplet(_ a: Int, _ p: Int, _ n: Int) -> TripletLoss.Triplet { .init(anchor: a, positive: p, negative: n) }

    func testBatchHardPicksTheFarthestPositiveAndTheNearestNegative() {
        let loss = TripletLoss(margin: 0.2, mining: .batchHard)
        XCTAssertEqual(loss.triplets(embeddings: points, labels: pointLabels), [
            triplet(0, 2, 3), triplet(1, 2, 3), triplet(2, 0, 4), triplet(3, 4, 0), triplet(4, 3, 1),
        ])
        let terms: [Float] = [3 - 1.5, 2 - sqrtf(3.25), 3 - sqrtf(10.09), sqrtf(3.94) - 1.5, sqrtf(3.94) - sqrtf(8.09)]
        let expected = terms.map { max($0 + 0.2, 0) }.reduce(0, +) / 5
        assertClose(loss(predictions: points, targets: pointLabels).scalar, expected, rtol: 1e-5)
    }

    func testBatchHardSquaredUsesSquaredDistances() {
        let loss = TripletLoss(margin: 1, mining: .batchHard, squared: true)
        XCTAssertEqual(loss.triplets(embeddings: points, labels: pointLabels).count, 5)
        let terms: [Float] = [9 - 2.25, 4 - 3.25, 9 - 10.09, 3.94 - 2.25, 3.94 - 8.09]
        let expected = terms.map { max($0 + 1, 0) }.reduce(0, +) / 5
        assertClose(loss(predictions: points, targets: pointLabels).scalar, expected, rtol: 1e-5)
    }

    func testSemiHardPicksTheNearestNegativeFartherThanThePositive() {
        let loss = TripletLoss(margin: 0.2, mining: .semiHard)
        XCTAssertEqual(loss.triplets(embeddings: points, labels: pointLabels), [
            triplet(0, 1, 3), triplet(0, 2, 4), triplet(1, 0, 3), triplet(1, 2, 4),
            triplet(2, 0, 4), triplet(2, 1, 4), triplet(3, 4, 2), triplet(4, 3, 1),
        ])
    }

    func testSemiHardFallsBackToTheFarthestNegativeAndSkipsAnchorsWithoutPositive() {
        // On a line: person 0 at 0 and 5, person 1 at 1. No negative is farther than the positive
        // (d = 5), so each pair takes the farthest negative; x2 has no positive and anchors nothing.
        let x = Tensor([[0], [5], [1]]), labels = Tensor([0, 0, 1])
        let loss = TripletLoss(margin: 0.5, mining: .semiHard)
        XCTAssertEqual(loss.triplets(embeddings: x, labels: labels), [triplet(0, 1, 2), triplet(1, 0, 2)])
        assertClose(loss(predictions: x, targets: labels).scalar, ((5 - 1 + 0.5) + (5 - 4 + 0.5)) / 2)
        let hard = TripletLoss(margin: 0.5, mining: .batchHard)
        XCTAssertEqual(hard.triplets(embeddings: x, labels: labels), [triplet(0, 1, 2), triplet(1, 0, 2)])
    }

    func testBatchesWithoutTripletsGiveZeroLossAndZeroGradients() throws {
        let batches: [(String, Tensor, Tensor)] = [
            ("one person", embeddings(4, 3, seed: 1), Tensor([2, 2, 2, 2])),
            ("everyone alone", embeddings(4, 3, seed: 2), Tensor([0, 1, 2, 3])),
            ("one embedding", embeddings(1, 3, seed: 3), Tensor([0])),
        ]
        for (name, x, labels) in batches {
            for mining in [TripletLoss.Mining.batchHard, .semiHard] {
                x.zeroGrad()
                let value = TripletLoss(mining: mining)(predictions: x, targets: labels)
                XCTAssertEqual(value.scalar, 0, "\(name) \(mining)")
                try value.backward()
                XCTAssertEqual(x.grad?.scalars, [Float](repeating: 0, count: x.count), "\(name) \(mining)")
            }
        }
        let single = embeddings(1, 3, seed: 4)
        let contrastive = ContrastiveLoss()(predictions: single, targets: Tensor([0]))
        XCTAssertEqual(contrastive.scalar, 0)
        try contrastive.backward()
        XCTAssertEqual(single.grad?.scalars, [0, 0, 0])
    }

    func testDuplicateEmbeddingsGiveFiniteLossesAndGradients() throws {
        let x = Tensor([[1, 0], [1, 0], [1, 0], [0, 1]], requiresGrad: true), labels = Tensor([0, 0, 1, 1])
        let losses: [any Loss] = [
            TripletLoss(mining: .batchHard), TripletLoss(mining: .semiHard), ContrastiveLoss(),
            AngularMarginLoss(kind: .arcFace, classes: 2, dimension: 2, seed: 1),
        ]
        for loss in losses {
            x.zeroGrad()
            let value = loss(predictions: x, targets: labels)
            XCTAssertTrue(value.scalar.isFinite, loss.name)
            try value.backward()
            XCTAssertTrue(x.grad!.scalars.allSatisfy(\.isFinite), "\(loss.name): \(x.grad!.scalars)")
        }
    }

    func testContrastiveLossByHand() {
        // Pairs of `points`: same person d², two people max(0, 2 − d)²; mean over the 10 pairs.
        let same: [Float] = [1, 9, 4, 3.94]
        let different: [Float] = [1.5, sqrtf(10.09), sqrtf(3.25), sqrtf(8.09), sqrtf(11.25), sqrtf(10.09)]
        let expected = (same.reduce(0, +) + different.map { max(2 - $0, 0) * max(2 - $0, 0) }.reduce(0, +)) / 10
        assertClose(ContrastiveLoss(margin: 2)(predictions: points, targets: pointLabels).scalar, expected, rtol: 1e-5)
    }

    func testAngularMarginLogitsByHand() {
        // Centres along the axes; the embedding at 45° from both, labelled 0; and one facing away from its centre.
        let weight = Tensor([[1, 0], [0, 1]])
        let s: Float = 10, m: Float = 0.3
        func crossEntropy(_ target: Float, _ other: Float) -> Float { -target + logf(expf(target) + expf(other)) }
        let diagonal = Tensor([[2, 2]]), label = Tensor([0])
        let arc = AngularMarginLoss(kind: .arcFace, weight: weight.copy(), scale: s, margin: m)
        assertClose(arc(predictions: diagonal, targets: label).scalar, crossEntropy(s * cosf(.pi / 4 + m), s * cosf(.pi / 4)))
        let cos = AngularMarginLoss(kind: .cosFace, weight: weight.copy(), scale: s, margin: m)
        assertClose(cos(predictions: diagonal, targets: label).scalar, crossEntropy(s * (cosf(.pi / 4) - m), s * cosf(.pi / 4)))
        // θ = π − 0.1 > π − m: the target logit is s·(cos θ − m·sin m), not s·cos(θ + m).
        let angle: Float = .pi - 0.1
        let away = Tensor([[cosf(angle), sinf(angle)]])
        assertClose(arc(predictions: away, targets: label).scalar,
                    crossEntropy(s * (cosf(angle) - m * sinf(m)), s * sinf(angle)), rtol: 1e-5)
        assertClose(arc.cosines(away), Tensor([[cosf(angle), sinf(angle)]]), rtol: 1e-5)
    }

    func testAngularMarginDefaultsAndParameters() {
        let arc = AngularMarginLoss(classes: 20, dimension: 128, seed: 3)
        XCTAssertEqual(arc.kind, .arcFace)
        XCTAssertEqual(arc.scale, 16)
        XCTAssertEqual(arc.margin, 0.5)
        XCTAssertEqual(AngularMarginLoss(kind: .cosFace, classes: 20).margin, 0.35)
        XCTAssertEqual(arc.parameters.map(\.name), ["arcface.weight"])
        XCTAssertEqual(arc.parameters[0].tensor.shape, [20, 128])
        XCTAssertTrue(arc.parameters[0].tensor.requiresGrad)
        XCTAssertEqual(arc.weight.scalars, AngularMarginLoss(classes: 20, dimension: 128, seed: 3).weight.scalars, "seeded")
        XCTAssertNotEqual(arc.weight.scalars, AngularMarginLoss(classes: 20, dimension: 128, seed: 4).weight.scalars)
    }

    func testAngularMarginCentresLearnWithAnOptimizer() throws {
        // Fixed embeddings of 3 people; only the centres move, and the loss must fall.
        let x = Tensor.randomNormal([12, 8], seed: 5), labels = Tensor((0..<12).map { Float($0 % 3) })
        let loss = AngularMarginLoss(kind: .cosFace, classes: 3, dimension: 8, seed: 6)
        let optimizer = SGD(learningRate: 0.1)
        let first = loss(predictions: x, targets: labels).scalar
        for _ in 0..<30 {
            let value = loss(predictions: x, targets: labels)
            try value.backward()
            optimizer.step(loss.parameters)
            loss.parameters.zeroGradients()
        }
        XCTAssertLessThan(loss(predictions: x, targets: labels).scalar, first * 0.8)
    }

    func testUnitNormalizationLayer() throws {
        let layer = UnitNormalization()
        XCTAssertEqual(layer.typeName, "UnitNormalization")
        XCTAssertEqual(try layer.outputShape(for: [128]), [128])
        XCTAssertThrowsError(try layer.outputShape(for: []))
        let y = layer(Tensor([[3, 4], [0, 0]]))
        assertClose(y, Tensor([[0.6, 0.8], [0, 0]]))
        checkGradients("UnitNormalization", inputs: [embeddings(4, 6, seed: 7)], epsilon: 1e-3, rtol: 1e-2, atol: 1e-3) {
            layer($0[0])
        }
    }

    func testLossGradientsMatchFiniteDifferences() {
        let labels = Tensor([0, 0, 0, 1, 1, 1, 2, 2, 2, 3])  // person 3 has no positive
        let losses: [(any Loss, UInt64)] = [
            (TripletLoss(margin: 0.5, mining: .batchHard), 11),
            (TripletLoss(margin: 2, mining: .batchHard, squared: true), 12),
            (TripletLoss(margin: 0.5, mining: .semiHard), 13),
            (TripletLoss(margin: 2, mining: .semiHard, squared: true), 14),
            (ContrastiveLoss(margin: 2.5), 15),
        ]
        for (loss, seed) in losses {
            checkGradients(loss.name, inputs: [embeddings(10, 4, seed: seed)], epsilon: 1e-3, rtol: 1e-2, atol: 1e-3) {
                loss(predictions: $0[0], targets: labels)
            }
        }
        for (kind, seed) in [(AngularMarginLoss.Kind.arcFace, UInt64(16)), (.cosFace, 17)] {
            let weight = Tensor.randomNormal([4, 5], seed: seed + 100, requiresGrad: true)
            checkGradients("\(kind)", inputs: [embeddings(10, 5, seed: seed), weight], epsilon: 1e-3, rtol: 1e-2, atol: 1e-3) {
                AngularMarginLoss(kind: kind, weight: $0[1], scale: 4)(predictions: $0[0], targets: labels)
            }
        }
    }
}
