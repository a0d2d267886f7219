import Foundation
@testable import StrataData
import XCTest

/// Folders of images as datasets: mixed formats, file order, resizing, loose images, and folders refused.
final class ImageFolderTests: XCTestCase {
    /// An 8×8 binary PGM whose pixel at (y, x) is `base + 8y + x`.
    func writePGM(_ folder: TemporaryFolder, _ name: String, base: Int, height: Int = 8, width: Int = 8) -> URL {
        let pixels = (0..<(height * width)).map { UInt8((base + $0) % 256) }
        return folder.write(Array("P5\n\(width) \(height)\n255\n".utf8) + pixels, to: name)
    }

    /// The committed grey JPEG fixture, copied to `name`.
    func copyJPEG(_ folder: TemporaryFolder, _ name: String) throws -> URL {
        let source = try XCTUnwrap(Bundle.module.url(forResource: "grey", withExtension: "jpg", subdirectory: "Fixtures"))
        let target = folder.file(name)
        try FileManager.default.copyItem(at: source, to: target)
        return target
    }

    func testMixedFormatsLoadInNaturalOrderWithTheirFiles() throws {
        let folder = TemporaryFolder()
        let first = writePGM(folder, "s10/1.PGM", base: 0)
        let jpeg = try copyJPEG(folder, "s2/b.jpeg")
        let ascii = folder.write(Array(("P2 8 8 255\n" + (0..<64).map { String(200 - $0) }.joined(separator: " ")).utf8),
                                 to: "s2/a.pnm")
        let png = folder.file("s2/c.png")
        try ImageFolderDataset.writePNG(ArraySlice([UInt8](repeating: 77, count: 64)), channels: 1, height: 8, width: 8, to: png)
        folder.write(Array("not an image".utf8), to: "s2/README")
        folder.write(Array("abc  1.pgm\n".utf8), to: "s10/SHA256SUMS")
        folder.write(Array("notes".utf8), to: "LICENSE")

        let loaded = try ImageFolderDataset.loadFolder(from: folder.url, name: "faces")
        let data = loaded.dataset
        XCTAssertEqual(data.classNames, ["s2", "s10"])
        XCTAssertEqual(data.name, "faces")
        XCTAssertEqual(loaded.files.map(\.lastPathComponent), [ascii, jpeg, png, first].map(\.lastPathComponent))
        XCTAssertEqual(data.labels, [0, 0, 0, 1])
        XCTAssertEqual([data.count, data.channels, data.height, data.width], [4, 1, 8, 8])
        XCTAssertEqual(Array(data.image(at: 0)), (0..<64).map { UInt8(200 - $0) })
        XCTAssertEqual(Array(data.image(at: 1)), try ImageFolderDataset.decodeImage(jpeg).pixels)
        XCTAssertEqual(Array(data.image(at: 2)), [UInt8](repeating: 77, count: 64))
        XCTAssertEqual(Array(data.image(at: 3)), (0..<64).map { UInt8($0) })

        let color = try ImageFolderDataset.load(from: folder.url, color: true)
        XCTAssertEqual(color.channels, 3)
        XCTAssertEqual(Array(color.image(at: 3)), (0..<3).flatMap { _ in (0..<64).map { UInt8($0) } })
    }

    func testSizeResizesEveryImageLikeImageResize() throws {
        let folder = TemporaryFolder()
        let big = writePGM(folder, "a/big.pgm", base: 3, height: 12, width: 10)
        let small = writePGM(folder, "b/small.pgm", base: 9, height: 3, width: 2)
        let loaded = try ImageFolderDataset.load(from: folder.url, size: (height: 6, width: 4))
        XCTAssertEqual([loaded.height, loaded.width, loaded.count], [6, 4, 2])
        for (index, url) in [big, small].enumerated() {
            let image = try ImageFolderDataset.decodeImage(url)
            XCTAssertEqual(Array(loaded.image(at: index)),
                           ImageResize.resize(image.pixels, channels: 1, from: (image.height, image.width), to: (6, 4)))
        }
        assertDataError(try ImageFolderDataset.load(from: folder.url, size: (height: 0, width: 4)),
                        contains: ["image size must be at least 1×1", "0×4"])
    }

    func testImagesOfAnotherSizeAreRefusedWithoutASize() {
        let folder = TemporaryFolder()
        _ = writePGM(folder, "a/1.pgm", base: 0)
        let odd = writePGM(folder, "b/odd.pgm", base: 0, height: 4, width: 6)
        assertDataError(try ImageFolderDataset.loadFolder(from: folder.url),
                        contains: [odd.path, "is 6×4 pixels", "a/1.pgm is 8×8", "give a size"])
    }

    func testEmptyClassFoldersAndFoldersWithoutClassesAreReported() {
        let folder = TemporaryFolder()
        _ = writePGM(folder, "s1/1.pgm", base: 0)
        folder.write(Array("see s1".utf8), to: "s2/README")
        try? FileManager.default.createDirectory(at: folder.file("s3"), withIntermediateDirectories: true)
        assertDataError(try ImageFolderDataset.loadFolder(from: folder.url),
                        contains: [folder.file("s2").path, "class folder holds no image files", "also empty: s3"])

        let flat = TemporaryFolder()
        _ = writePGM(flat, "1.pgm", base: 0)
        assertDataError(try ImageFolderDataset.loadFolder(from: flat.url), contains: [flat.url.path, "no class subfolders"])
        assertDataError(try ImageFolderDataset.loadFolder(from: flat.file("missing")), contains: ["missing", "cannot list"])
    }

    func testACorruptImageInAFolderIsNamed() {
        let folder = TemporaryFolder()
        _ = writePGM(folder, "s1/1.pgm", base: 0)
        let bad = folder.write(Array("P5\n8 8\n255\n".utf8) + [1, 2, 3], to: "s1/2.pgm")
        assertDataError(try ImageFolderDataset.loadFolder(from: folder.url), contains: [bad.path, "truncated pixel data"])
        let empty = folder.write([], to: "s1/3.jpg")
        try? FileManager.default.removeItem(at: bad)
        assertDataError(try ImageFolderDataset.loadFolder(from: folder.url), contains: [empty.path, "empty file"])
    }

    func testLooseImagesLoadAsPlanesOfOneSize() throws {
        let folder = TemporaryFolder()
        let a = writePGM(folder, "q/a.pgm", base: 0, height: 4, width: 4)
        let b = writePGM(folder, "q/b.pgm", base: 50, height: 8, width: 8)
        let resized = try ImageFolderDataset.loadImages([a, b], size: (height: 2, width: 2))
        XCTAssertEqual(resized.count, 8)
        XCTAssertEqual(Array(resized[0..<4]), ImageResize.resize(try ImageFolderDataset.decodeImage(a).pixels, channels: 1,
                                                                 from: (4, 4), to: (2, 2)))
        let color = try ImageFolderDataset.loadImages([b, b], color: true, size: nil)
        XCTAssertEqual(color.count, 2 * 3 * 64)
        assertDataError(try ImageFolderDataset.loadImages([a, b], size: nil), contains: [b.path, "is 8×8", "give a size"])
    }
}
