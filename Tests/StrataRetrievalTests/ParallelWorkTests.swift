import Foundation
import StrataCore
import XCTest
@testable import StrataRetrieval

final class ParallelWorkTests: XCTestCase {
    /// Every part runs exactly once, on no more threads than the thread count; with one thread all
    /// of them run on the calling thread.
    func testPartsRunOnceOnAtMostTheThreadCount() {
        let threads = ThreadPolicy.threadCount
        defer { ThreadPolicy.setThreadCount(threads) }
        for count in [1, 2] {
            ThreadPolicy.setThreadCount(count)
            let lock = NSLock()
            var runs = [Int](repeating: 0, count: 37), workers = Set<pthread_t>()
            ParallelWork.run(parts: 37) { part in
                lock.lock()
                runs[part] += 1
                workers.insert(pthread_self())
                lock.unlock()
            }
            XCTAssertEqual(runs, [Int](repeating: 1, count: 37), "\(count) threads")
            XCTAssertLessThanOrEqual(workers.count, count, "\(count) threads")
            if count == 1 { XCTAssertEqual(workers, [pthread_self()]) }
        }
    }
}
