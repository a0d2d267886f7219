import Foundation
import StrataCore
import XCTest

final class ProcessMemoryTests: XCTestCase {
    func testParsesResidentAndPeakFromStatusText() throws {
        let text = "Name:\tstrata-bench\nVmPeak:\t  900000 kB\nVmHWM:\t    52344 kB\nVmRSS:\t    51200 kB\nThreads:\t3\n"
        let memory = try XCTUnwrap(ProcessMemory(statusText: text))
        XCTAssertEqual(memory.residentBytes, 51200 * 1024)
        XCTAssertEqual(memory.peakResidentBytes, 52344 * 1024)
    }

    func testRefusesStatusTextWithoutBothSizes() {
        XCTAssertNil(ProcessMemory(statusText: "Name:\tx\nVmRSS:\t 12 kB\n"), "no VmHWM line")
        XCTAssertNil(ProcessMemory(statusText: "VmHWM:\t 12 kB\nVmRSS:\t twelve kB\n"), "not a number")
        XCTAssertNil(ProcessMemory(statusText: "VmHWM:\t 12 kB\nVmRSS:\t 12 MB\n"), "not in kB")
    }

    func testPeakFollowsTouchedMemoryAndResets() throws {
        let before = try XCTUnwrap(ProcessMemory.current(), "/proc/self/status is readable on Linux")
        XCTAssertGreaterThan(before.residentBytes, 0)
        XCTAssertGreaterThanOrEqual(before.peakResidentBytes, before.residentBytes)
        let bytes = 96 << 20
        // mmap and munmap, not the allocator: the pages go back to the system at once, also under
        // AddressSanitizer, whose allocator keeps freed blocks in quarantine.
        let mapped = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        let buffer = try XCTUnwrap(mapped == MAP_FAILED ? nil : mapped, "mmap of \(bytes) bytes")
        memset(buffer, 1, bytes)  // touched, so resident
        let touched = try XCTUnwrap(ProcessMemory.current())
        XCTAssertGreaterThanOrEqual(touched.peakResidentBytes, before.residentBytes + bytes / 2)
        XCTAssertEqual(munmap(buffer, bytes), 0)
        guard ProcessMemory.resetPeak() else { return }  // refused in some sandboxes: nothing more to check
        let reset = try XCTUnwrap(ProcessMemory.current())
        XCTAssertLessThan(reset.peakResidentBytes, touched.peakResidentBytes - bytes / 2,
                          "the peak falls back to the current size once reset")
    }
}
