import Foundation
@testable import StrataData
import XCTest

/// Point 3: a folder of PNG images per class, and CSV files.
final class UserDataTests: XCTestCase {
    func testPNGFolderRoundTripsGrayscale() throws {
        let folder = TemporaryFolder()
        let data = Fixtures.dataset(count: 12, classes: 3, height: 5, width: 6)
        try ImageFolderDataset.write(data, to: folder.url)
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.file("class2/11.png").path))
        let loaded = try ImageFolderDataset.load(from: folder.url, name: "pngs")
        XCTAssertEqual(loaded.classNames, ["class0", "class1", "class2"])
        XCTAssertEqual([loaded.count, loaded.channels, loaded.height, loaded.width], [12, 1, 5, 6])
        // Loaded class by class: compare as multisets of (label, pixels).
        let key = { (d: Dataset, i: Int) in "\(d.labels[i]):\(Array(d.image(at: i)))" }
        XCTAssertEqual(Set((0..<12).map { key(loaded, $0) }), Set((0..<12).map { key(data, $0) }))
        XCTAssertEqual(loaded.name, "pngs")
    }

    func testPNGFolderInColor() throws {
        let folder = TemporaryFolder()
        let data = Fixtures.dataset(count: 4, classes: 2, height: 3, width: 3, channels: 3)
        try ImageFolderDataset.write(data, to: folder.url)
        let color = try ImageFolderDataset.load(from: folder.url, color: true)
        XCTAssertEqual(color.channels, 3)
        XCTAssertEqual(Set((0..<4).map { Array(color.image(at: $0)) }), Set((0..<4).map { Array(data.image(at: $0)) }))
        let gray = try ImageFolderDataset.load(from: folder.url)
        XCTAssertEqual(gray.channels, 1)
        // Luma of the first pixel of image 0 (class0/0.png): 0.299 R + 0.587 G + 0.114 B.
        let first = data.image(at: 0)
        let (r, g, b) = (Double(first[first.startIndex]), Double(first[first.startIndex + 9]), Double(first[first.startIndex + 18]))
        XCTAssertEqual(Double(gray.image(at: 0).first!), (0.299 * r + 0.587 * g + 0.114 * b).rounded(), accuracy: 1)
    }

    func testBadPNGFoldersAreRefusedNamingTheFile() throws {
        let folder = TemporaryFolder()
        try ImageFolderDataset.write(Fixtures.dataset(count: 2, classes: 2), to: folder.url)
        folder.write(Array("not a png at all".utf8), to: "class1/broken.png")
        assertDataError(try ImageFolderDataset.load(from: folder.url), contains: ["class1/broken.png", "not a supported image"])

        let sizes = TemporaryFolder()
        try ImageFolderDataset.write(Fixtures.dataset(count: 2, classes: 2, height: 4, width: 4), to: sizes.url)
        try ImageFolderDataset.writePNG(ArraySlice([UInt8](repeating: 9, count: 15)), channels: 1, height: 3, width: 5,
                                        to: sizes.file("class1/wide.png"))
        assertDataError(try ImageFolderDataset.load(from: sizes.url), contains: ["wide.png", "is 5×3 pixels", "4×4"])

        let empty = TemporaryFolder()
        assertDataError(try ImageFolderDataset.load(from: empty.url), contains: ["no class subfolders"])
        try FileManager.default.createDirectory(at: empty.file("cats"), withIntermediateDirectories: true)
        assertDataError(try ImageFolderDataset.load(from: empty.url), contains: ["cats", "class folder holds no image files"])
    }

    func testCSVRoundTripsWithAndWithoutHeader() throws {
        let folder = TemporaryFolder()
        let data = Fixtures.dataset(count: 7, classes: 3, height: 3, width: 3)
        for header in [true, false] {
            let url = folder.file("digits-\(header).csv")
            try CSVDataset.write(data, to: url, header: header)
            let loaded = try CSVDataset.load(from: url, classNames: data.classNames)
            XCTAssertEqual(loaded.images, data.images)
            XCTAssertEqual(loaded.labels, data.labels)
            XCTAssertEqual([loaded.height, loaded.width], [3, 3])
        }
        // CRLF line ends, spaces, a zero fraction, gzip, and an explicit non-square shape.
        let text = "label, a, b, c, d, e, f\r\n1, 0, 1, 2, 3, 4, 255.0\r\n0,6,7,8,9,10,11\r\n\r\n"
        let url = folder.write(Gzip.compress(Array(text.utf8)), to: "wide.csv.gz")
        let wide = try CSVDataset.load(from: url, height: 2, width: 3)
        XCTAssertEqual(wide.labels, [1, 0])
        XCTAssertEqual(Array(wide.image(at: 0)), [0, 1, 2, 3, 4, 255])
        XCTAssertEqual(wide.classNames, ["0", "1"])
    }

    func testBadCSVLinesAreRefusedNamingFileAndLine() {
        let folder = TemporaryFolder()
        let short = folder.write(Array("label,p0,p1,p2,p3\n1,0,0,0,0\n2,0,0,0\n".utf8), to: "short.csv")
        assertDataError(try CSVDataset.load(from: short), contains: ["short.csv: line 3", "expected 5 fields", "found 4"])
        let word = folder.write(Array("1,0,0,0,0\n2,0,x7,0,0\n".utf8), to: "word.csv")
        assertDataError(try CSVDataset.load(from: word), contains: ["word.csv: line 2", "field 3 'x7' is not a whole number"])
        let bright = folder.write(Array("1,0,0,0,300\n".utf8), to: "bright.csv")
        assertDataError(try CSVDataset.load(from: bright), contains: ["bright.csv: line 1", "pixel 300 is out of range 0…255"])
        let label = folder.write(Array("1,0,0,0,0\n5,0,0,0,0\n".utf8), to: "label.csv")
        assertDataError(try CSVDataset.load(from: label, classNames: ["a", "b"]),
                        contains: ["label.csv: line 2", "label 5 is out of range 0…1"])
        let negative = folder.write(Array("-1,0,0,0,0\n".utf8), to: "negative.csv")
        assertDataError(try CSVDataset.load(from: negative), contains: ["negative.csv: line 1", "label -1 is negative"])
        let odd = folder.write(Array("1,0,0,0\n".utf8), to: "odd.csv")
        assertDataError(try CSVDataset.load(from: odd), contains: ["odd.csv", "square", "3 pixels per line"])
        let empty = folder.write(Array("label,p0\n".utf8), to: "empty.csv")
        assertDataError(try CSVDataset.load(from: empty), contains: ["empty.csv", "no data lines"])
    }
}
