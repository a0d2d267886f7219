import Foundation
@testable import StrataData
import XCTest

/// Finding an image folder such as orl-faces like the other datasets, and describing it.
final class ImageFolderInfoTests: XCTestCase {
    /// Writes `people` class folders `s1`, `s2`, … with `photos` 4×3 PGMs each under `root`.
    func writeFaces(in root: URL, people: Int = 2, photos: Int = 3) {
        for person in 1...people {
            let folder = root.appendingPathComponent("s\(person)")
            try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for photo in 1...photos {
                try! Data(Array("P5 3 4 255\n".utf8) + [UInt8](repeating: UInt8(person * 10 + photo), count: 12))
                    .write(to: folder.appendingPathComponent("\(photo).pgm"))
            }
        }
    }

    func testLocatorLooksInDataDirThenSTRATA_DATAThenTheCache() throws {
        let places = TemporaryFolder()
        let environment = ["HOME": places.file("home").path]
        // --data-dir naming the folder itself, or a folder that holds orl-faces/.
        writeFaces(in: places.file("mine"))
        let direct = DatasetLocator(explicitDirectory: places.file("mine"), environment: environment)
        XCTAssertEqual(try direct.locateImageFolder("orl-faces").path, places.file("mine").path)
        writeFaces(in: places.file("root/orl-faces"))
        let holding = DatasetLocator(explicitDirectory: places.file("root"), environment: environment)
        XCTAssertEqual(try holding.locateImageFolder("orl-faces").path, places.file("root/orl-faces").path)
        // $STRATA_DATA/orl-faces, then the user cache.
        let shared = DatasetLocator(environment: environment.merging(["STRATA_DATA": places.file("root").path]) { $1 })
        XCTAssertEqual(try shared.locateImageFolder("orl-faces").path, places.file("root/orl-faces").path)
        writeFaces(in: places.file("home/.cache/strata/orl-faces"))
        let cached = DatasetLocator(environment: environment)
        XCTAssertEqual(try cached.locateImageFolder(BuiltinImageFolder.orlFaces.rawValue).path,
                       places.file("home/.cache/strata/orl-faces").path)
    }

    func testAMissingImageFolderListsEveryPlaceAndWhereToPutIt() throws {
        let places = TemporaryFolder()
        try FileManager.default.createDirectory(at: places.file("data/orl-faces"), withIntermediateDirectories: true)
        let locator = DatasetLocator(explicitDirectory: places.file("nowhere"),
                                     environment: ["HOME": places.file("home").path, "STRATA_DATA": places.file("data").path])
        assertDataError(try locator.locateImageFolder("orl-faces"), contains: [
            "dataset 'orl-faces' not found",
            "\(places.file("nowhere").path) (explicit path): no such folder",
            "\(places.file("data/orl-faces").path) ($STRATA_DATA): no class subfolders holding image files",
            "\(places.file("home/.cache/strata/orl-faces").path) (user cache): no such folder",
            "no checksummed download", "s1 … s40",
        ])
        let unset = DatasetLocator(environment: ["HOME": places.file("home").path])
        assertDataError(try unset.locateImageFolder("pets"), contains: [
            "explicit path (--data-dir): none given", "$STRATA_DATA/pets: STRATA_DATA is not set", "--data-dir <folder>",
        ])
    }

    func testKnownFolderNamesAreForgiving() {
        XCTAssertEqual(BuiltinImageFolder(name: "ORL_Faces"), .orlFaces)
        XCTAssertEqual(BuiltinImageFolder(name: "orl"), .orlFaces)
        XCTAssertNil(BuiltinImageFolder(name: "mnist"))
    }

    func testInfoCountsPeoplePhotosSizesAndFormats() throws {
        let folder = TemporaryFolder()
        writeFaces(in: folder.url, people: 3, photos: 2)
        folder.write(Array("P5 5 5 255\n".utf8) + [UInt8](repeating: 1, count: 25), to: "s3/3.pgm")
        try ImageFolderDataset.writePNG(ArraySlice([UInt8](repeating: 5, count: 12)), channels: 1, height: 4, width: 3,
                                        to: folder.file("s10/a.png"))
        folder.write(Array("hash".utf8), to: "SHA256SUMS")

        let info = try ImageFolderInfo(folder: folder.url, dataset: .orlFaces)
        XCTAssertEqual(info.classNames, ["s1", "s2", "s3", "s10"])
        XCTAssertEqual(info.classCounts, [2, 2, 3, 1])
        XCTAssertEqual(info.imageCount, 8)
        XCTAssertEqual(info.sizes.map { [$0.height, $0.width, $0.count] }, [[4, 3, 7], [5, 5, 1]])
        XCTAssertEqual(info.formats.map { "\($0.format) \($0.count)" }, ["PGM 7", "PNG 1"])
        let report = info.report()
        for line in ["people: 4", "photos: 8 in all; per person: min 1, max 3", "image sizes (height×width): 4×3 (7), 5×5 (1)",
                     "formats: PGM 7, PNG 1", "s3 3", "s10 1", "Olivetti Research Laboratory"] {
            XCTAssertTrue(report.contains(line), "report lacks \"\(line)\":\n\(report)")
        }
        let plain = try ImageFolderInfo(folder: folder.url).report()
        XCTAssertTrue(plain.contains("classes: 4") && plain.contains("images: 8 in all; per class: min 1, max 3"), plain)
        XCTAssertFalse(plain.contains("Olivetti"))

        folder.write([0xFF, 0xD8, 0xFF, 0xE0], to: "s2/broken.jpg")
        assertDataError(try ImageFolderInfo(folder: folder.url), contains: ["s2/broken.jpg", "not a readable JPEG"])
    }
}
