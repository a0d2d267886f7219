import StrataCore
import XCTest

/// Fails the calling test unless every element of `actual` is within `atol + rtol * |expected|`
/// of `expected` and the shapes agree; the message names the first differing index.
public func assertClose(_ actual: Tensor, _ expected: Tensor, rtol: Float = 1e-5, atol: Float = 1e-6,
                        _ message: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    guard actual.shape == expected.shape else {
        XCTFail("shape \(actual.shape) != expected \(expected.shape) \(message())", file: file, line: line)
        return
    }
    assertClose(actual.scalars, expected.scalars, rtol: rtol, atol: atol, message(), file: file, line: line)
}

/// Fails the calling test unless the arrays have the same length and agree elementwise within
/// `atol + rtol * |expected|`; the message names the first differing index and the worst error.
public func assertClose(_ actual: [Float], _ expected: [Float], rtol: Float = 1e-5, atol: Float = 1e-6,
                        _ message: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == expected.count else {
        XCTFail("\(actual.count) values != expected \(expected.count) \(message())", file: file, line: line)
        return
    }
    var firstBad: Int?
    var worst: Float = 0
    for i in 0..<actual.count {
        let error = abs(actual[i] - expected[i])
        let allowed = atol + rtol * abs(expected[i])
        if !(error <= allowed) {
            if firstBad == nil { firstBad = i }
            worst = max(worst, error.isNaN ? .infinity : error)
        }
    }
    if let i = firstBad {
        XCTFail("index \(i): \(actual[i]) != expected \(expected[i]) (worst error \(worst), rtol \(rtol), atol \(atol)) \(message())",
                file: file, line: line)
    }
}

/// Fails the calling test unless `actual` is within `atol + rtol * |expected|` of `expected`.
public func assertClose(_ actual: Float, _ expected: Float, rtol: Float = 1e-5, atol: Float = 1e-6,
                        _ message: @autoclosure () -> String = "",
                        file: StaticString = #filePath, line: UInt = #line) {
    assertClose([actual], [expected], rtol: rtol, atol: atol, message(), file: file, line: line)
}
