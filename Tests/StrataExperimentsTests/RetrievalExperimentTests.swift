import Foundation
import StrataCore
import StrataData
import StrataRetrieval
import XCTest
@testable import StrataExperiments

/// The retrieval experiment end to end on a small synthetic folder of "people": each person is a
/// distinct blocky pattern with per-photo noise and shifts, written as binary PGM files.
final class RetrievalExperimentTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("strata-retrieval-\(UUID().uuidString.prefix(8))")
        var generator = RandomGenerator(seed: 3)
        for person in 1...12 {
            let folder = root.appendingPathComponent("people/p\(person)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var pattern = [UInt8](repeating: 0, count: 16 * 16)
            for block in 0..<16 where generator.nextUniform() < 0.5 {
                let (by, bx) = (block / 4 * 4, block % 4 * 4)
                for y in by..<(by + 4) { for x in bx..<(bx + 4) { pattern[y * 16 + x] = 220 } }
            }
            for photo in 1...6 {
                let shift = generator.nextInt(below: 2)
                let pixels = (0..<256).map { i -> UInt8 in
                    let (y, x) = (i / 16, i % 16)
                    let value = Int(pattern[y * 16 + min(15, x + shift)]) + Int(generator.nextUniform() * 30)
                    return UInt8(min(255, value))
                }
                try Data(Array("P5\n16 16\n255\n".utf8) + pixels).write(to: folder.appendingPathComponent("\(photo).pgm"))
            }
        }
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func smallOptions() -> RetrievalOptions {
        var options = RetrievalOptions()
        options.dataset = root.appendingPathComponent("people").path
        options.imageSize = [16, 16]
        options.dimension = 8
        options.trainingIdentities = 6
        options.validationIdentities = 2
        options.knownIdentities = 4
        options.unknownIdentities = 2
        options.galleryPerIdentity = 2
        options.identitiesPerBatch = 3
        options.imagesPerIdentity = 2
        options.epochs = 2
        options.stepsPerEpoch = 3
        options.repeats = 2
        return options
    }

    func testRolesAreDisjointAndCoverThePhotos() throws {
        let options = smallOptions()
        let source = try RetrievalData.load(options)
        let split = try OpenSetSplit(source: source, options: options, seed: 5)
        let roles = [split.trainingNames, split.validationNames, split.knownNames, split.unknownNames].map(Set.init)
        XCTAssertEqual(roles.map(\.count), [4, 2, 4, 2])
        XCTAssertEqual(roles.reduce(Set<String>()) { $0.union($1) }.count, 12, "roles must not share people")
        XCTAssertEqual(split.training.count, 24)
        XCTAssertEqual(split.gallery.count, 8)
        XCTAssertEqual(split.knownProbes.count, 16)
        XCTAssertEqual(split.unknownProbes.count, 12)
        XCTAssertEqual(split.galleryFiles.count, 8)
        XCTAssertEqual(Set(split.gallery.labels), Set(split.knownProbes.labels))
        // The same seed gives the same roles; fixed roles follow folder order.
        XCTAssertEqual(try OpenSetSplit(source: source, options: options, seed: 5).knownNames, split.knownNames)
        var fixed = options
        fixed.roles = "fixed"
        let ordered = try OpenSetSplit(source: source, options: fixed, seed: 5)
        XCTAssertEqual(ordered.trainingNames, ["p1", "p2", "p3", "p4"])
        XCTAssertEqual(ordered.unknownNames, ["p11", "p12"])
    }

    func testTooFewPeopleForTheRolesIsRefusedNamingTheOptions() throws {
        var options = smallOptions()
        options.knownIdentities = 10
        let source = try RetrievalData.load(options)
        XCTAssertThrowsError(try OpenSetSplit(source: source, options: options, seed: 1)) {
            XCTAssertTrue("\($0)".contains("has 12 people, but the roles need 18"), "\($0)")
        }
    }

    func testIdentityScoresFindOwnAndImpostorBest() {
        // Gallery: label 0 at (1, 0), label 1 at (0, 1). Probe of label 0 at 30° from (1, 0).
        let gallery = VectorSet(dimension: 2, values: [1, 0, 0, 1])
        let angle = Float.pi / 6
        let probes = VectorSet(dimension: 2, values: [cos(angle), sin(angle)])
        let scores = IdentityScores(probes: probes, probeLabels: [0], gallery: gallery, galleryLabels: [0, 1])
        XCTAssertEqual(scores.bestLabels, [0])
        XCTAssertEqual(scores.bestSimilarities[0], cos(angle), accuracy: 1e-6)
        XCTAssertEqual(scores.impostorSimilarities[0], sin(angle), accuracy: 1e-6)
        XCTAssertEqual(scores.rank1Accuracy, 1)
        XCTAssertEqual(scores.perIdentityImpostorSimilarities, [sin(angle)])
    }

    func testThresholdGrowsWithTheEnrolledIdentities() {
        let scores = (1...10).map { Float($0) / 10 }
        // One identity: FAR 0.1 allows one score in ten above the threshold.
        XCTAssertEqual(ValidationThreshold.threshold(impostorScores: scores, enrolled: 1, falseAlarmRate: 0.1), 0.9)
        // Two identities at FAR 0.19: 1 − F(t)² = 0.19 at F(t) = 0.9, the same threshold.
        XCTAssertEqual(ValidationThreshold.threshold(impostorScores: scores, enrolled: 2, falseAlarmRate: 0.19), 0.9)
        // More identities need a higher threshold for the same FAR, up to the highest score.
        XCTAssertEqual(ValidationThreshold.threshold(impostorScores: scores, enrolled: 3, falseAlarmRate: 0.19), 1.0)
        XCTAssertEqual(ValidationThreshold.threshold(impostorScores: scores, enrolled: 100, falseAlarmRate: 0.05), 1.0)
        XCTAssertEqual(ValidationThreshold.threshold(impostorScores: scores, enrolled: 1, falseAlarmRate: 0.5), 0.5)
        XCTAssertEqual(ValidationThreshold.threshold(impostorScores: [], enrolled: 1, falseAlarmRate: 0.5), -.infinity)
    }

    func testPixelEmbeddingsAreCentredUnitVectors() throws {
        let dataset = try Dataset(name: "d", images: [0, 255, 0, 255, 7, 7, 7, 7], labels: [0, 1], height: 2, width: 2,
                                  classNames: ["a", "b"])
        let embeddings = EmbeddingNetwork.pixelEmbeddings(dataset)
        let first = Array(embeddings.vector(at: 0))
        XCTAssertEqual(first, [-0.5, 0.5, -0.5, 0.5].map { Float($0) }, accuracy: 1e-6)
        XCTAssertEqual(Array(embeddings.vector(at: 1)), [0, 0, 0, 0], "a flat image has no direction")
    }

    /// Stopped after two of four epochs and resumed, `retrieve train` ends with the straight run's
    /// weights, history and threshold: the P×K batch stream and Adam's state come back from the checkpoint.
    func testAnInterruptedTrainingRunResumesToTheSameWeights() throws {
        var options = smallOptions()
        options.epochs = 4
        options.augment = "faces"
        let straight = root.appendingPathComponent("straight").path
        let interrupted = root.appendingPathComponent("interrupted").path
        let full = try XCTUnwrap(EmbeddingRun.start(options, output: straight, verbose: false) { _ in }.metrics)
        let partial = try EmbeddingRun.start(options, output: interrupted, verbose: false, stopAfter: 2) { _ in }
        XCTAssertNil(partial.metrics, "a stopped run chooses no threshold")
        XCTAssertFalse(FileManager.default.fileExists(atPath: interrupted + "/model.safetensors"))
        var lines: [String] = []
        let resumed = try XCTUnwrap(EmbeddingRun.resume(interrupted, verbose: false) { lines.append($0) }.metrics)
        XCTAssertTrue(lines.contains { $0.contains("after epoch 2 of 4") }, lines.joined(separator: "\n"))
        XCTAssertEqual(resumed.fingerprint, full.fingerprint, "the same weights, bit for bit")
        XCTAssertEqual(resumed.threshold, full.threshold)
        XCTAssertEqual(try String(contentsOfFile: interrupted + "/history.csv", encoding: .utf8)
                           .split(separator: "\n").map { $0.split(separator: ",").prefix(3).joined(separator: ",") },
                       try String(contentsOfFile: straight + "/history.csv", encoding: .utf8)
                           .split(separator: "\n").map { $0.split(separator: ",").prefix(3).joined(separator: ",") })
    }

    func testTrainEnrollQueryAndEvaluateEndToEnd() throws {
        let options = smallOptions()
        let runFolder = root.appendingPathComponent("run").path
        let metrics = try XCTUnwrap(EmbeddingRun.start(options, output: runFolder, verbose: false) { _ in }.metrics)
        XCTAssertTrue(metrics.threshold.isFinite)
        XCTAssertEqual(metrics.thresholdRule, ThresholdRule.standard.rawValue)
        for file in ["model.safetensors", "options.json", "metrics.json", "history.csv", "loss.png", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: runFolder + "/" + file), file)
        }
        // Enrol two people, then add a third to the same index.
        let gallery = root.appendingPathComponent("gallery")
        for person in ["p1", "p2", "p3"] {
            let folder = gallery.appendingPathComponent(person == "p3" ? "more/p3" : "first/\(person)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for photo in 1...3 {
                try FileManager.default.copyItem(at: root.appendingPathComponent("people/\(person)/\(photo).pgm"),
                                                 to: folder.appendingPathComponent("\(photo).pgm"))
            }
        }
        let indexFolder = root.appendingPathComponent("index").path
        var lines: [String] = []
        try Enrollment.enroll(gallery: gallery.appendingPathComponent("first").path, modelRun: runFolder, output: indexFolder,
                              clusters: nil, addTo: nil, overwrite: false, seed: 1) { lines.append($0) }
        XCTAssertTrue(lines.contains { $0.contains("enrolled 6 photos of 2 people") }, "\(lines)")
        XCTAssertThrowsError(try Enrollment.enroll(gallery: gallery.appendingPathComponent("first").path, modelRun: runFolder,
                                                   output: indexFolder, clusters: nil, addTo: nil, overwrite: false,
                                                   seed: 1) { _ in }) {
            XCTAssertTrue("\($0)".contains("already holds an index"), "\($0)")
        }
        try Enrollment.enroll(gallery: gallery.appendingPathComponent("more").path, modelRun: runFolder, output: nil,
                              clusters: nil, addTo: indexFolder, overwrite: false, seed: 1) { _ in }
        let queries = [root.appendingPathComponent("people/p3/6.pgm").path, root.appendingPathComponent("people/p1").path]
        XCTAssertTrue(FileManager.default.fileExists(atPath: indexFolder + "/report.html"))
        let answers = root.appendingPathComponent("answers").path
        let matches = try Enrollment.query(index: indexFolder, images: queries, threshold: -1, centroid: false, nprobe: nil,
                                           top: 3, output: answers) { _ in }
        XCTAssertEqual(matches.count, 7, "one file and a folder of six")
        let csv = try String(contentsOfFile: answers + "/matches.csv", encoding: .utf8)
        XCTAssertEqual(csv.split(separator: "\n").count, 8, "a header and a row per photo")
        XCTAssertTrue(csv.contains("p3/6.pgm\",\"p"), csv)
        for file in ["matches.png", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: answers + "/" + file), file)
        }
        XCTAssertTrue(matches.allSatisfy { $0.label != nil }, "a threshold of −1 accepts everything")
        XCTAssertTrue(matches.allSatisfy { $0.neighbours.count == 3 })
        let unknown = try Enrollment.query(index: indexFolder, images: [queries[0]], threshold: 1, centroid: true, nprobe: 1,
                                           top: 2) { _ in }
        XCTAssertNil(unknown[0].label, "nothing is above a similarity of 1")
        // The index refuses a query through another network.
        var other = options
        other.seed = 99
        let otherRun = root.appendingPathComponent("other").path
        _ = try EmbeddingRun.start(other, output: otherRun, verbose: false) { _ in }
        XCTAssertThrowsError(try Enrollment.enroll(gallery: gallery.appendingPathComponent("more").path, modelRun: otherRun,
                                                   output: nil, clusters: nil, addTo: indexFolder, overwrite: false,
                                                   seed: 1) { _ in }) {
            XCTAssertTrue("\($0)".contains("was built by the network"), "\($0)")
        }

        // A folder of no photos, and weights changed after training, are refused naming the culprit.
        let empty = root.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        XCTAssertThrowsError(try Enrollment.query(index: indexFolder, images: [empty.path], threshold: nil, centroid: false,
                                                  nprobe: nil, top: 1) { _ in }) {
            XCTAssertTrue("\($0)".contains("\(empty.path): no image files"), "\($0)")
        }
        let swapped = root.appendingPathComponent("swapped").path
        try FileManager.default.copyItem(atPath: runFolder, toPath: swapped)
        try FileManager.default.removeItem(atPath: swapped + "/model.safetensors")
        try FileManager.default.copyItem(atPath: otherRun + "/model.safetensors", toPath: swapped + "/model.safetensors")
        XCTAssertThrowsError(try EmbeddingRun.load(swapped)) {
            XCTAssertTrue("\($0)".contains("model.safetensors: the weights' fingerprint"), "\($0)")
        }

        let evaluation = root.appendingPathComponent("evaluation").path
        let results = try RetrievalEvaluation.start(options, output: evaluation) { _ in }
        XCTAssertEqual(results.count, 2)
        XCTAssertNotEqual(results[0].seed, results[1].seed)
        for result in results {
            XCTAssertEqual(result.knownProbes, 16)
            XCTAssertEqual(result.unknownProbes, 12)
            XCTAssertTrue((0...1).contains(result.rank1) && (0...1).contains(result.auroc))
            XCTAssertLessThan(result.centroidMeanLength, 1.0001, "centres are means of unit vectors")
            XCTAssertEqual(result.thresholdComparison.map(\.name), ["empirical (probe photos)", "empirical (all photos)",
                                                                    "normal (probe photos)", "normal (all photos)",
                                                                    "auto (probe photos)", "auto (all photos)"])
            XCTAssertEqual(result.thresholdComparison.last?.threshold, result.threshold, "the standard rule is auto (all photos)")
        }
        let table = try String(contentsOfFile: evaluation + "/results.md", encoding: .utf8)
        XCTAssertTrue(table.contains("| FAR @ rule empirical (probe photos) |") && table.contains("| FRR @ rule normal (all photos) |"))
        for file in ["results.md", "metrics.json", "repeats.json", "dir_far.png", "det.png", "clusters.png", "matches.png",
                     "printout.txt", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: evaluation + "/" + file), file)
        }
    }

    func testEmbeddingImagesOfAnotherSizeIsRefused() throws {
        var options = smallOptions()
        options.model = "cnn"
        let model = try XCTUnwrap(try EmbeddingNetwork.make(options, imageShape: [1, 16, 16], seed: 1))
        let small = try Dataset(name: "small", images: [UInt8](repeating: 9, count: 64), labels: [0], height: 8, width: 8,
                                classNames: ["a"])
        XCTAssertThrowsError(try EmbeddingNetwork.embed(small, with: model)) {
            XCTAssertTrue("\($0)".contains("images of shape [1, 8, 8] (C, H, W), but the network takes [1, 16, 16]"), "\($0)")
        }
        XCTAssertEqual(options.resolvedImageSize, [16, 16])
        options.imageSize = nil
        XCTAssertEqual(options.resolvedImageSize, [56, 46])
        options.dataset = "mnist"
        XCTAssertEqual(options.resolvedImageSize, [28, 28])
    }

    func testAnotherImageSizeForABuiltinDatasetIsRefused() throws {
        guard let data = ProcessInfo.processInfo.environment["STRATA_DATA"],
              FileManager.default.fileExists(atPath: data + "/mnist") else {
            throw XCTSkip("STRATA_DATA does not hold mnist")
        }
        var options = RetrievalOptions()
        options.dataset = "mnist"
        options.dataDirectory = data
        options.imageSize = [56, 46]
        XCTAssertThrowsError(try RetrievalData.load(options)) {
            XCTAssertTrue("\($0)".contains("--image-size 56x46 is not available for mnist, whose images are 28x28"), "\($0)")
        }
    }

    /// `retrieve embed` writes every photo's embedding as raw float32, in the folder's order, equal to
    /// the network's own; a folder that holds embeddings, a file as --out and a missing run are refused.
    func testEmbedWritesEveryPhotoAsRawFloat32() throws {
        let runFolder = root.appendingPathComponent("run").path
        _ = try EmbeddingRun.start(smallOptions(), output: runFolder, verbose: false) { _ in }
        let out = root.appendingPathComponent("embeddings").path
        let record = try EmbeddingExport.write(modelRun: runFolder, dataset: nil, dataDirectory: nil, output: out,
                                               overwrite: false) { _ in }
        XCTAssertEqual(record.parts.map(\.name), ["photos"])
        XCTAssertEqual(record.parts[0].count, 72)
        XCTAssertEqual(record.dimension, 8)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out + "/photos.f32"))
        let written = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        let (model, _, metrics) = try EmbeddingRun.load(runFolder)
        let photos = try RetrievalData.loaded(smallOptions())
        XCTAssertEqual(written, try EmbeddingNetwork.embed(photos.dataset, with: model).values, "the same bits, in order")
        XCTAssertEqual(record.fingerprint, metrics.fingerprint)
        let saved = try JSONDecoder().decode(EmbeddingExportRecord.self,
                                             from: Data(contentsOf: URL(fileURLWithPath: out + "/embeddings.json")))
        XCTAssertEqual(saved, record)
        let csv = try String(contentsOfFile: out + "/photos.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 73, "a header and a line per photo")
        XCTAssertEqual(csv[1], "0,\"\(photos.dataset.classNames[photos.dataset.labels[0]])\",\"\(photos.files[0].path)\"")

        XCTAssertThrowsError(try EmbeddingExport.write(modelRun: runFolder, dataset: nil, dataDirectory: nil, output: out,
                                                       overwrite: false) { _ in }) {
            XCTAssertTrue("\($0)".contains("already holds embeddings (embeddings.json); pass --overwrite"), "\($0)")
        }
        XCTAssertNoThrow(try EmbeddingExport.write(modelRun: runFolder, dataset: nil, dataDirectory: nil, output: out,
                                                   overwrite: true) { _ in })
        XCTAssertThrowsError(try EmbeddingExport.write(modelRun: runFolder, dataset: nil, dataDirectory: nil,
                                                       output: out + "/photos.f32", overwrite: true) { _ in }) {
            XCTAssertTrue("\($0)".contains("photos.f32 is a file; --out must name a folder"), "\($0)")
        }
        XCTAssertThrowsError(try EmbeddingExport.write(modelRun: root.appendingPathComponent("nothing").path, dataset: nil,
                                                       dataDirectory: nil, output: out, overwrite: true) { _ in }) {
            XCTAssertTrue("\($0)".contains("nothing: no such run folder"), "\($0)")
        }
        guard let data = ProcessInfo.processInfo.environment["STRATA_DATA"],
              FileManager.default.fileExists(atPath: data + "/mnist") else { return }
        XCTAssertThrowsError(try EmbeddingExport.write(modelRun: runFolder, dataset: "mnist", dataDirectory: data,
                                                       output: root.appendingPathComponent("mnist").path,
                                                       overwrite: false) { _ in }) {
            XCTAssertTrue("\($0)".contains("images of shape [1, 28, 28] (C, H, W), but the network takes [1, 16, 16]"), "\($0)")
        }
    }

    func testOptionsAreValidatedNamingTheOption() {
        var options = RetrievalOptions()
        options.loss = "hinge"
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--loss 'hinge'"), "\($0)") }
        options = RetrievalOptions()
        options.validationIdentities = 20
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--validation-identities"), "\($0)") }
        options = RetrievalOptions()
        options.imageSize = [4, 4]
        XCTAssertThrowsError(try options.validate()) { XCTAssertTrue("\($0)".contains("--image-size"), "\($0)") }
    }
}

private func XCTAssertEqual(_ a: [Float], _ b: [Float], accuracy: Float, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
