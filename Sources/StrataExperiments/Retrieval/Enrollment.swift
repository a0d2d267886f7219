import Foundation
import StrataCore
import StrataData
import StrataPlot
import StrataRetrieval
import StrataTrain

/// What an index folder records beside the index: the network that embedded it and its threshold.
public struct EnrollmentRecord: Codable, Equatable, Sendable {
    /// The run folder of `strata retrieve train` whose network embedded the gallery (absolute path).
    public var modelRun: String
    /// The weights' fingerprint; the index is refused with any other network.
    public var fingerprint: String
    /// The threshold for the people enrolled, from the trained network's validation scores.
    public var threshold: Float
    /// The gallery folders enrolled, in order.
    public var galleries: [String]
}

/// `strata retrieve enroll` and `strata retrieve query`: an index of a gallery folder's photos, saved to
/// disk, and photos matched against it.
public enum Enrollment {
    /// The index's JSON sidecar in an index folder (its vectors are in `index.safetensors` beside it).
    static func indexURL(_ folder: URL) -> URL { folder.appendingPathComponent("index.json") }
    /// The enrollment record in an index folder.
    static func recordURL(_ folder: URL) -> URL { folder.appendingPathComponent("enrollment.json") }

    /// Embeds every photo of `gallery` (one subfolder per person) with the network of `modelRun`, clusters
    /// them by k-means into an inverted-file index and saves it in `output` (default `<gallery>.index`);
    /// with `addTo`, adds the photos to that existing index instead.
    public static func enroll(gallery: String, modelRun: String, output: String?, clusters: Int?, addTo: String?,
                              overwrite: Bool, seed: UInt64, log: (String) -> Void) throws {
        let (model, options, metrics) = try EmbeddingRun.load(modelRun)
        let size = options.resolvedImageSize
        let galleryURL = URL(fileURLWithPath: gallery).standardizedFileURL
        let photos = try ImageFolderDataset.loadFolder(from: galleryURL, size: (height: size[0], width: size[1]))
        let embeddings = try EmbeddingNetwork.embed(photos.dataset, with: model)
        let folder: URL
        var index: IVFIndex
        var record: EnrollmentRecord
        if let addTo {
            folder = URL(fileURLWithPath: addTo).standardizedFileURL
            record = try readRecord(folder)
            guard record.fingerprint == metrics.fingerprint else {
                throw ExperimentError("\(recordURL(folder).path): the index was built by the network \(record.fingerprint), "
                    + "not by \(modelRun) (\(metrics.fingerprint)); enrol with the same --model")
            }
            index = try IndexFile.loadIVF(from: indexURL(folder), expectedFingerprint: metrics.fingerprint,
                                          expectedDimension: embeddings.dimension)
            record.galleries.append(galleryURL.path)
        } else {
            folder = URL(fileURLWithPath: output ?? galleryURL.path + ".index").standardizedFileURL
            if FileManager.default.fileExists(atPath: indexURL(folder).path) && !overwrite {
                throw ExperimentError("\(folder.path) already holds an index; pass --overwrite to replace it or --add to add to it")
            }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let people = Set(photos.dataset.labels).count
            let listCount = min(clusters ?? people, photos.dataset.count)
            // Plain (not spherical) k-means: the centres stay means of unit vectors, as the original method used them.
            index = try IVFIndex.train(on: embeddings, listCount: listCount,
                                       options: KMeansOptions(clusterCount: listCount, restarts: 5, seed: seed))
            record = EnrollmentRecord(modelRun: URL(fileURLWithPath: modelRun).standardizedFileURL.path,
                                      fingerprint: metrics.fingerprint, threshold: metrics.threshold,
                                      galleries: [galleryURL.path])
        }
        let firstID = index.count
        let items = photos.files.enumerated().map { offset, file in
            IndexItem(id: firstID + offset, label: photos.dataset.classNames[photos.dataset.labels[offset]], path: file.path)
        }
        try index.add(embeddings, items: items)
        let people = Set(index.lists.flatMap(\.labels)).count
        // Runs from before the threshold rules recorded none: they used the empirical one.
        let rule = try metrics.thresholdRule.map(ThresholdRule.init(named:)) ?? .empirical
        record.threshold = rule.threshold(impostorScores: metrics.impostorScores, enrolled: people,
                                          falseAlarmRate: metrics.thresholdFAR)
        try IndexFile.save(index, fingerprint: metrics.fingerprint, to: indexURL(folder))
        try AtomicFile.write(try RunReport.jsonEncoder.encode(record), to: recordURL(folder))
        log("enrolled \(photos.dataset.count) photos of \(Set(photos.dataset.labels).count) people from \(galleryURL.path); "
            + "the index holds \(index.count) photos of \(people) people in \(index.listCount) clusters; "
            + String(format: "threshold %.4f (%@ rule, FAR %.2f)", record.threshold, rule.rawValue, metrics.thresholdFAR))
        for (number, list) in index.lists.enumerated() {
            log("cluster \(number): " + list.items.map(itemName).joined(separator: ", "))
        }
        // Photos just enrolled are in memory; only those of earlier enrolments are read again.
        let grid = try RetrievalPictures.clusterGrid(index, size: size) { item in
            item.id >= firstID ? Array(photos.dataset.image(at: item.id - firstID))
                : try ImageFolderDataset.loadImages([URL(fileURLWithPath: item.path)], size: (height: size[0], width: size[1]))
        }
        _ = try grid.save(to: folder.appendingPathComponent("clusters.png"))
        var page = HTMLPage(title: "Gallery index")
        page.table("Index", header: ["quantity", "value"], rows: [
            ["photos", String(index.count)], ["people", String(people)], ["clusters", String(index.listCount)],
            ["threshold", String(format: "%.4f (FAR %.2f)", record.threshold, metrics.thresholdFAR)],
            ["network", record.modelRun], ["fingerprint", record.fingerprint],
            ["galleries", record.galleries.joined(separator: ", ")],
        ])
        page.table("Clusters", header: ["cluster", "photos"], rows: index.lists.enumerated().map { number, list in
            [String(number), list.items.map(itemName).joined(separator: ", ")]
        })
        try page.chart("Clusters", grid)
        try AtomicFile.write(Data(page.html.utf8), to: folder.appendingPathComponent("report.html"))
        log("wrote \(folder.path) (index.json, index.safetensors, enrollment.json, clusters.png, report.html)")
    }

    /// Matches each photo of `images` (files, or folders whose image files are all taken) against the index
    /// in `indexFolder` and prints the person or unknown, the similarity and the matched cluster's photos;
    /// with `output`, also writes `matches.csv`, `matches.png` and `report.html` there.
    @discardableResult
    public static func query(index indexFolder: String, images: [String], threshold: Float?, centroid: Bool,
                             nprobe: Int?, top: Int, output: String? = nil, log: (String) -> Void) throws -> [Match] {
        let folder = URL(fileURLWithPath: indexFolder).standardizedFileURL
        let record = try readRecord(folder)
        let (model, options, metrics) = try EmbeddingRun.load(record.modelRun)
        let index = try IndexFile.loadIVF(from: indexURL(folder), expectedFingerprint: metrics.fingerprint)
        let files = try imageFiles(images)
        let size = options.resolvedImageSize
        let pixels = try ImageFolderDataset.loadImages(files, size: (height: size[0], width: size[1]))
        let queries = try Dataset(name: "queries", images: pixels, labels: [Int](repeating: 0, count: files.count),
                                  height: size[0], width: size[1], classNames: ["query"])
        let embeddings = try EmbeddingNetwork.embed(queries, with: model)
        let method: OpenSetMatcher.Method = centroid ? .nearestCentre(threshold: threshold ?? 0.8)
                                                     : .nearestItem(threshold: threshold ?? record.threshold)
        let matcher = try OpenSetMatcher(index: index, method: method, nprobe: min(nprobe ?? index.listCount, index.listCount),
                                         neighbourCount: top)
        let matches = try matcher.match(embeddings)
        let usedThreshold = threshold ?? (centroid ? 0.8 : record.threshold)
        log(String(format: "method %@, threshold %.4f, %d of %d clusters searched", centroid ? "centroid" : "nearest",
                   usedThreshold, matcher.nprobe, index.listCount))
        for (file, match) in zip(files, matches) {
            log(describe(match, file: file))
        }
        if let output {
            try writeMatches(matches, files: files, pixels: pixels, size: size, to: URL(fileURLWithPath: output), log: log)
        }
        return matches
    }

    /// Writes `matches.csv` (photo, answer, similarity, best person, cluster), `matches.png` (each photo beside
    /// its nearest enrolled photos) and `report.html` into `folder`.
    static func writeMatches(_ matches: [Match], files: [URL], pixels: [UInt8], size: [Int], to folder: URL,
                             log: (String) -> Void) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let rows = zip(files, matches).map { file, match in
            [quoted(file.path), quoted(match.label ?? "unknown"), String(format: "%.6f", match.similarity),
             quoted(match.bestLabel ?? ""), match.cluster.map(String.init) ?? ""].joined(separator: ",")
        }
        try AtomicFile.write(Data((["photo,answer,similarity,best,cluster"] + rows).joined(separator: "\n").utf8 + [10]),
                             to: folder.appendingPathComponent("matches.csv"))
        let plane = size[0] * size[1]
        let probes = matches.indices.map { i in (pixels: Array(pixels[(i * plane)..<((i + 1) * plane)]), truth: String?.none, match: matches[i]) }
        let grid = try RetrievalPictures.matchesGrid(probes, size: size, neighbours: matches.first?.neighbours.count ?? 1) { item in
            try ImageFolderDataset.loadImages([URL(fileURLWithPath: item.path)], size: (height: size[0], width: size[1]))
        }
        _ = try grid.save(to: folder.appendingPathComponent("matches.png"))
        var page = HTMLPage(title: "Matches")
        page.table("Answers", header: ["photo", "answer", "similarity", "best", "cluster"], rows: zip(files, matches).map { file, match in
            [file.path, match.label ?? "unknown", String(format: "%.4f", match.similarity), match.bestLabel ?? "",
             match.cluster.map(String.init) ?? ""]
        })
        try page.chart("Photos and their nearest enrolled photos", grid)
        try AtomicFile.write(Data(page.html.utf8), to: folder.appendingPathComponent("report.html"))
        log("wrote \(folder.path) (matches.csv, matches.png, report.html)")
    }

    /// The printout of one match: the answer, then the matched cluster's photos, then the nearest photos.
    static func describe(_ match: Match, file: URL) -> String {
        let parent = file.deletingLastPathComponent().lastPathComponent
        let name = parent.isEmpty || parent == "/" ? file.lastPathComponent : "\(parent)/\(file.lastPathComponent)"
        var text = match.label.map { String(format: "%@: %@ (similarity %.4f)", name, $0, match.similarity) }
            ?? String(format: "%@: unknown (best %@, similarity %.4f)", name, match.bestLabel ?? "none", match.similarity)
        if match.label != nil, let cluster = match.cluster {
            text += "\n  cluster \(cluster): " + match.clusterMembers.map(itemName).joined(separator: ", ")
        }
        text += "\n  nearest: " + match.neighbours.map { String(format: "%@ %.3f", itemName($0.item), $0.score) }
            .joined(separator: ", ")
        return text
    }

    /// `person/file` for an enrolled photo, or `person#id` for an image without a file.
    static func itemName(_ item: IndexItem) -> String {
        item.path.isEmpty ? "\(item.label)#\(item.id)" : "\(item.label)/\(URL(fileURLWithPath: item.path).lastPathComponent)"
    }

    /// The enrollment record of an index folder.
    static func readRecord(_ folder: URL) throws -> EnrollmentRecord {
        try RunReport.readJSON(EnrollmentRecord.self, at: recordURL(folder),
                               hint: "is \(folder.path) an index folder of `strata retrieve enroll`?")
    }

    /// The image files named by `paths`: files as given, folders expanded to their image files (one level
    /// and their subfolders, in natural order).
    static func imageFiles(_ paths: [String]) throws -> [URL] {
        var files: [URL] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw ExperimentError("\(path): no such file or folder")
            }
            guard isFolder.boolValue else {
                files.append(URL(fileURLWithPath: path))
                continue
            }
            let root = URL(fileURLWithPath: path)
            guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
                throw ExperimentError("\(path): cannot list the folder")
            }
            let found = walker.compactMap { $0 as? URL }.filter { ImageFileFormat.hasImageExtension($0) }
                .sorted { $0.path.compare($1.path, options: .numeric) == .orderedAscending }
            guard !found.isEmpty else { throw ExperimentError("\(path): no image files (\(ImageFileFormat.supportedList))") }
            files += found
        }
        guard !files.isEmpty else { throw ExperimentError("no photos to match") }
        return files
    }
}
