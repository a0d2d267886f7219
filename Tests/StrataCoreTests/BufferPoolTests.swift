@testable import StrataCore
import XCTest

/// `BufferPool` on pools of its own (not the shared one): size classes, reuse, the cap and trimming.
final class BufferPoolTests: XCTestCase {
    func testSizeClassesRoundUpByAtMostAnEighth() {
        XCTAssertEqual(BufferPool.sizeClass(for: 0), 16)
        XCTAssertEqual(BufferPool.sizeClass(for: 16), 16)
        XCTAssertEqual(BufferPool.sizeClass(for: 17), 18)
        XCTAssertEqual(BufferPool.sizeClass(for: 1000), 1024)
        XCTAssertEqual(BufferPool.sizeClass(for: 65_536), 65_536, "a power of two is its own class")
        XCTAssertEqual(BufferPool.sizeClass(for: 65_537), 73_728)
        for count in [17, 100, 999, 4097, 123_457, 2_768_896, 50_000_001] {
            let size = BufferPool.sizeClass(for: count)
            XCTAssertGreaterThanOrEqual(size, count)
            XCTAssertLessThanOrEqual(Double(size), Double(count) * 1.125, "\(count) → \(size)")
            XCTAssertEqual(BufferPool.sizeClass(for: size), size, "a class is its own class")
        }
    }

    func testReusesABufferForANearbySizeAndCountsRequestedBytes() {
        let pool = BufferPool(capacityBytes: 1 << 20, trimPeriod: 0)
        let first = pool.take(count: 1000)
        XCTAssertEqual(pool.liveBytes, 4000)
        pool.give(first, count: 1000)
        XCTAssertEqual(pool.liveBytes, 0)
        XCTAssertEqual(pool.cachedBytes, 4096, "cached at its class's size, 1024 elements")
        let nearby = pool.take(count: 1010)
        XCTAssertEqual(nearby, first, "1010 elements share 1000's class")
        nearby[1009] = 1  // the whole request is usable
        XCTAssertEqual(pool.cachedBytes, 0)
        let other = pool.take(count: 2000)
        XCTAssertNotEqual(other, first)
        XCTAssertEqual(pool.peakLiveBytes, 4040 + 8000)
        pool.give(nearby, count: 1010)
        pool.give(other, count: 2000)
        pool.drain()
        XCTAssertEqual(pool.cachedBytes, 0)
    }

    func testFreesWhatWouldExceedTheCapacity() {
        let pool = BufferPool(capacityBytes: 8192, trimPeriod: 0)
        let buffers = (0..<3).map { _ in pool.take(count: 1024) }
        for buffer in buffers { pool.give(buffer, count: 1024) }
        XCTAssertEqual(pool.cachedBytes, 8192, "two 4 KiB buffers fit; the third is freed")
        let again = (0..<3).map { _ in pool.take(count: 1024) }
        XCTAssertEqual(Set(again.prefix(2)), Set(buffers.prefix(2)))
        for buffer in again { pool.give(buffer, count: 1024) }
        pool.drain()
    }

    func testTrimFreesOnlyBuffersIdleForAWholePeriod() {
        let pool = BufferPool(capacityBytes: 1 << 20, trimPeriod: 0)
        let idle = pool.take(count: 4096), busy = pool.take(count: 256)
        pool.give(idle, count: 4096)
        pool.give(busy, count: 256)
        XCTAssertEqual(pool.trim(), 0, "a trim frees only what sat unused since the previous one")
        pool.give(pool.take(count: 256), count: 256)  // the small class is used in this period
        XCTAssertEqual(pool.trim(), 4096 * 4, "the 4096-element buffer stayed idle the whole period")
        XCTAssertEqual(pool.cachedBytes, 256 * 4)
        XCTAssertEqual(pool.take(count: 256), busy, "the buffer in use each period stays")
        pool.give(busy, count: 256)
        pool.drain()
    }

    func testTrimsItselfEveryPeriodOfRequests() {
        let pool = BufferPool(capacityBytes: 1 << 20, trimPeriod: 4)
        pool.give(pool.take(count: 8192), count: 8192)  // request 1
        XCTAssertEqual(pool.cachedBytes, 8192 * 4)
        for _ in 0..<6 { pool.give(pool.take(count: 64), count: 64) }  // requests 2…7: a trim at 4
        XCTAssertEqual(pool.cachedBytes, (8192 + 64) * 4, "the first trim starts the big buffer's idle period")
        for _ in 0..<4 { pool.give(pool.take(count: 64), count: 64) }  // requests 8…11: a trim at 8
        XCTAssertEqual(pool.cachedBytes, 64 * 4, "idle a whole period: given back")
        pool.drain()
    }

    func testConcurrentTakesAndGivesKeepTheCountsBalanced() {
        let pool = BufferPool(capacityBytes: 1 << 20, trimPeriod: 64)
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for step in 0..<2000 {
                let count = 100 + (worker * 37 + step) % 900
                let buffer = pool.take(count: count)
                buffer[count - 1] = Float(step)
                pool.give(buffer, count: count)
            }
        }
        XCTAssertEqual(pool.liveBytes, 0)
        XCTAssertLessThanOrEqual(pool.cachedBytes, 1 << 20)
        pool.drain()
        XCTAssertEqual(pool.cachedBytes, 0)
    }
}
