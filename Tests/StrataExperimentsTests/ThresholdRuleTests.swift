import Foundation
import StrataCore
import StrataData
import XCTest
@testable import StrataExperiments

/// The unknown-threshold rules on hand-made score sets whose quantiles are known.
final class ThresholdRuleTests: XCTestCase {
    /// Scores whose Fisher z are the n evenly spaced quantiles of a normal with `mean` and `deviation`.
    private func fisherNormalScores(mean: Double, deviation: Double, count: Int) -> [Float] {
        (0..<count).map { i in
            let z = mean + deviation * ThresholdRule.normalQuantile((Double(i) + 0.5) / Double(count))
            return Float(Foundation.tanh(z))
        }
    }

    func testNormalQuantileMatchesKnownValues() {
        XCTAssertEqual(ThresholdRule.normalQuantile(0.5), 0, accuracy: 1e-12)
        XCTAssertEqual(ThresholdRule.normalQuantile(0.975), 1.9599639845400536, accuracy: 1e-9)
        XCTAssertEqual(ThresholdRule.normalQuantile(0.001), -3.090232306167813, accuracy: 1e-9)
        XCTAssertEqual(ThresholdRule.normalQuantile(1 - 1e-6), 4.753424308817089, accuracy: 1e-7)
        XCTAssertEqual(ThresholdRule.normalQuantile(0.95), -ThresholdRule.normalQuantile(0.05), accuracy: 1e-12)
        XCTAssertEqual(ThresholdRule.normalQuantile(0), -.infinity)
        XCTAssertEqual(ThresholdRule.normalQuantile(1), .infinity)
    }

    func testFisherNormalFitRecoversMeanAndDeviation() {
        let (mean, deviation) = ThresholdRule.fisherNormalFit(fisherNormalScores(mean: 0.3, deviation: 0.2, count: 4001))
        XCTAssertEqual(mean, 0.3, accuracy: 1e-4)
        XCTAssertEqual(deviation, 0.2, accuracy: 0.002)
        XCTAssertEqual(ThresholdRule.fisherNormalFit([0.5]).deviation, 0, "one score has no spread")
        XCTAssertTrue(ThresholdRule.fisherNormalFit([1, 1, -1]).mean.isFinite, "±1 are clamped inside atanh's domain")
    }

    func testNormalRuleGivesTheFittedQuantileForTheGallerySize() {
        let scores = fisherNormalScores(mean: 0.3, deviation: 0.2, count: 4001).shuffled()
        // One identity at FAR 5%: the 0.95 quantile, z = 0.3 + 0.2 · 1.6449.
        XCTAssertEqual(ThresholdRule.normal.threshold(impostorScores: scores, enrolled: 1, falseAlarmRate: 0.05),
                       Float(Foundation.tanh(0.3 + 0.2 * 1.6448536269514722)), accuracy: 2e-3)
        // Fifteen identities at FAR 5%: the 0.95^(1/15) = 0.99658 quantile, z = 0.3 + 0.2 · 2.7051.
        XCTAssertEqual(ThresholdRule.normal.threshold(impostorScores: scores, enrolled: 15, falseAlarmRate: 0.05),
                       Float(Foundation.tanh(0.3 + 0.2 * 2.7051465630807456)), accuracy: 2e-3)
        // On this many scores the empirical quantile agrees with the fit.
        XCTAssertEqual(ThresholdRule.empirical.threshold(impostorScores: scores, enrolled: 15, falseAlarmRate: 0.05),
                       Float(Foundation.tanh(0.3 + 0.2 * 2.7051465630807456)), accuracy: 5e-3)
    }

    func testNormalRuleExtrapolatesBeyondTheHighestOfFewScores() {
        let scores = fisherNormalScores(mean: 0.3, deviation: 0.2, count: 20)
        let highest = scores.max()!
        // The 0.99658 quantile lies beyond 20 scores: the empirical rule stops at the highest, the fit goes past it.
        XCTAssertEqual(ThresholdRule.empirical.threshold(impostorScores: scores, enrolled: 15, falseAlarmRate: 0.05), highest)
        let fitted = ThresholdRule.normal.threshold(impostorScores: scores, enrolled: 15, falseAlarmRate: 0.05)
        XCTAssertGreaterThan(fitted, highest)
        XCTAssertEqual(fitted, Float(Foundation.tanh(0.3 + 0.2 * 2.7051465630807456)), accuracy: 0.03)
        // More identities, a higher threshold; no scores, accept everyone.
        XCTAssertGreaterThan(ThresholdRule.normal.threshold(impostorScores: scores, enrolled: 100, falseAlarmRate: 0.05), fitted)
        XCTAssertEqual(ThresholdRule.normal.threshold(impostorScores: [], enrolled: 3, falseAlarmRate: 0.05), -.infinity)
    }

    func testAutoRuleIsEmpiricalWellInsideTheDataAndNormalBeyondIt() {
        // 4001 scores at the 0.95 quantile: about 200 above it, empirical.
        let many = fisherNormalScores(mean: 0.3, deviation: 0.2, count: 4001)
        XCTAssertEqual(ThresholdRule.auto.threshold(impostorScores: many, enrolled: 1, falseAlarmRate: 0.05),
                       ThresholdRule.empirical.threshold(impostorScores: many, enrolled: 1, falseAlarmRate: 0.05))
        // 200 scores at the 0.99658 quantile (15 identities): 0.68 expected above it, normal.
        let few = fisherNormalScores(mean: 0.3, deviation: 0.2, count: 200)
        XCTAssertEqual(ThresholdRule.auto.threshold(impostorScores: few, enrolled: 15, falseAlarmRate: 0.05),
                       ThresholdRule.normal.threshold(impostorScores: few, enrolled: 15, falseAlarmRate: 0.05))
        XCTAssertNotEqual(ThresholdRule.normal.threshold(impostorScores: few, enrolled: 15, falseAlarmRate: 0.05),
                          ThresholdRule.empirical.threshold(impostorScores: few, enrolled: 15, falseAlarmRate: 0.05))
        // The switch: exactly 10 expected above the 0.95 quantile of 200 scores is inside, 9.95 of 199 is not.
        let twoHundred = fisherNormalScores(mean: 0.3, deviation: 0.2, count: 200)
        XCTAssertEqual(ThresholdRule.auto.threshold(impostorScores: twoHundred, enrolled: 1, falseAlarmRate: 0.05),
                       ThresholdRule.empirical.threshold(impostorScores: twoHundred, enrolled: 1, falseAlarmRate: 0.05))
        let fewer = Array(twoHundred.dropLast())
        XCTAssertEqual(ThresholdRule.auto.threshold(impostorScores: fewer, enrolled: 1, falseAlarmRate: 0.05),
                       ThresholdRule.normal.threshold(impostorScores: fewer, enrolled: 1, falseAlarmRate: 0.05))
    }

    func testRuleNamesAreParsedAndBadOnesRefused() throws {
        XCTAssertEqual(try ThresholdRule(named: "empirical"), .empirical)
        XCTAssertEqual(try ThresholdRule(named: "normal"), .normal)
        XCTAssertEqual(try ThresholdRule(named: "auto"), .auto)
        XCTAssertThrowsError(try ThresholdRule(named: "gumbel")) {
            XCTAssertTrue("\($0)".contains("unknown --threshold-rule 'gumbel'; choose one of: empirical, normal, auto"), "\($0)")
        }
        var options = RetrievalOptions()
        XCTAssertEqual(options.resolvedThresholdRule, ThresholdRule.standard)
        options.thresholdRule = "empirical"
        XCTAssertNoThrow(try options.validate())
        XCTAssertEqual(options.resolvedThresholdRule, .empirical)
        options.thresholdRule = "Normal"
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--threshold-rule 'Normal'"), "\($0)") }
    }

    func testEachRuleTakesItsScoreSet() {
        XCTAssertEqual(ValidationThreshold.scores(for: .empirical, probes: [0.1], allPhotos: [0.1, 0.2]), [0.1])
        XCTAssertEqual(ValidationThreshold.scores(for: .normal, probes: [0.1], allPhotos: [0.1, 0.2]), [0.1, 0.2])
        XCTAssertEqual(ValidationThreshold.scores(for: .auto, probes: [0.1], allPhotos: [0.1, 0.2]), [0.1, 0.2])
    }

    /// Two validation people of two photos each, one enrolled and one probe per person: the all-photos set
    /// adds each gallery photo scored against the other person's gallery.
    func testValidationScoresIncludeGalleryPhotosAsStrangers() throws {
        let images: [UInt8] = [200, 0, 0, 0, 180, 20, 0, 0, 0, 0, 0, 200, 0, 10, 30, 190]
        var options = RetrievalOptions()
        options.model = "pixels"
        options.trainingIdentities = 3
        options.validationIdentities = 2
        options.knownIdentities = 2
        options.unknownIdentities = 1
        options.galleryPerIdentity = 1
        options.roles = "fixed"
        let six = try Dataset(name: "six", images: images + images + images, labels: [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
                              height: 2, width: 2, classNames: ["a", "b", "c", "d", "e", "f"])
        let split = try OpenSetSplit(source: .identities(six, files: []), options: options, seed: 1)
        XCTAssertEqual(split.validationNames, ["b", "c"])
        let validation = try ValidationThreshold(model: nil, split: split, targetFAR: 0.05, enrolled: 2, rule: .normal)
        XCTAssertEqual(validation.probeImpostorScores.count, 2, "each probe against the other person")
        XCTAssertEqual(validation.allPhotoImpostorScores.count, 4, "and each gallery photo against the other person")
        XCTAssertTrue(Set(validation.probeImpostorScores).isSubset(of: Set(validation.allPhotoImpostorScores)))
        XCTAssertEqual(validation.impostorScores, validation.allPhotoImpostorScores)
        XCTAssertEqual(validation.threshold, ThresholdRule.normal.threshold(
            impostorScores: validation.allPhotoImpostorScores, enrolled: 2, falseAlarmRate: 0.05))
    }
}
