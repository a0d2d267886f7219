import Foundation
import XCTest

/// `strata data fetch|info orl-faces` with no ORL folder anywhere: honest errors, no pretend download.
extension CommandErrorTests {
    func testFetchORLFacesSaysWhereToPutItInsteadOfDownloading() throws {
        try assertFails(["data", "fetch", "orl-faces"], with: "orl-faces: not found. Strata has no checksummed download")
    }

    func testInfoORLFacesListsThePlacesLooked() throws {
        try assertFails(["data", "info", "orl-faces"], with: "dataset 'orl-faces' not found")
        let (_, error) = try strata(["data", "info", "orl-faces"])
        XCTAssertTrue(error.contains("$STRATA_DATA/orl-faces: STRATA_DATA is not set") && error.contains("s1 … s40"), error)
    }

    func testInfoOfAnUnknownNameMentionsImageFolders() throws {
        try assertFails(["data", "info", "no-such-thing"],
                        with: "known datasets: mnist, fashion-mnist, orl-faces, or the path of an image folder")
    }
}
