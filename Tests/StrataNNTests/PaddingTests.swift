import StrataCore
import StrataNN
import StrataTestSupport
import XCTest

/// The two "same" paddings: `same` (extra row and column at the top and left, as PyTorch's symmetric
/// padding) and `sameKeras` (at the bottom and right, as Keras and TensorFlow).
final class PaddingTests: XCTestCase {
    /// The 4×4 image 1…16 in row-major order, as a batch of one `(1, 1, 4, 4)`.
    private let ramp = Tensor(shape: [1, 1, 4, 4], scalars: (1...16).map(Float.init))

    private func built<L: Layer>(_ layer: L, _ inputShape: [Int]) throws -> L {
        var generator = RandomGenerator(seed: 0)
        _ = try layer.build(inputShape: inputShape, generator: &generator)
        return layer
    }

    /// A 3×3 all-ones kernel with stride 2 on the 4×4 ramp, worked out by hand: Keras pads one row and
    /// column at the bottom and right, Strata's `same` one at the top and left.
    func testStrideTwoConvolutionByHand() throws {
        let keras = try built(Conv2D(1, kernelSize: 3, strides: 2, padding: .sameKeras, useBias: false,
                                     kernelInitializer: .ones), [1, 4, 4])
        XCTAssertTrue(keras.paddingAmount == (0, 0) && keras.paddingEndAmount == (1, 1))
        // (0,0): rows 0-2 × cols 0-2; (0,1): rows 0-2 × cols 2-3; (1,0): rows 2-3 × cols 0-2; (1,1): rows 2-3 × cols 2-3.
        XCTAssertEqual(keras(ramp).scalars, [54, 45, 72, 54])
        let symmetric = try built(Conv2D(1, kernelSize: 3, strides: 2, padding: .same, useBias: false,
                                         kernelInitializer: .ones), [1, 4, 4])
        XCTAssertTrue(symmetric.paddingAmount == (1, 1))
        // (0,0): rows 0-1 × cols 0-1; (0,1): rows 0-1 × cols 1-3; (1,0): rows 1-3 × cols 0-1; (1,1): rows 1-3 × cols 1-3.
        XCTAssertEqual(symmetric(ramp).scalars, [14, 30, 57, 99])
    }

    /// 2×2 max pooling on a 3×3 image: Keras's windows start at 0 and 2, Strata's `same` at −1 and 1.
    func testPoolingByHand() throws {
        let image = Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
        XCTAssertEqual(try built(MaxPool2D(2, padding: .sameKeras), [1, 3, 3])(image).scalars, [5, 6, 8, 9])
        XCTAssertEqual(try built(MaxPool2D(2, padding: .same), [1, 3, 3])(image).scalars, [1, 3, 7, 9])
    }

    /// `sameKeras` equals zero padding at the bottom and right followed by a "valid" convolution, on the
    /// fast kernel and with gradients (odd and even inputs, strides 1 to 3, even and odd windows).
    func testSameKerasEqualsExplicitPadding() throws {
        for (size, kernel, stride) in [(8, 3, 2), (7, 3, 2), (6, 2, 1), (9, 4, 3), (5, 5, 1)] {
            var generator = RandomGenerator(seed: UInt64(size * 10 + kernel))
            let input = Tensor(shape: [2, 3, size, size], scalars: (0..<(6 * size * size)).map { _ in generator.nextNormal() })
            let layer = try built(Conv2D(2, kernelSize: kernel, strides: stride, padding: .sameKeras), [3, size, size])
            let output = layer(input)
            let outputSize = (size + stride - 1) / stride
            XCTAssertEqual(output.shape, [2, 2, outputSize, outputSize])
            let total = max((outputSize - 1) * stride + kernel - size, 0)
            let (top, bottom) = (total / 2, total - total / 2)
            // Pad explicitly: zeros around, then the valid convolution.
            var padded = [Float](repeating: 0, count: 6 * (size + total) * (size + total))
            let side = size + total
            for plane in 0..<6 { for y in 0..<size { for x in 0..<size {
                padded[(plane * side + y + top) * side + x + top] = input.scalars[(plane * size + y) * size + x]
            } } }
            let explicit = Tensor(shape: [2, 3, side, side], scalars: padded)
                .conv2d(layer.kernel!, bias: layer.bias, stride: (stride, stride))
            assertClose(output, explicit, rtol: 1e-5, atol: 1e-5, "size \(size) kernel \(kernel) stride \(stride)")
            XCTAssertEqual(bottom - top, total % 2)
        }
    }

    /// Only `same` refuses an even window with stride 1 (it cannot pad symmetrically); Keras pads the bottom.
    func testEvenWindowWithStrideOne() throws {
        XCTAssertThrowsError(try Conv2D(1, kernelSize: 2, padding: .same).outputShape(for: [1, 5, 5]))
        XCTAssertEqual(try Conv2D(1, kernelSize: 2, padding: .sameKeras).outputShape(for: [1, 5, 5]), [1, 5, 5])
    }
}
