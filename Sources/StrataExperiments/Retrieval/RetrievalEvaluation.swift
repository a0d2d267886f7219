import Foundation
import StrataCore
import StrataData
import StrataPlot
import StrataRetrieval
import StrataTrain

/// `strata retrieve evaluate`: the open-set protocol, repeated over seeded choices of roles.
///
/// Each repetition gives out the roles (`OpenSetSplit`), trains a network on the training identities,
/// chooses the threshold on the validation identities at `thresholdFAR`, enrols the gallery into a k-means
/// inverted-file index and queries it with the known probes and the strangers, by nearest enrolled photo
/// (the threshold chosen) and by the original nearest-centre method (threshold 0.8).
///
/// ```swift
/// var options = RetrievalOptions()
/// options.repeats = 3
/// let results = try RetrievalEvaluation.start(options, output: "runs/orl") { print($0) }
/// ```
public enum RetrievalEvaluation {
    /// Runs the protocol into a new run folder (`output`, or a dated one under `runs/`); returns each repetition's numbers.
    public static func start(_ options: RetrievalOptions, output: String? = nil, overwrite: Bool = false,
                             log: (String) -> Void) throws -> [OpenSetResult] {
        try options.validate()
        if let threads = options.threads { ThreadPolicy.setThreadCount(threads) }
        let source = try RetrievalData.load(options)
        let folder = try RunFolder.create(output: output, name: "\(source.name)-openset", overwrite: overwrite)
        try AtomicFile.write(try RunReport.jsonEncoder.encode(options), to: folder.options)
        log("run folder: \(folder.url.path)")
        var results: [OpenSetResult] = []
        var first: Repetition?
        for repetition in 0..<options.repeats {
            let seed = options.seed &+ UInt64(repetition) &* 1000
            let run = try evaluate(options, source: source, seed: seed, verbose: false, log: log)
            results.append(run.result)
            if first == nil { first = run }
            let r = run.result
            log(String(format: "repeat %d/%d (seed %llu): rank-1 %.4f, DIR@1%%FAR %.4f, DIR@10%%FAR %.4f, threshold %.3f "
                       + "→ FAR %.4f FRR %.4f; at 0.8 FAR %.4f FRR %.4f; AUROC %.4f; centroid@0.8 rank-1 %.4f FAR %.4f FRR %.4f; %.1f s",
                       repetition + 1, options.repeats, seed, r.rank1, r.dirAt1FAR, r.dirAt10FAR, r.threshold,
                       r.farAtThreshold, r.frrAtThreshold, r.farAt08, r.frrAt08, r.auroc, r.centroidRank1,
                       r.centroidFARAt08, r.centroidFRRAt08, r.trainingSeconds))
            log("  rules: " + r.thresholdComparison.map {
                String(format: "%@ %.3f → FAR %.4f FRR %.4f", $0.name, $0.threshold, $0.falseAlarmRate, $0.falseRejectionRate)
            }.joined(separator: "; "))
            try AtomicFile.write(try RunReport.jsonEncoder.encode(results), to: folder.url.appendingPathComponent("repeats.json"))
        }
        let table = summaryTable(results)
        log("\n" + table)
        try write(folder, options: options, results: results, table: table, first: first!)
        log("wrote \(folder.url.path)")
        return results
    }

    /// What one repetition leaves for the pictures besides its numbers.
    struct Repetition {
        let result: OpenSetResult
        let split: OpenSetSplit
        let index: IVFIndex
        let metrics: OpenSetMetrics
        let knownMatches: [Match], unknownMatches: [Match]
        let history: History
        let summary: String
    }

    /// One repetition of the protocol with roles and weights from `seed`.
    static func evaluate(_ options: RetrievalOptions, source: RetrievalSource, seed: UInt64, verbose: Bool,
                         log: (String) -> Void) throws -> Repetition {
        let split = try OpenSetSplit(source: source, options: options, seed: seed)
        let trained = try EmbeddingTraining.train(options, split: split, seed: seed, verbose: verbose, log: { _ in })
        let validation = try ValidationThreshold(model: trained.model, split: split, targetFAR: options.thresholdFAR,
                                                 enrolled: Set(split.gallery.labels).count,
                                                 rule: options.resolvedThresholdRule)
        let gallery = try EmbeddingNetwork.embed(split.gallery, with: trained.model)
        let known = try EmbeddingNetwork.embed(split.knownProbes, with: trained.model)
        let unknown = try EmbeddingNetwork.embed(split.unknownProbes, with: trained.model)
        let names = split.gallery.classNames
        let items = (0..<split.gallery.count).map { row in
            IndexItem(id: row, label: names[split.gallery.labels[row]],
                      path: split.galleryFiles.isEmpty ? "" : split.galleryFiles[row].path)
        }
        let identities = Set(split.gallery.labels).count
        let listCount = min(options.clusters ?? identities, split.gallery.count)
        // Plain k-means: centres stay means of unit vectors, as the original nearest-centre method used them.
        var index = try IVFIndex.train(on: gallery, listCount: listCount,
                                       options: KMeansOptions(clusterCount: listCount, restarts: 5, seed: seed &+ 7))
        try index.add(gallery, items: items)
        let nprobe = min(options.nprobe ?? listCount, listCount)
        let nearest = try OpenSetMatcher(index: index, method: .nearestItem(threshold: validation.threshold), nprobe: nprobe)
        let knownMatches = try nearest.match(known), unknownMatches = try nearest.match(unknown)
        let truth = split.knownProbes.labels.map { names[$0] }
        let metrics = OpenSetMetrics(known: Array(zip(knownMatches, truth)).map { (match: $0.0, trueLabel: $0.1) },
                                     unknown: unknownMatches)
        let centroid = try OpenSetMatcher(index: index, method: .nearestCentre(threshold: 0.8), nprobe: nprobe)
        let centroidKnown = try centroid.match(known), centroidUnknown = try centroid.match(unknown)
        let centroidMetrics = OpenSetMetrics(known: Array(zip(centroidKnown, truth)).map { (match: $0.0, trueLabel: $0.1) },
                                             unknown: centroidUnknown)

        var result = OpenSetResult()
        result.seed = seed
        result.trainingSeconds = trained.seconds
        result.threshold = validation.threshold
        result.validationRank1 = validation.rank1
        result.rank1 = metrics.rankOneAccuracy
        result.dirAt1FAR = metrics.operatingPoint(atFalseAlarmRate: 0.01).detectionAndIdentificationRate
        result.dirAt10FAR = metrics.operatingPoint(atFalseAlarmRate: 0.10).detectionAndIdentificationRate
        let chosen = metrics.operatingPoint(threshold: validation.threshold)
        result.dirAtThreshold = chosen.detectionAndIdentificationRate
        result.farAtThreshold = chosen.falseAlarmRate
        result.frrAtThreshold = chosen.falseRejectionRate
        result.farAt08 = metrics.falseAlarmRate(threshold: 0.8)
        result.frrAt08 = metrics.falseRejectionRate(threshold: 0.8)
        result.auroc = metrics.auroc
        result.centroidRank1 = centroidMetrics.rankOneAccuracy
        result.centroidFARAt08 = centroidMetrics.falseAlarmRate(threshold: 0.8)
        result.centroidFRRAt08 = centroidMetrics.falseRejectionRate(threshold: 0.8)
        result.centroidMeanSimilarity = centroidKnown.map { Double($0.similarity) }.reduce(0, +) / Double(max(centroidKnown.count, 1))
        let lengths = (0..<index.centres.count).map { i in Double(index.centres.vector(at: i).reduce(0) { $0 + $1 * $1 }).squareRoot() }
        result.centroidMeanLength = lengths.reduce(0, +) / Double(max(lengths.count, 1))
        result.thresholdComparison = comparison(validation, metrics: metrics, targetFAR: options.thresholdFAR,
                                                enrolled: Set(split.gallery.labels).count)
        result.knownProbes = known.count
        result.unknownProbes = unknown.count
        result.galleryImages = gallery.count
        return Repetition(result: result, split: split, index: index, metrics: metrics, knownMatches: knownMatches,
                          unknownMatches: unknownMatches, history: trained.history,
                          summary: trained.model?.summary() ?? "pixels: no network")
    }

    /// Every rule's threshold on both validation score sets, with the test FAR and FRR each gives.
    static func comparison(_ validation: ValidationThreshold, metrics: OpenSetMetrics, targetFAR: Double,
                           enrolled: Int) -> [ThresholdOutcome] {
        ThresholdRule.allCases.flatMap { rule in
            [("probe photos", validation.probeImpostorScores), ("all photos", validation.allPhotoImpostorScores)].map {
                let threshold = rule.threshold(impostorScores: $0.1, enrolled: enrolled, falseAlarmRate: targetFAR)
                return ThresholdOutcome(name: "\(rule.rawValue) (\($0.0))", threshold: threshold,
                                        falseAlarmRate: metrics.falseAlarmRate(threshold: threshold),
                                        falseRejectionRate: metrics.falseRejectionRate(threshold: threshold))
            }
        }
    }

    /// The labelled mean ± sd rows: the reported fields, then FAR, FRR and threshold of every compared rule.
    static func summaryRows(_ results: [OpenSetResult]) -> [(label: String, mean: Double, deviation: Double)] {
        var rows = OpenSetResult.reported.map { label, key in
            let (mean, deviation) = meanAndDeviation(results.map { $0[keyPath: key] })
            return (label, mean, deviation)
        }
        for name in results.first?.thresholdComparison.map(\.name) ?? [] {
            let outcomes = results.compactMap { $0.thresholdComparison.first { $0.name == name } }
            for (measure, values) in [("FAR", outcomes.map(\.falseAlarmRate)), ("FRR", outcomes.map(\.falseRejectionRate)),
                                      ("threshold", outcomes.map { Double($0.threshold) })] {
                let (mean, deviation) = meanAndDeviation(values)
                rows.append(("\(measure) @ rule \(name)", mean, deviation))
            }
        }
        return rows
    }

    /// The markdown table of mean ± standard deviation over the repetitions.
    static func summaryTable(_ results: [OpenSetResult]) -> String {
        var lines = ["| measure | mean ± sd over \(results.count) |", "| --- | --- |"]
        for (label, mean, deviation) in summaryRows(results) {
            let digits = label == "training seconds" ? 1 : 4
            lines.append("| \(label) | \(String(format: "%.\(digits)f ± %.\(digits)f", mean, deviation)) |")
        }
        return lines.joined(separator: "\n")
    }

    /// Writes the numbers, the table, the pictures of the first repetition and the report.
    static func write(_ folder: RunFolder, options: RetrievalOptions, results: [OpenSetResult], table: String,
                      first: Repetition) throws {
        func url(_ name: String) -> URL { folder.url.appendingPathComponent(name) }
        try AtomicFile.write(Data((table + "\n").utf8), to: url("results.md"))
        var summary: [String: [Double]] = [:]
        for (label, mean, deviation) in summaryRows(results) { summary[label] = [mean, deviation] }
        try AtomicFile.write(try RunReport.jsonEncoder.encode(summary), to: url("metrics.json"))
        try AtomicFile.write(Data(first.history.csv().utf8), to: folder.history)
        let split = first.split
        let size = [split.gallery.height, split.gallery.width]
        let threshold = first.result.threshold
        var page = HTMLPage(title: "Open-set identification on \(split.gallery.name)")
        page.table("Mean ± standard deviation over \(results.count) choices of roles", header: ["measure", "mean ± sd"],
                   rows: summaryRows(results).map { label, mean, deviation in
                       [label, String(format: "%.4f ± %.4f", mean, deviation)]
                   })
        page.table("Roles of the first repetition", header: ["role", "identities"], rows: [
            ["training", split.trainingNames.joined(separator: " ")],
            ["validation (threshold)", split.validationNames.joined(separator: " ")],
            ["known (enrolled)", split.knownNames.joined(separator: " ")],
            ["strangers", split.unknownNames.joined(separator: " ")],
        ])
        let galleryPixels = { (item: IndexItem) -> [UInt8] in Array(split.gallery.image(at: item.id)) }
        var charts: [(String, String, any Chart)] = [
            ("dir_far.png", "DIR, FAR and FRR against the threshold (first repetition)",
             RetrievalPictures.dirFarChart(first.metrics, chosen: threshold, title: "Open-set rates against the threshold")),
            ("det.png", "DET curve (first repetition)", RetrievalPictures.detChart(first.metrics, title: "DET curve")),
            ("clusters.png", "Clusters of the gallery (first repetition)",
             try RetrievalPictures.clusterGrid(first.index, size: size, pixels: galleryPixels)),
        ]
        // A few probes: the first known probe of up to six identities, then up to three strangers.
        var probes: [(pixels: [UInt8], truth: String?, match: Match)] = []
        var seen = Set<Int>()
        for row in 0..<split.knownProbes.count where !seen.contains(split.knownProbes.labels[row]) && seen.count < 6 {
            seen.insert(split.knownProbes.labels[row])
            probes.append((Array(split.knownProbes.image(at: row)),
                           split.knownProbes.classNames[split.knownProbes.labels[row]], first.knownMatches[row]))
        }
        for row in stride(from: 0, to: split.unknownProbes.count, by: max(1, split.unknownProbes.count / 3)).prefix(3) {
            probes.append((Array(split.unknownProbes.image(at: row)), "stranger", first.unknownMatches[row]))
        }
        charts.append(("matches.png", "Probes and their top-5 matches (first repetition)",
                       RetrievalPictures.matchesGrid(probes, size: size, neighbours: 5, pixels: galleryPixels)))
        if !first.history.epochs.isEmpty {
            var loss = LineChart(title: "Training loss (first repetition)", xLabel: "epoch", yLabel: "loss")
            loss.add(series: "loss", x: first.history.epochs.map(Double.init), y: first.history["loss"], marker: .circle)
            charts.append(("loss.png", "Training loss (first repetition)", loss))
        }
        for (file, heading, chart) in charts {
            _ = try chart.save(to: url(file))
            try page.chart(heading, chart)
        }
        let printout = zip(probes.indices, probes).map { i, probe in
            Enrollment.describe(probe.match, file: URL(fileURLWithPath: "/probe\(i + 1)-\(probe.truth ?? "")"))
        }.joined(separator: "\n")
        try AtomicFile.write(Data((printout + "\n").utf8), to: url("printout.txt"))
        page.text("Original-style printout (first repetition)", printout)
        page.text("Model", first.summary)
        try AtomicFile.write(Data(page.html.utf8), to: url("report.html"))
    }
}
