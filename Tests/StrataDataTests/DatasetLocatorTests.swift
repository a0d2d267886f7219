import Foundation
@testable import StrataData
import XCTest

final class DatasetLocatorTests: XCTestCase {
    private func writeMNIST(in folder: TemporaryFolder, at subfolder: String, gzip: Bool = true, count: Int = 3) {
        Fixtures.writeIDXPair(in: folder, subfolder: subfolder, part: .training, count: count, gzip: gzip)
        Fixtures.writeIDXPair(in: folder, subfolder: subfolder, part: .test, count: 2, gzip: gzip)
    }

    func testLooksInTheDocumentedOrder() throws {
        let folder = TemporaryFolder()
        let environment = ["STRATA_DATA": folder.file("env").path, "HOME": folder.file("home").path]
        writeMNIST(in: folder, at: "home/.cache/strata/mnist", count: 3)
        var locator = DatasetLocator(environment: environment)
        XCTAssertEqual(try locator.locate(.mnist).path, folder.file("home/.cache/strata/mnist").path)

        writeMNIST(in: folder, at: "env/mnist", count: 4)
        XCTAssertEqual(try locator.locate(.mnist).path, folder.file("env/mnist").path)
        XCTAssertEqual(try Dataset.builtin(.mnist, part: .training, locator: locator).count, 4)

        writeMNIST(in: folder, at: "explicit", gzip: false, count: 5)
        locator.explicitDirectory = folder.file("explicit")
        XCTAssertEqual(try locator.locate(.mnist).path, folder.file("explicit").path)
        let training = try Dataset.builtin(.mnist, part: .training, locator: locator)
        XCTAssertEqual(training.count, 5)
        XCTAssertEqual(training.name, "mnist/training")
        XCTAssertEqual(try Dataset.builtin(.mnist, part: .test, locator: locator).count, 2)

        // An explicit folder may also be a root holding <name>/.
        locator.explicitDirectory = folder.url.appendingPathComponent("env")
        XCTAssertEqual(try locator.locate(.mnist).path, folder.file("env/mnist").path)
    }

    func testCacheFolderFollowsXDG() {
        let home = DatasetLocator(environment: ["HOME": "/home/ada"])
        XCTAssertEqual(home.cacheFolder(for: .fashionMNIST).path, "/home/ada/.cache/strata/fashion-mnist")
        let xdg = DatasetLocator(environment: ["HOME": "/home/ada", "XDG_CACHE_HOME": "/var/cache/ada"])
        XCTAssertEqual(xdg.cacheFolder(for: .mnist).path, "/var/cache/ada/strata/mnist")
    }

    func testNotFoundListsEveryPlaceAndTheFix() {
        let folder = TemporaryFolder()
        Fixtures.writeIDXPair(in: folder, subfolder: "home/.cache/strata/mnist", part: .training, count: 2)
        let locator = DatasetLocator(explicitDirectory: folder.file("given"), environment: ["HOME": folder.file("home").path])
        assertDataError(try locator.locate(.mnist), contains: [
            "dataset 'mnist' not found",
            "\(folder.file("given").path) (explicit path): no such folder",
            "STRATA_DATA is not set",
            "home/.cache/strata/mnist (user cache): missing t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]",
            "strata data fetch mnist",
        ])
        let fashion = DatasetLocator(environment: ["HOME": folder.file("home").path], includeSystemFolders: false)
        assertDataError(try fashion.locate(.fashionMNIST), contains: [
            "explicit path (--data-dir): none given", "strata data fetch fashion-mnist", "apt install dataset-fashion-mnist",
        ])
    }

    func testDebianPackageFolderIsTheLastResortForFashionMNIST() throws {
        let debian = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
        guard FileManager.default.fileExists(atPath: debian.appendingPathComponent("train-labels-idx1-ubyte.gz").path) else {
            throw XCTSkip("Debian's dataset-fashion-mnist is not installed; skipping")
        }
        let folder = TemporaryFolder()
        let locator = DatasetLocator(environment: ["HOME": folder.file("home").path])
        XCTAssertEqual(try locator.locate(.fashionMNIST).path, debian.path)
        let labels = try IDXFile.readLabels(debian.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        XCTAssertEqual(labels.count, 60_000)
    }

    func testBuiltinNames() throws {
        XCTAssertEqual(try BuiltinDataset(name: "mnist"), .mnist)
        XCTAssertEqual(try BuiltinDataset(name: "Fashion_MNIST"), .fashionMNIST)
        XCTAssertEqual(try BuiltinDataset(name: "fashion-mnist"), .fashionMNIST)
        assertDataError(try BuiltinDataset(name: "cifar10"), contains: ["unknown dataset 'cifar10'", "mnist, fashion-mnist"])
        XCTAssertEqual(BuiltinDataset.fashionMNIST.classNames[9], "Ankle boot")
        XCTAssertEqual(BuiltinDataset.mnist.file(.test, .labels).name, "t10k-labels-idx1-ubyte")
    }
}
