import Foundation
@testable import StrataData
import XCTest

/// A fresh folder under the system's temporary directory, removed when the object goes away.
final class TemporaryFolder {
    /// The folder.
    let url: URL

    init(_ label: String = #function) {
        let safe = label.filter { $0.isLetter || $0.isNumber }
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("strata-data-tests-\(safe)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The path of `name` inside the folder (sub-folders created as needed).
    func file(_ name: String) -> URL {
        let result = url.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: result.deletingLastPathComponent(), withIntermediateDirectories: true)
        return result
    }

    /// Writes raw bytes to `name` and returns its URL.
    @discardableResult
    func write(_ bytes: [UInt8], to name: String) -> URL {
        let target = file(name)
        try! Data(bytes).write(to: target)
        return target
    }
}

/// Tiny synthetic datasets for tests.
enum Fixtures {
    /// `count` images `(1, height, width)` whose pixels encode their index, with labels cycling through
    /// `classes` (so every class has `count / classes` images).
    static func dataset(count: Int, classes: Int = 10, height: Int = 4, width: Int = 4, channels: Int = 1) -> Dataset {
        let size = channels * height * width
        var pixels = [UInt8](repeating: 0, count: count * size)
        for index in 0..<count {
            for offset in 0..<size { pixels[index * size + offset] = UInt8((index * 7 + offset * 13) % 256) }
        }
        return try! Dataset(name: "fixture", images: pixels, labels: (0..<count).map { $0 % classes },
                            channels: channels, height: height, width: width,
                            classNames: (0..<classes).map { "class\($0)" })
    }

    /// An IDX header: 00 00 type ndims, then each size as big-endian UInt32.
    static func idxHeader(type: UInt8, shape: [UInt32]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for size in shape { withUnsafeBytes(of: size.bigEndian) { bytes += $0 } }
        return bytes
    }

    /// Writes an images file `(n, h, w)` and a labels file `(n)` in `folder` with the built-in file names
    /// of `part`, gzipped or not.
    static func writeIDXPair(in folder: TemporaryFolder, subfolder: String, part: DatasetPart = .training,
                             count: Int, labels: [Int]? = nil, gzip: Bool = true) {
        let images = IDXArray(uint8: (0..<(count * 16)).map { UInt8($0 % 256) }, shape: [count, 4, 4])
        let labelArray = IDXArray(uint8: (labels ?? (0..<count).map { $0 % 10 }).map { UInt8($0) }, shape: [count])
        let suffix = gzip ? ".gz" : ""
        try! IDXFile.write(images, to: folder.file("\(subfolder)/\(part.rawValue)-images-idx3-ubyte\(suffix)"))
        try! IDXFile.write(labelArray, to: folder.file("\(subfolder)/\(part.rawValue)-labels-idx1-ubyte\(suffix)"))
    }

    /// The real datasets under `$STRATA_DATA` (CI sets it), or the test is skipped when it is unset or holds no
    /// `mnist/` and `fashion-mnist/`.
    static func sharedDataRoot() throws -> URL {
        guard let path = ProcessInfo.processInfo.environment["STRATA_DATA"], !path.isEmpty else {
            throw XCTSkip("STRATA_DATA is not set; skipping")
        }
        let root = URL(fileURLWithPath: path)
        for dataset in BuiltinDataset.allCases
        where !FileManager.default.fileExists(atPath: root.appendingPathComponent(dataset.rawValue).path) {
            throw XCTSkip("STRATA_DATA (\(root.path)) holds no \(dataset.rawValue)/; skipping")
        }
        return root
    }
}

/// Asserts that `body` throws a `DataError` whose message contains every one of `fragments`.
func assertDataError<T>(_ body: @autoclosure () throws -> T, contains fragments: [String],
                        file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a DataError containing \(fragments), but nothing was thrown", file: file, line: line)
    } catch let error as DataError {
        let message = error.description
        for fragment in fragments where !message.contains(fragment) {
            XCTFail("message \"\(message)\" does not contain \"\(fragment)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected a DataError, got \(error)", file: file, line: line)
    }
}
