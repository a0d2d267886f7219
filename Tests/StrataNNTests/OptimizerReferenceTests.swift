import Foundation
import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// Every optimizer against PyTorch: the same initial parameters and the same fixed gradients for five
/// steps (parameter `b` has none at step 2), compared after each step with the values that
/// `scripts/make-optimizer-reference.py` recorded from `torch.optim`.
final class OptimizerReferenceTests: XCTestCase {
    /// Float32 updates whose operations are ordered slightly differently from PyTorch's (and whose
    /// scalar coefficients are rounded from Float, not Double) differ by a few ulps per step: after five
    /// steps the worst error seen is about 5e-7 (RMSprop centered), ten times inside these bounds, while
    /// a wrong rule (even epsilon in the wrong place, see the large-epsilon cases) is off by far more.
    let rtol: Float = 1e-5
    let atol: Float = 1e-6

    func testEveryOptimizerMatchesPyTorch() throws {
        let fixture = try OptimizerFixture.load()
        XCTAssertEqual(fixture.cases.count, 13)
        for testCase in fixture.cases {
            let parameters = fixture.makeParameters()
            let optimizer = try makeOptimizer(testCase)
            for (index, gradients) in fixture.gradients.enumerated() {
                for parameter in parameters {
                    parameter.tensor.grad = (gradients[parameter.name] ?? nil).map {
                        Tensor(shape: parameter.tensor.shape, scalars: $0)
                    }
                }
                optimizer.step(parameters)
                for parameter in parameters {
                    let expected = try XCTUnwrap(testCase.steps[index][parameter.name])
                    assertClose(parameter.tensor.scalars, expected, rtol: rtol, atol: atol,
                                "\(testCase.name), step \(index), parameter \(parameter.name)")
                }
            }
            XCTAssertEqual(optimizer.iterations, fixture.gradients.count, testCase.name)
        }
    }

    func testFixtureCoversEveryOptimizerKind() throws {
        let kinds = Set(try OptimizerFixture.load().cases.map(\.optimizer))
        XCTAssertEqual(kinds, ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"])
    }

    /// The optimizer a fixture case describes, built through the public initializers.
    private func makeOptimizer(_ testCase: OptimizerFixture.Case) throws -> any Optimizer {
        let options = testCase.options
        func number(_ key: String, _ fallback: Float) -> Float { options[key]?.number ?? fallback }
        func flag(_ key: String) -> Bool { options[key]?.flag ?? false }
        let lr = try XCTUnwrap(options["learningRate"]?.number, "\(testCase.name) has no learningRate")
        let wd = number("weightDecay", 0)
        let optimizer: any Optimizer
        switch testCase.optimizer {
        case "SGD":
            optimizer = SGD(learningRate: lr, momentum: number("momentum", 0), nesterov: flag("nesterov"),
                            weightDecay: wd)
        case "Adam":
            optimizer = Adam(learningRate: lr, epsilon: number("epsilon", 1e-8), weightDecay: wd,
                             amsgrad: flag("amsgrad"))
        case "AdamW":
            optimizer = AdamW(learningRate: lr, epsilon: number("epsilon", 1e-8), weightDecay: wd,
                              amsgrad: flag("amsgrad"))
        case "RMSprop":
            optimizer = RMSprop(learningRate: lr, epsilon: number("epsilon", 1e-8), momentum: number("momentum", 0),
                                centered: flag("centered"), weightDecay: wd)
        case "Adagrad":
            optimizer = Adagrad(learningRate: lr, initialAccumulator: number("initialAccumulator", 0),
                                epsilon: number("epsilon", 1e-10), weightDecay: wd)
        default:
            throw ReferenceFixtureError("optimizers.json: unknown optimizer \(testCase.optimizer) in case \(testCase.name)")
        }
        if let norm = testCase.clipping?["norm"] { optimizer.gradientClipping = .norm(norm) }
        if let value = testCase.clipping?["value"] { optimizer.gradientClipping = .value(value) }
        return optimizer
    }
}

/// `Fixtures/optimizers.json`, whose format is described at the top of the script that writes it.
struct OptimizerFixture: Decodable {
    /// A parameter's shape and values.
    struct Initial: Decodable {
        let shape: [Int]
        let values: [Float]
    }

    /// A number or a flag among a case's options.
    enum Option: Decodable {
        case number(Float)
        case flag(Bool)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) {
                self = .flag(flag)
            } else {
                self = .number(try container.decode(Float.self))
            }
        }

        var number: Float? { if case .number(let value) = self { value } else { nil } }
        var flag: Bool? { if case .flag(let value) = self { value } else { nil } }
    }

    /// One optimizer configuration and the parameters PyTorch produced after each step.
    struct Case: Decodable {
        let name: String
        let optimizer: String
        let options: [String: Option]
        let clipping: [String: Float]?
        let steps: [[String: [Float]]]
    }

    let initial: [String: Initial]
    let gradients: [[String: [Float]?]]
    let cases: [Case]

    /// Reads the fixture from the test bundle.
    static func load() throws -> OptimizerFixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "optimizers", withExtension: "json",
                                                  subdirectory: "Fixtures"), "Fixtures/optimizers.json not bundled")
        return try JSONDecoder().decode(OptimizerFixture.self, from: Data(contentsOf: url))
    }

    /// Fresh parameters holding the initial values, in name order.
    func makeParameters() -> [Parameter] {
        initial.keys.sorted().map { name in
            let value = initial[name]!
            return Parameter(name: name, tensor: Tensor(shape: value.shape, scalars: value.values, requiresGrad: true))
        }
    }
}
