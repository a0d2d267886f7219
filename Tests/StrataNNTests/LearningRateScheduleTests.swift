import Foundation
import StrataNN
import StrataTestSupport
import XCTest

/// The schedules against `torch.optim.lr_scheduler` (values from `scripts/make-optimizer-reference.py`),
/// plus the behaviour past the end that PyTorch does not define the same way.
final class LearningRateScheduleTests: XCTestCase {
    /// Schedules are computed in Double and rounded once to Float, so they agree with PyTorch's float64
    /// values to Float precision; the tiny absolute term covers OneCycle's final rate of 4e-7.
    let rtol: Float = 1e-6
    let atol: Float = 1e-10

    func testSchedulesMatchPyTorch() throws {
        let fixture = try ScheduleFixture.load()
        XCTAssertEqual(Set(fixture.cases.map(\.schedule)), ["StepDecay", "ExponentialDecay", "CosineDecay", "OneCycle", "LinearWarmup"])
        let perEpoch = fixture.stepsPerEpoch
        for testCase in fixture.cases {
            let schedule = try makeSchedule(testCase)
            var actual: [Float] = []
            var expected: [Float] = []
            if testCase.per == "epoch" {
                // Every step of an epoch gets that epoch's rate.
                for (epoch, rate) in testCase.learningRates.enumerated() {
                    for step in epoch * perEpoch..<(epoch + 1) * perEpoch {
                        actual.append(schedule.learningRate(epoch: epoch, step: step, stepsPerEpoch: perEpoch))
                        expected.append(Float(rate))
                    }
                }
            } else {
                for (step, rate) in testCase.learningRates.enumerated() {
                    actual.append(schedule.learningRate(epoch: step / perEpoch, step: step, stepsPerEpoch: perEpoch))
                    expected.append(Float(rate))
                }
            }
            assertClose(actual, expected, rtol: rtol, atol: atol, testCase.name)
        }
    }

    func testReduceOnPlateauMatchesPyTorch() throws {
        let fixture = try ScheduleFixture.load()
        for testCase in fixture.plateaus {
            let options = testCase.options
            let plateau = ReduceOnPlateau(
                factor: options["factor"]?.number ?? 0.1,
                patience: Int(options["patience"]?.number ?? 10),
                minDelta: options["minDelta"]?.number ?? 1e-4,
                cooldown: Int(options["cooldown"]?.number ?? 0),
                minimumLearningRate: options["minimumLearningRate"]?.number ?? 0,
                mode: options["mode"]?.text == "max" ? .max : .min,
                thresholdMode: options["thresholdMode"]?.text == "absolute" ? .absolute : .relative)
            var rate = testCase.initialLearningRate
            var actual: [Float] = []
            for metric in testCase.metrics {
                rate = plateau.update(metric: metric, current: rate)
                actual.append(rate)
            }
            assertClose(actual, testCase.learningRates, rtol: rtol, atol: atol, testCase.name)
        }
    }

    func testConstantAndPastTheEnd() {
        XCTAssertEqual(ConstantSchedule(0.3).learningRate(epoch: 7, step: 70, stepsPerEpoch: 10), 0.3)
        let cosine = CosineDecay(initial: 0.1, totalSteps: 10, minimum: 0.01)
        assertClose(cosine.learningRate(epoch: 0, step: 5, stepsPerEpoch: 10), 0.055)
        XCTAssertEqual(cosine.learningRate(epoch: 5, step: 50, stepsPerEpoch: 10), 0.01)
        let oneCycle = OneCycle(maxLearningRate: 1, totalSteps: 100)
        assertClose(oneCycle.learningRate(epoch: 0, step: 0, stepsPerEpoch: 10), 0.04)
        assertClose(oneCycle.learningRate(epoch: 2, step: 29, stepsPerEpoch: 10), 1)
        XCTAssertEqual(oneCycle.learningRate(epoch: 50, step: 500, stepsPerEpoch: 10), oneCycle.finalLearningRate)
        assertClose(oneCycle.finalLearningRate, 4e-6, rtol: 1e-6, atol: 0)
        XCTAssertEqual(StepDecay(initial: 1, factor: 0.1, everyEpochs: 2).learningRate(epoch: 5, step: 0, stepsPerEpoch: 1),
                       Float(1e-2), accuracy: 1e-9)
    }

    func testReduceOnPlateauReset() {
        let plateau = ReduceOnPlateau(factor: 0.5, patience: 0)
        XCTAssertEqual(plateau.update(metric: 1, current: 1), 1)
        XCTAssertEqual(plateau.update(metric: 2, current: 1), 0.5)
        plateau.reset()
        XCTAssertEqual(plateau.best, .infinity)
        XCTAssertEqual(plateau.update(metric: 2, current: 1), 1)
    }

    /// The schedule a fixture case describes, built through the public initializers.
    private func makeSchedule(_ testCase: ScheduleFixture.Case) throws -> any LearningRateSchedule {
        try makeSchedule(testCase.schedule, testCase)
    }

    /// Schedule `kind` built from `testCase`'s options (a `LinearWarmup` wraps the `then` schedule, whose
    /// options sit beside its own).
    private func makeSchedule(_ kind: String, _ testCase: ScheduleFixture.Case) throws -> any LearningRateSchedule {
        func number(_ key: String) throws -> Float {
            try XCTUnwrap(testCase.options[key]?.number, "\(testCase.name) has no \(key)")
        }
        switch kind {
        case "LinearWarmup":
            let then = try XCTUnwrap(testCase.options["then"]?.text, "\(testCase.name) has no then")
            XCTAssertNotEqual(then, "LinearWarmup")
            return LinearWarmup(try makeSchedule(then, testCase), warmupSteps: Int(try number("warmupSteps")),
                                startFactor: try number("startFactor"))
        case "ConstantSchedule":
            return ConstantSchedule(try number("value"))
        case "StepDecay":
            return StepDecay(initial: try number("initial"), factor: try number("factor"),
                             everyEpochs: Int(try number("everyEpochs")))
        case "ExponentialDecay":
            return ExponentialDecay(initial: try number("initial"), factorPerEpoch: try number("factorPerEpoch"))
        case "CosineDecay":
            return CosineDecay(initial: try number("initial"), totalSteps: Int(try number("totalSteps")),
                               minimum: try number("minimum"))
        case "OneCycle":
            let options = testCase.options
            return OneCycle(maxLearningRate: try number("maxLearningRate"), totalSteps: Int(try number("totalSteps")),
                            warmupFraction: options["warmupFraction"]?.number ?? 0.3,
                            initialDivisor: options["initialDivisor"]?.number ?? 25,
                            finalDivisor: options["finalDivisor"]?.number ?? 1e4)
        default:
            throw ReferenceFixtureError("schedules.json: unknown schedule \(kind) in case \(testCase.name)")
        }
    }
}

/// `Fixtures/schedules.json`, whose format is described at the top of the script that writes it.
struct ScheduleFixture: Decodable {
    /// A number or a word among a case's options.
    enum Option: Decodable {
        case number(Float)
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else {
                self = .number(try container.decode(Float.self))
            }
        }

        var number: Float? { if case .number(let value) = self { value } else { nil } }
        var text: String? { if case .text(let value) = self { value } else { nil } }
    }

    /// A schedule and the rates PyTorch gave per epoch or per step.
    struct Case: Decodable {
        let name: String
        let schedule: String
        let options: [String: Option]
        let per: String
        let learningRates: [Double]
    }

    /// A ReduceLROnPlateau run: the metrics fed in and the rate after each.
    struct Plateau: Decodable {
        let name: String
        let options: [String: Option]
        let initialLearningRate: Float
        let metrics: [Float]
        let learningRates: [Float]
    }

    let epochs: Int
    let stepsPerEpoch: Int
    let cases: [Case]
    let plateaus: [Plateau]

    /// Reads the fixture from the test bundle.
    static func load() throws -> ScheduleFixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "schedules", withExtension: "json",
                                                  subdirectory: "Fixtures"), "Fixtures/schedules.json not bundled")
        return try JSONDecoder().decode(ScheduleFixture.self, from: Data(contentsOf: url))
    }
}
