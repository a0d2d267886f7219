import Foundation
import StrataCore
import XCTest

/// One JSON file of PyTorch reference values written by `scripts/make-reference.py`: the inputs,
/// outputs, probes and gradients of each case of one op family (see `Fixtures/README.md`).
///
/// `Bundle.module` belongs to the target that declares the resources, so the test target passes its
/// own bundle in:
///
/// ```swift
/// let fixture = try ReferenceFixture.load("losses", in: Bundle.module)
/// let logits = try fixture.case("cross_entropy_labels").tensor("logits", requiresGrad: true)
/// ```
public struct ReferenceFixture: Decodable {
    /// The script that wrote the file.
    public let generator: String
    /// The PyTorch version that computed the values.
    public let torch: String
    /// The cases, in the order the script wrote them.
    public let cases: [ReferenceCase]

    /// Decodes the fixture file at `url`.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ReferenceFixtureError("cannot read fixture \(url.path): \(error)")
        }
        do { self = try JSONDecoder().decode(ReferenceFixture.self, from: data) } catch {
            throw ReferenceFixtureError("cannot decode fixture \(url.path): \(error)")
        }
    }

    /// Loads `Fixtures/<name>.json` from `bundle` (the test target's `Bundle.module`).
    public static func load(_ name: String, in bundle: Bundle) throws -> ReferenceFixture {
        let url = bundle.url(forResource: name, withExtension: "json", subdirectory: "Fixtures")
            ?? bundle.resourceURL?.appendingPathComponent("Fixtures/\(name).json")
        guard let url, FileManager.default.fileExists(atPath: url.path) else {
            throw ReferenceFixtureError("no fixture Fixtures/\(name).json in bundle \(bundle.bundlePath)")
        }
        return try ReferenceFixture(contentsOf: url)
    }

    /// The case called `name`; throws naming the available cases when there is none.
    public func `case`(_ name: String) throws -> ReferenceCase {
        guard let found = cases.first(where: { $0.name == name }) else {
            throw ReferenceFixtureError("no case \"\(name)\"; the fixture has \(cases.map(\.name))")
        }
        return found
    }

    /// The cases whose `op` is `op`.
    public func cases(op: String) -> [ReferenceCase] { cases.filter { $0.op == op } }
}

/// One case of a `ReferenceFixture`: its name, the PyTorch op, scalar parameters and named tensors.
public struct ReferenceCase: Decodable {
    /// The case's unique name within its file, e.g. "conv2d_stride2_pad1".
    public let name: String
    /// The PyTorch function it exercises, e.g. "conv2d" or "cross_entropy".
    public let op: String
    /// Everything but tensors: strides, flags, integer labels…
    public let params: [String: FixtureValue]
    /// The stored tensors: inputs, "probe", "output" and "grad_<input>".
    public let tensors: [String: StoredTensor]

    /// The tensor stored under `key`, as a new leaf.
    public func tensor(_ key: String, requiresGrad: Bool = false) throws -> Tensor {
        guard let stored = tensors[key] else {
            throw ReferenceFixtureError("case \(name): no tensor \"\(key)\"; it has \(tensors.keys.sorted())")
        }
        guard stored.data.count == stored.shape.reduce(1, *) else {
            throw ReferenceFixtureError("case \(name): tensor \(key) has \(stored.data.count) values for shape \(stored.shape)")
        }
        return Tensor(shape: stored.shape, scalars: stored.data, requiresGrad: requiresGrad)
    }

    /// Whether a tensor is stored under `key`.
    public func has(_ key: String) -> Bool { tensors[key] != nil }

    /// The parameter `key`, or a thrown error naming the case and key.
    public func param(_ key: String) throws -> FixtureValue {
        guard let value = params[key] else {
            throw ReferenceFixtureError("case \(name): no parameter \"\(key)\"; it has \(params.keys.sorted())")
        }
        return value
    }

    /// The integer parameter `key`.
    public func int(_ key: String) throws -> Int {
        guard case .number(let value) = try param(key), let int = Int(exactly: value) else {
            throw ReferenceFixtureError("case \(name): parameter \(key) is not an integer")
        }
        return int
    }

    /// The floating-point parameter `key`.
    public func float(_ key: String) throws -> Float {
        guard case .number(let value) = try param(key) else {
            throw ReferenceFixtureError("case \(name): parameter \(key) is not a number")
        }
        return Float(value)
    }

    /// The Boolean parameter `key`.
    public func bool(_ key: String) throws -> Bool {
        guard case .bool(let value) = try param(key) else {
            throw ReferenceFixtureError("case \(name): parameter \(key) is not a Boolean")
        }
        return value
    }

    /// The list of integers `key` (strides, labels…), or nil when it is stored as null.
    public func ints(_ key: String) throws -> [Int]? {
        switch try param(key) {
        case .null: return nil
        case .array(let values):
            return try values.map { value in
                guard case .number(let number) = value, let int = Int(exactly: number) else {
                    throw ReferenceFixtureError("case \(name): parameter \(key) is not a list of integers")
                }
                return int
            }
        default: throw ReferenceFixtureError("case \(name): parameter \(key) is not a list")
        }
    }

    /// The pair of integers `key`, e.g. a stride stored as [2, 2].
    public func pair(_ key: String) throws -> (Int, Int) {
        guard let values = try ints(key), values.count == 2 else {
            throw ReferenceFixtureError("case \(name): parameter \(key) is not a pair of integers")
        }
        return (values[0], values[1])
    }
}

extension ReferenceCase {
    /// Recomputes this case with Strata and compares it with PyTorch's values.
    ///
    /// Makes a leaf that requires gradients for each of `inputs`, computes `body` from them, compares
    /// the result with "output", runs `backward(gradient: probe)` and compares each input's gradient
    /// with "grad_<input>". Every "grad_*" tensor of the case must belong to one of `inputs`, so none
    /// goes unchecked. Returns the leaves (for checks of side effects).
    @discardableResult
    public func checkParity(inputs: [String], rtol: Float = 1e-4, atol: Float = 1e-5,
                            file: StaticString = #filePath, line: UInt = #line,
                            _ body: ([String: Tensor]) throws -> Tensor) throws -> [String: Tensor] {
        let storedGradients = Set(tensors.keys.filter { $0.hasPrefix("grad_") })
        XCTAssertEqual(storedGradients, Set(inputs.map { "grad_" + $0 }),
                       "\(name): the inputs differ from the stored gradients", file: file, line: line)
        var leaves: [String: Tensor] = [:]
        for input in inputs { leaves[input] = try tensor(input, requiresGrad: true) }
        let output = try body(leaves)
        assertClose(output, try tensor("output"), rtol: rtol, atol: atol, "\(name): output", file: file, line: line)
        try output.backward(gradient: try tensor("probe"))
        for input in inputs {
            guard let gradient = leaves[input]?.grad else {
                XCTFail("\(name): no gradient reached \(input)", file: file, line: line)
                continue
            }
            assertClose(gradient, try tensor("grad_" + input), rtol: rtol, atol: atol,
                        "\(name): gradient of \(input)", file: file, line: line)
        }
        return leaves
    }
}

/// A tensor as stored in a fixture: its shape and its values in row-major order.
public struct StoredTensor: Decodable {
    /// The size of each dimension ([] for a scalar).
    public let shape: [Int]
    /// The values, row-major.
    public let data: [Float]
}

/// A JSON value of a fixture's "params".
public enum FixtureValue: Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([FixtureValue])
    case object([String: FixtureValue])

    /// Decodes whichever JSON value is there.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([FixtureValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: FixtureValue].self)) }
    }
}

/// A fixture that is missing, unreadable or lacks what a test asked for; the message names it.
public struct ReferenceFixtureError: Error, CustomStringConvertible {
    /// What went wrong, naming the file, case or key.
    public let description: String

    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
