import Foundation
import XCTest

/// The success paths of `strata histogram` and `strata data info | export | fetch` on data the tests write,
/// and `fetch` with no way to the internet.
final class DataCommandTests: XCTestCase {
    private var workspace: CommandWorkspace!

    override func setUpWithError() throws { workspace = try CommandWorkspace("data") }
    override func tearDown() { workspace.remove() }

    /// The per-class lines `c: count` a histogram prints, in order.
    private func counts(_ outcome: StrataProcess.Outcome) -> [Int] {
        outcome.lines.compactMap { line in
            let parts = line.components(separatedBy: ": ")
            return parts.count == 2 && Int(parts[0]) != nil ? Int(parts[1]) : nil
        }
    }

    func testHistogramCountsEachClassOfEachPart() throws {
        let dataDir = ["--dataset", "mnist", "--data-dir", workspace.data.path]
        let training = try workspace.strata.succeed(["histogram"] + dataDir)
        XCTAssertEqual(counts(training), (0..<10).map { 25 + $0 }, training.output)
        XCTAssertEqual(training.lines.last { !$0.isEmpty }, "wrote histogram.png")
        XCTAssertTrue(RunFiles.isPNG(workspace.url("histogram.png")))

        let test = try workspace.strata.succeed(["histogram", "--part", "test", "--out", "test.svg"] + dataDir)
        XCTAssertEqual(counts(test), [Int](repeating: 10, count: 10), test.output)
        let svg = try String(contentsOf: workspace.url("test.svg"), encoding: .utf8)
        XCTAssertTrue(svg.contains("<svg"), "test.svg is not an SVG")

        // A stratified 30% validation split keeps each class's share: 30% of 25 + c, give or take one.
        let validation = try workspace.strata.succeed(["histogram", "--part", "validation", "--validation-split", "0.3",
                                                       "--stratified", "--out", "validation.png"] + dataDir)
        let shares = counts(validation)
        XCTAssertEqual(shares.count, 10, validation.output)
        for (c, count) in shares.enumerated() {
            XCTAssertLessThanOrEqual(abs(Double(count) - 0.3 * Double(25 + c)), 1, "class \(c): \(count)")
        }
        let remaining = try workspace.strata.succeed(["histogram", "--part", "train-split", "--validation-split", "0.3",
                                                      "--stratified", "--out", "train-split.png"] + dataDir)
        XCTAssertEqual(zip(counts(remaining), shares).map(+), (0..<10).map { 25 + $0 }, "the two parts split the training set")
    }

    func testInfoDescribesTheBuiltinDatasetAndAnImageFolder() throws {
        let outcome = try workspace.strata.succeed(["data", "info", "mnist", "--data-dir", workspace.data.path])
        let lines = outcome.lines
        XCTAssertEqual(Array(lines.prefix(4)), ["mnist (\(workspace.data.path)/mnist)", "images: 28×28, 1 channel, UInt8; 10 classes",
                                                "training: 295 images", "test: 100 images"])
        let header = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("class") }, outcome.output)
        for c in 0..<10 {
            XCTAssertEqual(lines[header + 1 + c].split(separator: " "), ["\(c)", "\(c)", "\(25 + c)", "10"])
        }

        // A folder of PNGs, one subfolder per class (2 and 3 images).
        let images = SyntheticDigits.images(test: true)
        for (name, count) in [("circle", 2), ("square", 3)] {
            let folder = workspace.url("shapes/\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for index in 0..<count {
                try TinyPNG.grayscale(width: 28, height: 28, pixels: images[index])
                    .write(to: folder.appendingPathComponent("\(index).png"))
            }
        }
        let folder = try workspace.strata.succeed(["data", "info", workspace.path("shapes")])
        XCTAssertEqual(Array(folder.lines.prefix(6)), [
            "shapes (\(workspace.path("shapes")))", "classes: 2", "images: 5 in all; per class: min 2, max 3",
            "image size: 28×28 (height×width), all 5", "formats: PNG 5", "per class:",
        ])
        XCTAssertEqual(folder.lines.dropFirst(6).first?.split(separator: " "), ["circle", "2", "square", "3"])
    }

    func testExportWritesOnePNGPerImageInAFolderPerClass() throws {
        let outcome = try workspace.strata.succeed(["data", "export", "mnist", "--out", "exported", "--per-class", "2",
                                                    "--classes", "1,4", "--data-dir", workspace.data.path])
        XCTAssertEqual(outcome.lines.first, "wrote 4 images of 2 classes to \(workspace.path("exported"))")
        let classes = try FileManager.default.contentsOfDirectory(atPath: workspace.path("exported")).sorted()
        XCTAssertEqual(classes, ["1", "4"])
        for name in classes {
            let files = try FileManager.default.contentsOfDirectory(atPath: workspace.path("exported/\(name)"))
            XCTAssertEqual(files.count, 2, name)
            for file in files {
                let bytes = [UInt8](try Data(contentsOf: workspace.url("exported/\(name)/\(file)")))
                XCTAssertTrue(RunFiles.isPNG(workspace.url("exported/\(name)/\(file)")), file)
                XCTAssertEqual(Array(bytes[16..<24]), [0, 0, 0, 28, 0, 0, 0, 28], "\(file) is 28×28")
            }
        }
    }

    func testFetchFindsAnImageFolderAlreadyInPlace() throws {
        let person = workspace.url("shared/orl-faces/s1")
        try FileManager.default.createDirectory(at: person, withIntermediateDirectories: true)
        try Data(Array("P5\n4 3\n255\n".utf8) + [UInt8](repeating: 128, count: 12)).write(to: person.appendingPathComponent("1.pgm"))
        var strata = workspace.strata
        strata.environment["STRATA_DATA"] = workspace.path("shared")
        let outcome = try strata.succeed(["data", "fetch", "orl-faces"])
        XCTAssertEqual(outcome.lines.first,
                       "orl-faces: already in place at \(workspace.path("shared/orl-faces")); nothing to download.")
    }

    func testFetchWithNoInternetNamesEveryMirrorAndLeavesNothingHalfWritten() throws {
        // Every download goes through a proxy that refuses connections: the same as having no network.
        var strata = workspace.strata
        for name in ["http_proxy", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"] {
            strata.environment[name] = "http://127.0.0.1:9"
        }
        strata.environment["no_proxy"] = ""
        strata.environment["NO_PROXY"] = ""
        let target = workspace.url("cache")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try Data("not the real file".utf8).write(to: target.appendingPathComponent("train-images-idx3-ubyte"))
        let outcome = try strata.run(["data", "fetch", "mnist", "--into", target.path])
        XCTAssertEqual(outcome.status, 1, outcome.error)
        XCTAssertTrue(outcome.lines.contains("train-images-idx3-ubyte: present but does not match its SHA-256; downloading again"),
                      outcome.output)
        XCTAssertTrue(outcome.lines.contains("downloading https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz"),
                      outcome.output)
        XCTAssertTrue(outcome.error.hasPrefix("Error: train-images-idx3-ubyte.gz: every mirror failed:"), outcome.error)
        for mirror in ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"] {
            XCTAssertTrue(outcome.error.contains("  - \(mirror)train-images-idx3-ubyte.gz: "), outcome.error)
        }
        XCTAssertFalse(outcome.error.contains("Fatal error") || outcome.error.contains("Stack dump"), outcome.error)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target.path), ["train-images-idx3-ubyte"],
                       "no partial download is left behind")
    }
}
