import Foundation
@testable import StrataCore
import StrataTestSupport
import XCTest

/// The vectorized Float32 → bfloat16 rounding against its plain reference, and the precision switch.
final class BFloat16ConversionTests: XCTestCase {
    /// Float32 values where rounding is easy to get wrong: zeros, ties, the largest finite values,
    /// subnormals, infinities and NaNs of both signs.
    static let edgeCases: [Float] = [
        0, -0, 1, -1, 1 + 0x1p-8, 1 + 3 * 0x1p-8, 1 + 0x1p-8 + 0x1p-23, -(1 + 0x1p-8), 3.140625, 0.1,
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, Float(bitPattern: 0x7F7F_8000), Float(bitPattern: 0x7F7F_7FFF),
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, Float(bitPattern: 0x0000_8000),
        .infinity, -.infinity, .nan, -.nan, Float(bitPattern: 0x7F80_0001), Float(bitPattern: 0xFFC1_2345),
    ]

    func testReferenceRoundsKnownValues() {
        XCTAssertEqual(BFloat16Conversion.referenceBits(1), 0x3F80)
        XCTAssertEqual(BFloat16Conversion.referenceBits(1 + 0x1p-8), 0x3F80, "a tie goes to the even neighbour (down)")
        XCTAssertEqual(BFloat16Conversion.referenceBits(1 + 3 * 0x1p-8), 0x3F82, "a tie goes to the even neighbour (up)")
        XCTAssertEqual(BFloat16Conversion.referenceBits(1 + 0x1p-8 + 0x1p-23), 0x3F81, "past the tie rounds up")
        XCTAssertEqual(BFloat16Conversion.referenceBits(-2.5), 0xC020)
        XCTAssertEqual(BFloat16Conversion.referenceBits(Float(bitPattern: 0x7F7F_8000)), 0x7F80, "overflow to infinity")
        XCTAssertEqual(BFloat16Conversion.referenceBits(Float(bitPattern: 0x7F7F_7FFF)), 0x7F7F)
        XCTAssertEqual(BFloat16Conversion.referenceBits(.infinity), 0x7F80)
        XCTAssertEqual(BFloat16Conversion.referenceBits(Float(bitPattern: 0x7F80_0001)), 0x7FC0, "a NaN stays a quiet NaN")
        XCTAssertEqual(BFloat16Conversion.float(0x4049), 3.140625)
    }

    func testVectorizedConversionMatchesReference() {
        // Random bit patterns cover every exponent, sign and NaN payload; 16-wide chunks and a tail.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var values = Self.edgeCases
        for _ in 0..<100_003 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32)))
        }
        var converted = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { source in
            converted.withUnsafeMutableBufferPointer {
                BFloat16Conversion.convert(source.baseAddress!, to: $0.baseAddress!, count: values.count)
            }
        }
        for (index, value) in values.enumerated() {
            let expected = BFloat16Conversion.referenceBits(value)
            if converted[index] != expected || BFloat16Conversion.bits(value) != expected {
                XCTFail("value \(value) (0x\(String(value.bitPattern, radix: 16))): vector 0x\(String(converted[index], radix: 16)), "
                        + "scalar 0x\(String(BFloat16Conversion.bits(value), radix: 16)), reference 0x\(String(expected, radix: 16))")
                return
            }
        }
    }

    func testConvertMatrixSkipsThePaddingOfEachRow() {
        // A (3, 5) matrix stored with 8 floats per row; the padding holds values that must not appear.
        var stored = [Float](repeating: 1e30, count: 24)
        for row in 0..<3 { for column in 0..<5 { stored[row * 8 + column] = Float(row * 5 + column) + 0.5 } }
        var converted = [UInt16](repeating: 0, count: 15)
        stored.withUnsafeBufferPointer { source in
            converted.withUnsafeMutableBufferPointer {
                BFloat16Conversion.convertMatrix(source.baseAddress!, rows: 3, columns: 5, leadingDimension: 8,
                                                 to: $0.baseAddress!)
            }
        }
        XCTAssertEqual(converted.map(BFloat16Conversion.float), (0..<15).map { Float($0) + 0.5 })
    }

    func testRoundedToBFloat16KeepsShapeAndRounds() {
        let x = Tensor(shape: [2, 2], scalars: [1 + 0x1p-8 + 0x1p-23, 3.14159, -0.1, 65_504])
        let rounded = x.roundedToBFloat16()
        XCTAssertEqual(rounded.shape, [2, 2])
        XCTAssertEqual(rounded.scalars, x.scalars.map { BFloat16Conversion.float(BFloat16Conversion.referenceBits($0)) })
        XCTAssertEqual(rounded.scalars[0], 1 + 0x1p-7)
    }

    func testPrecisionScopeIsPerThreadAndNests() {
        XCTAssertEqual(Precision.current, .float32)
        Precision.with(.bfloat16) {
            XCTAssertEqual(Precision.current, .bfloat16)
            Precision.with(.float32) { XCTAssertEqual(Precision.current, .float32) }
            XCTAssertEqual(Precision.current, .bfloat16)
            let seen = SeenPrecision()
            let done = DispatchSemaphore(value: 0)
            Thread {
                seen.value = Precision.current
                done.signal()
            }.start()
            done.wait()
            XCTAssertEqual(seen.value, .float32, "another thread keeps its own precision")
        }
        XCTAssertEqual(Precision.current, .float32)
    }

    func testNativeBFloat16NeedsTheAVX512BF16InstructionSet() {
        // oneDNN 2.6's dnnl_cpu_isa_t values.
        XCTAssertFalse(Precision.isBFloat16Native(isa: 0x7))        // avx2
        XCTAssertFalse(Precision.isBFloat16Native(isa: 0x407))      // avx2_vnni
        XCTAssertFalse(Precision.isBFloat16Native(isa: 0x27))       // avx512_core
        XCTAssertFalse(Precision.isBFloat16Native(isa: 0x67))       // avx512_core_vnni
        XCTAssertTrue(Precision.isBFloat16Native(isa: 0xE7))        // avx512_core_bf16
        XCTAssertTrue(Precision.isBFloat16Native(isa: 0x3E7))       // avx512_core_amx
    }

    func testRequestResolvesAgainstTheMachine() throws {
        for native in [false, true] {
            XCTAssertEqual(try PrecisionRequest.float32.resolved(bfloat16IsNative: native, isaName: "x"), .float32)
            XCTAssertEqual(try PrecisionRequest.automatic.resolved(bfloat16IsNative: native, isaName: "x"),
                           native ? .bfloat16 : .float32)
        }
        XCTAssertEqual(try PrecisionRequest.bfloat16.resolved(bfloat16IsNative: true, isaName: "avx512_core_bf16"), .bfloat16)
        XCTAssertThrowsError(try PrecisionRequest.bfloat16.resolved(bfloat16IsNative: false, isaName: "avx2")) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains("avx2") && message.contains("--precision auto"), message)
        }
        XCTAssertEqual(PrecisionRequest(name: "bfloat16"), .bfloat16)
        XCTAssertEqual(PrecisionRequest(name: "AUTO"), .automatic)
        XCTAssertNil(PrecisionRequest(name: "fp16"))
    }
}

/// The precision another thread saw (written by that thread before it signals, read after the wait).
private final class SeenPrecision: @unchecked Sendable {
    var value: Precision?
}
