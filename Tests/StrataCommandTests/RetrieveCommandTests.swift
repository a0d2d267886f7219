import Foundation
import XCTest

/// `strata retrieve`: its refusals, and train → enroll → query through the executable on a tiny folder of people.
extension CommandErrorTests {
    func testRetrieveRefusesBadOptions() throws {
        try assertFails(["retrieve", "train", "--loss", "hinge"], with: "unknown --loss 'hinge'")
        try assertFails(["retrieve", "train", "--image-size", "56by46"], with: "--image-size must be HEIGHTxWIDTH")
        try assertFails(["retrieve", "evaluate", "--repeats", "0"], with: "--repeats must be at least 1, got 0")
        try assertFails(["retrieve", "query", "/nonexistent/index", "x.pgm", "--method", "median"],
                        with: "--method must be nearest or centroid")
        try assertFails(["retrieve", "query", "/nonexistent/index", "x.pgm"], with: "/nonexistent/index/enrollment.json: missing")
        try assertFails(["retrieve", "enroll", "/nonexistent/gallery", "--model", "/nonexistent/run"],
                        with: "/nonexistent/run: no such run folder")
        try assertFails(["retrieve", "train"], with: "orl-faces")
        try assertFails(["retrieve", "enroll", "/nonexistent/gallery", "--model", "run", "--clusters", "0"],
                        with: "--clusters must be at least 1, got 0")
        try assertFails(["retrieve", "query", "index", "x.pgm", "--nprobe", "0"], with: "--nprobe must be at least 1, got 0")
        try assertFails(["retrieve", "query", "index", "x.pgm", "--top", "0"], with: "--top must be at least 1, got 0")
    }

    func testRetrieveTrainEnrollQueryThroughTheCommandLine() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-retrieve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        // 8 "people", 4 photos each: a bright square at a place of their own, with a little noise.
        for person in 0..<8 {
            let folder = root.appendingPathComponent("people/person\(person)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for photo in 0..<4 {
                let pixels = (0..<256).map { i -> UInt8 in
                    let (y, x) = (i / 16, i % 16)
                    let inside = y / 4 == person / 4 * 2 && x / 4 == person % 4
                    return UInt8((inside ? 200 : 20) + (i * 7 + photo * 13) % 30)
                }
                try Data(Array("P5\n16 16\n255\n".utf8) + pixels).write(to: folder.appendingPathComponent("\(photo).pgm"))
            }
        }
        let run = root.appendingPathComponent("run").path
        let common = ["--image-size", "16x16", "--dimension", "8", "--epochs", "1", "--steps-per-epoch", "2",
                      "--training-identities", "4", "--validation-identities", "2", "--known-identities", "2",
                      "--unknown-identities", "2", "--gallery-per-identity", "2", "--images-per-identity", "2"]
        var (status, error) = try strata(["retrieve", "train", "--dataset", root.appendingPathComponent("people").path,
                                          "--out", run] + common)
        XCTAssertEqual(status, 0, error)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run + "/model.safetensors"))
        // The embedding network as ONNX: input (N, 1, 16, 16), output the 8-dimensional embedding.
        let onnx = root.appendingPathComponent("embedding.onnx").path
        (status, error) = try strata(["export", run, "--out", onnx])
        XCTAssertEqual(status, 0, error)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: onnx)).prefix(2), Data([0x08, 0x08]), "ir_version 8 first")
        let index = root.appendingPathComponent("index").path
        let gallery = root.appendingPathComponent("gallery")
        for person in ["person6", "person7"] {
            try FileManager.default.createDirectory(at: gallery, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: root.appendingPathComponent("people/\(person)"),
                                             to: gallery.appendingPathComponent(person))
        }
        (status, error) = try strata(["retrieve", "enroll", gallery.path, "--model", run, "--out", index])
        XCTAssertEqual(status, 0, error)
        XCTAssertTrue(FileManager.default.fileExists(atPath: index + "/index.safetensors"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: index + "/clusters.png"))
        (status, error) = try strata(["retrieve", "query", index, root.appendingPathComponent("people/person6/0.pgm").path,
                                      "--threshold=-1"])
        XCTAssertEqual(status, 0, error)
        // A damaged index is refused with the file named.
        try Data("{".utf8).write(to: URL(fileURLWithPath: index + "/index.json"))
        try assertFails(["retrieve", "query", index, root.appendingPathComponent("people/person6/0.pgm").path],
                        with: "index.json")
    }
}

/// `strata data export`: a built-in dataset's images as a folder per class.
extension CommandErrorTests {
    func testExportRefusesBadOptions() throws {
        try assertFails(["export", "/nonexistent/run"], with: "run folder /nonexistent/run does not exist")
        try assertFails(["export", FileManager.default.temporaryDirectory.path, "--format", "tflite"],
                        with: "--format must be onnx, got tflite")
        try assertFails(["data", "export", "mnist", "--out", "x", "--part", "validation"], with: "--part must be train or test")
        try assertFails(["data", "export", "cifar", "--out", "x"], with: "cifar")
    }

    func testExportWritesTheChosenImagesOfTheChosenClasses() throws {
        guard let data = ProcessInfo.processInfo.environment["STRATA_DATA"],
              FileManager.default.fileExists(atPath: data + "/mnist") else {
            throw XCTSkip("STRATA_DATA does not hold mnist")
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("strata-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let (status, error) = try strata(["data", "export", "mnist", "--data-dir", data, "--out", out.path,
                                          "--per-class", "2", "--skip-per-class", "1", "--classes", "1,3"])
        XCTAssertEqual(status, 0, error)
        let classes = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        XCTAssertEqual(classes, ["1", "3"])
        for name in classes {
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent(name).path).count, 2)
        }
        try assertFails(["data", "export", "mnist", "--data-dir", data, "--out", out.path], with: "already exists")
    }
}
