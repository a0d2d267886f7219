// strata-databench: load time of the full MNIST training set, augmentation throughput, and whether
// prefetching the next batch helps. Run in release: `swift run -c release strata-databench`.
// Data comes from the usual places ($STRATA_DATA/mnist, ~/.cache/strata/mnist, …), or pass a folder.
import Foundation
import StrataCore
import StrataData

/// Seconds taken by `body`.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// `body` run `repeats` times: the first (cold) time, the best and the median.
func timings(_ repeats: Int, _ body: () throws -> Void) rethrows -> (first: Double, best: Double, median: Double) {
    var times: [Double] = []
    for _ in 0..<repeats { times.append(try seconds(body)) }
    let sorted = times.sorted()
    return (times[0], sorted[0], sorted[sorted.count / 2])
}

func milliseconds(_ value: Double) -> String { String(format: "%.1f ms", value * 1000) }

/// Spins for `duration` seconds on `threads` threads, standing in for a training step.
func simulatedStep(_ duration: Double, threads: Int) {
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(duration * 1e9)
        var x: UInt64 = 1
        while DispatchTime.now().uptimeNanoseconds < end { x = x &* 6364136223846793005 &+ 1 }
        if x == 42 { print("") }
    }
}

let arguments = CommandLine.arguments.dropFirst()
let explicit = arguments.first.map { URL(fileURLWithPath: $0) }
var environment = ProcessInfo.processInfo.environment
if environment["STRATA_DATA"] == nil && explicit == nil && FileManager.default.fileExists(atPath: "../shared/data/mnist") {
    environment["STRATA_DATA"] = "../shared/data"
}
let locator = DatasetLocator(explicitDirectory: explicit, environment: environment)
print("strata-databench — \(ProcessInfo.processInfo.activeProcessorCount) cores")

do {
    let folder = try locator.locate(.mnist)
    print("MNIST from \(folder.path)")

    // 1. Load time of the 60,000 training images and labels (gzip, inflated as a stream).
    var train: Dataset!
    let load = try timings(5) { train = try Dataset.builtin(.mnist, part: .training, locator: locator) }
    print("load MNIST training set (.gz, \(train.count) images): first \(milliseconds(load.first)),"
        + " best \(milliseconds(load.best)), median \(milliseconds(load.median))")

    // The same from decompressed files.
    let rawFolder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-databench-\(getpid())")
    try FileManager.default.createDirectory(at: rawFolder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: rawFolder) }
    for file in BuiltinDataset.mnist.files where file.part == .training {
        let source = locator.existingFile(file, in: folder)!
        try Data(ByteStreams.readAll(source)).write(to: rawFolder.appendingPathComponent(file.name))
    }
    let rawLoad = try timings(5) {
        _ = try Dataset(imagesFile: rawFolder.appendingPathComponent("train-images-idx3-ubyte"),
                        labelsFile: rawFolder.appendingPathComponent("train-labels-idx1-ubyte"))
    }
    print("load MNIST training set (raw IDX): best \(milliseconds(rawLoad.best)), median \(milliseconds(rawLoad.median))")

    let imagesFile = locator.existingFile(BuiltinDataset.mnist.file(.training, .images), in: folder)!
    let hash = try timings(3) { _ = try SHA256.hash(contentsOf: imagesFile) }
    print("SHA-256 of the decompressed training images (47 MB): best \(milliseconds(hash.best))")

    let csv = rawFolder.appendingPathComponent("mnist_train.csv")
    let csvWrite = try seconds { try CSVDataset.write(train, to: csv) }
    var fromCSV: Dataset!
    let csvLoad = try seconds { fromCSV = try CSVDataset.load(from: csv) }
    precondition(fromCSV.images == train.images && fromCSV.labels == train.labels, "CSV round trip differs")
    print("CSV of the training set (\(try FileManager.default.attributesOfItem(atPath: csv.path)[.size]!) bytes):"
        + " write \(milliseconds(csvWrite)), load \(milliseconds(csvLoad))")

    // 2. Augmentation throughput, one thread, images per second.
    let sampleCount = 20_000
    let images = (0..<sampleCount).map { FloatImage(bytes: train.image(at: $0), height: 28, width: 28) }
    let augmentations: [(String, [any ImageAugmentation])] = [
        ("random affine (rot 15°, shift 0.1, scale 0.9–1.1, shear 10°)",
         [RandomAffine(rotationDegrees: 15, translation: 0.1, scale: 0.9...1.1, shearDegrees: 10)]),
        ("elastic distortion (alpha 34, sigma 4)", [ElasticDistortion(alpha: 34, sigma: 4)]),
        ("random erasing (p 0.5)", [RandomErasing(probability: 0.5)]),
        ("deskew (align)", [Deskew()]),
        ("affine + elastic + erasing", [RandomAffine(rotationDegrees: 15, translation: 0.1),
                                        ElasticDistortion(), RandomErasing()]),
    ]
    print("augmentation throughput, 1 thread, 28×28:")
    for (name, pipeline) in augmentations {
        let time = seconds {
            var checksum: Float = 0
            for (index, original) in images.enumerated() {
                var image = original
                var generator = RandomGenerator(seed: UInt64(index))
                for augmentation in pipeline { augmentation.apply(to: &image, using: &generator) }
                checksum += image.pixels[400]
            }
            if checksum.isNaN { print("") }
        }
        print("  " + name.padding(toLength: 62, withPad: " ", startingAt: 0)
            + String(format: "%10.0f images/s", Double(sampleCount) / time))
    }

    let deskewAll = seconds { _ = train.deskewed() }
    print(String(format: "deskew the whole training set (all cores): %@ (%.0f images/s)", milliseconds(deskewAll),
                 Double(train.count) / deskewAll))

    // 3. Whole epochs through the loader (batch 128): plain, augmented, and with a simulated training step,
    //    with and without prefetch.
    let plain = DataLoader(train, batchSize: 128, seed: 1, normalization: .standardized(mean: 0.1307, std: 0.3081))
    let plainEpoch = seconds { for batch in plain { _ = batch.images } }
    print("loader epoch, no augmentation (469 batches of 128): \(milliseconds(plainEpoch))")
    let affine = [RandomAffine(rotationDegrees: 15, translation: 0.1, scale: 0.9...1.1)] as [any ImageAugmentation]
    for threads in [1, 2] {
        let loader = DataLoader(train, batchSize: 128, seed: 1, augmentations: affine, threads: threads)
        let time = seconds { for batch in loader { _ = batch.images } }
        print(String(format: "loader epoch, random affine, %d thread(s): %@ (%.0f images/s)", threads,
                     milliseconds(time), Double(train.count) / time))
    }
    let subset = train.subset(Array(0..<12_800))
    for (stepThreads, step) in [(1, 0.002), (2, 0.002)] {
        for pipeline in [[], affine] as [[any ImageAugmentation]] {
            var line = "100 batches, \(pipeline.isEmpty ? "no augmentation" : "random affine"), "
                + "step of 2 ms on \(stepThreads) thread(s):"
            for prefetch in [false, true] {
                let loader = DataLoader(subset, batchSize: 128, seed: 1, augmentations: pipeline, prefetch: prefetch)
                let time = seconds { for _ in loader { simulatedStep(step, threads: stepThreads) } }
                line += " prefetch \(prefetch ? "on" : "off") \(milliseconds(time))"
            }
            print(line)
        }
    }
} catch {
    print("error: \(error)")
    exit(1)
}
