import Foundation
import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// UnitNormalization and the metric-learning losses against PyTorch
/// (`scripts/make-metric-loss-reference.py`, `Fixtures/metric-losses.json`): the value and the
/// gradients with respect to the embeddings (and the class centres of the angular-margin losses).
final class MetricLossParityTests: XCTestCase {
    func fixture() throws -> ReferenceFixture { try ReferenceFixture.load("metric-losses", in: Bundle.module) }

    /// The case's integer labels as the Float tensor the losses take.
    func labels(_ reference: ReferenceCase) throws -> Tensor {
        Tensor(try XCTUnwrap(try reference.ints("labels")).map(Float.init))
    }

    func testUnitNormalizationMatchesPyTorch() throws {
        let cases = try fixture().cases(op: "normalize")
        XCTAssertEqual(cases.count, 2)
        for reference in cases {
            let layer = UnitNormalization(epsilon: try reference.float("epsilon"))
            try reference.checkParity(inputs: ["input"]) { layer($0["input"]!) }
        }
    }

    func testTripletLossesMatchPyTorch() throws {
        let fixture = try fixture()
        let cases: [(String, TripletLoss.Mining)] = [("triplet_batch_hard", .batchHard), ("triplet_semi_hard", .semiHard)]
        for (op, mining) in cases {
            let references = fixture.cases(op: op)
            XCTAssertEqual(references.count, 3, op)
            for reference in references {
                let loss = TripletLoss(margin: try reference.float("margin"), mining: mining,
                                       squared: try reference.bool("squared"))
                let targets = try labels(reference)
                try reference.checkParity(inputs: ["embeddings"]) { loss(predictions: $0["embeddings"]!, targets: targets) }
            }
        }
    }

    func testContrastiveLossMatchesPyTorch() throws {
        let references = try fixture().cases(op: "contrastive")
        XCTAssertEqual(references.count, 2)
        for reference in references {
            let loss = ContrastiveLoss(margin: try reference.float("margin"))
            let targets = try labels(reference)
            try reference.checkParity(inputs: ["embeddings"]) { loss(predictions: $0["embeddings"]!, targets: targets) }
        }
    }

    func testAngularMarginLossesMatchPyTorch() throws {
        let fixture = try fixture()
        for (op, kind) in [("arcface", AngularMarginLoss.Kind.arcFace), ("cosface", .cosFace)] {
            let references = fixture.cases(op: op)
            XCTAssertEqual(references.count, 2, op)
            for reference in references {
                let targets = try labels(reference)
                let scale = try reference.float("scale"), margin = try reference.float("margin")
                try reference.checkParity(inputs: ["embeddings", "weight"]) { leaves in
                    let loss = AngularMarginLoss(kind: kind, weight: leaves["weight"]!, scale: scale, margin: margin)
                    XCTAssertTrue(loss.parameters[0].tensor === leaves["weight"], "the loss trains the weight it was given")
                    return loss(predictions: leaves["embeddings"]!, targets: targets)
                }
            }
        }
    }
}
