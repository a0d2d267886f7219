import Dispatch
@testable import StrataCore
import StrataTestSupport
import XCTest

final class DNNLPrimitiveCacheTests: XCTestCase {
    /// A stand-in for a primitive: the cache is generic over what it holds.
    private final class Box {
        let key: Int
        init(_ key: Int) { self.key = key }
    }

    /// The same key gives the same object to every caller, even when many threads ask at the same time
    /// (two racing callers may both make one; only the first made is kept).
    func testSameKeyGivesSameObject() {
        let cache = DNNLPrimitiveCache<Int, Box>()
        let lock = NSLock()
        var made = 0
        var boxes = [Box?](repeating: nil, count: 16)
        boxes.withUnsafeMutableBufferPointer { results in
            let slots = results
            DispatchQueue.concurrentPerform(iterations: 16) { index in
                slots[index] = cache.primitive(for: index % 2) {
                    lock.lock(); made += 1; lock.unlock()
                    return Box(index % 2)
                }
            }
        }
        XCTAssertEqual(cache.count, 2)
        XCTAssertGreaterThanOrEqual(made, 2)
        let first = cache.primitive(for: 0) { XCTFail("made again"); return Box(0) }
        let second = cache.primitive(for: 1) { XCTFail("made again"); return Box(1) }
        for (index, box) in boxes.enumerated() {
            XCTAssertTrue(box === (index % 2 == 0 ? first : second), "every caller gets the one cached object")
        }
    }

    /// A full cache is emptied before it grows past its capacity.
    func testCapacity() {
        let cache = DNNLPrimitiveCache<Int, Box>(capacity: 3)
        for key in 0..<3 { _ = cache.primitive(for: key) { Box(key) } }
        XCTAssertEqual(cache.count, 3)
        _ = cache.primitive(for: 3) { Box(3) }
        XCTAssertEqual(cache.count, 1)
    }

    /// oneDNN kernels called from several threads at once give the same results as one at a time.
    func testConcurrentConvolutions() {
        var generator = RandomGenerator(seed: 4)
        let input = Tensor(shape: [2, 3, 8, 8], scalars: (0..<384).map { _ in generator.nextNormal() })
        let weight = Tensor(shape: [4, 3, 3, 3], scalars: (0..<108).map { _ in generator.nextNormal() })
        let expected = input.conv2d(weight, padding: (1, 1)).scalars
        var results = [[Float]](repeating: [], count: 8)
        results.withUnsafeMutableBufferPointer { slots in
            let slots = slots
            DispatchQueue.concurrentPerform(iterations: 8) { index in
                slots[index] = input.conv2d(weight, padding: (1, 1)).maxPool2d(kernel: (2, 2)).scalars
            }
        }
        let pooled = input.conv2d(weight, padding: (1, 1)).maxPool2d(kernel: (2, 2)).scalars
        XCTAssertEqual(expected.count, 2 * 4 * 8 * 8)
        for result in results { XCTAssertEqual(result, pooled) }
    }
}
