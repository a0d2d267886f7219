import StrataCore
import XCTest

/// `conv2d(relu: true)` and `Tensor.addReLU`, which compute the ReLU in their own output buffer,
/// against the op followed by `.relu()`: the same bits forward and in every gradient, and one buffer
/// fewer kept for the backward pass.
final class FusedReLUTests: XCTestCase {
    private func bits(_ tensor: Tensor?) -> [UInt32] { tensor?.scalars.map(\.bitPattern) ?? [] }

    private func leaves(seed: UInt64) -> (x: Tensor, w: Tensor, b: Tensor) {
        (Tensor.randomNormal([2, 3, 7, 6], seed: seed, requiresGrad: true),
         Tensor.randomNormal([4, 3, 3, 3], seed: seed + 1, requiresGrad: true),
         Tensor.randomNormal([4], seed: seed + 2, requiresGrad: true))
    }

    func testConvolutionWithReLUMatchesConvolutionThenReLU() throws {
        let upstream = Tensor.randomNormal([2, 4, 7, 6], seed: 9)
        for algorithm in [ConvolutionAlgorithm.oneDNNBlocked, .im2colGEMM] {
            let fused = leaves(seed: 1), plain = leaves(seed: 1)
            let y = fused.x.conv2d(fused.w, bias: fused.b, padding: (1, 1), relu: true, algorithm: algorithm)
            let z = plain.x.conv2d(plain.w, bias: plain.b, padding: (1, 1), algorithm: algorithm).relu()
            XCTAssertEqual(bits(y), bits(z), "\(algorithm) forward")
            XCTAssertTrue(y.scalars.contains(0) && y.scalars.allSatisfy { $0 >= 0 })
            try (y * upstream).sum().backward()
            try (z * upstream).sum().backward()
            XCTAssertEqual(bits(fused.x.grad), bits(plain.x.grad), "\(algorithm) input gradient")
            XCTAssertEqual(bits(fused.w.grad), bits(plain.w.grad), "\(algorithm) weight gradient")
            XCTAssertEqual(bits(fused.b.grad), bits(plain.b.grad), "\(algorithm) bias gradient")
        }
    }

    func testAddReLUMatchesSumThenReLUWithBroadcasting() throws {
        let a = Tensor.randomNormal([3, 5], seed: 4, requiresGrad: true), b = Tensor.randomNormal([5], seed: 5, requiresGrad: true)
        let c = a.detached(), d = b.detached()
        c.requiresGrad = true
        d.requiresGrad = true
        let upstream = Tensor.randomNormal([3, 5], seed: 6)
        let fused = Tensor.addReLU(a, b), plain = (c + d).relu()
        XCTAssertEqual(bits(fused), bits(plain))
        try (fused * upstream).sum().backward()
        try (plain * upstream).sum().backward()
        XCTAssertEqual(bits(a.grad), bits(c.grad))
        XCTAssertEqual(bits(b.grad), bits(d.grad), "the broadcast operand's gradient is summed the same way")
    }

    func testFusedConvolutionKeepsOneActivationForBackward() {
        let pool = BufferPool.shared
        let x = Tensor.randomNormal([8, 3, 32, 32], seed: 7), w = Tensor.randomNormal([16, 3, 3, 3], seed: 8, requiresGrad: true)
        let activation = 8 * 16 * 32 * 32 * MemoryLayout<Float>.stride
        _ = x.conv2d(w, padding: (1, 1)).relu()  // warm-up: whatever the kernel caches is made now
        let before = pool.liveBytes
        let fused = x.conv2d(w, padding: (1, 1), relu: true)
        let fusedLive = pool.liveBytes - before
        let plain = x.conv2d(w, padding: (1, 1)).relu()
        let plainLive = pool.liveBytes - before - fusedLive
        XCTAssertEqual(plainLive - fusedLive, activation, "the unfused pair keeps the pre-activation buffer too")
        withExtendedLifetime((fused, plain)) {}
    }
}
