import Foundation
import StrataCore
import StrataData
import StrataNN
import StrataPlot
import StrataRetrieval
import StrataTrain

/// What `strata retrieve train` measured: the validation people's rank-1 accuracy and the threshold
/// chosen on them. Saved as `metrics.json`.
public struct EmbeddingMetrics: Codable, Equatable, Sendable {
    /// The dataset's name.
    public var dataset = ""
    /// The identity of the trained weights (`EmbeddingNetwork.fingerprint`).
    public var fingerprint = ""
    /// The unknown threshold: the cosine similarity at or below which a probe is answered unknown.
    public var threshold: Float = 0
    /// The false-alarm rate the threshold was chosen for.
    public var thresholdFAR = 0.0
    /// The number of enrolled identities the threshold was chosen for (`enroll` chooses it again for its gallery).
    public var thresholdIdentities = 0
    /// The `ThresholdRule` that chose the threshold (nil in runs from before the rules: `empirical`).
    public var thresholdRule: String?
    /// Validation scores of one stranger against one enrolled identity (best similarity to that identity's
    /// images), ascending, as the rule takes them: the threshold for any gallery size is chosen from these.
    public var impostorScores: [Float] = []
    /// Rank-1 accuracy of the validation probes against the validation gallery.
    public var validationRank1 = 0.0
    /// AUROC of validation probes as known (own identity enrolled) against as strangers (left out).
    public var validationAUROC = 0.0
    /// The people (or classes) each role went to.
    public var trainingIdentities: [String] = [], validationIdentities: [String] = []
    /// Seconds spent training.
    public var trainingSeconds = 0.0
    /// Trainable parameters of the network.
    public var parameters = 0
}

/// The threshold and validation numbers of a trained network, measured on the validation identities.
///
/// A stranger is accepted when its best similarity over the whole gallery is above the threshold, so its
/// chance of acceptance grows with the number n of enrolled identities. From the validation scores of one
/// stranger against one identity (CDF F), taking identities as independent, FAR(t) = 1 − F(t)ⁿ, and the
/// threshold for a target FAR α is the (1 − α)^(1/n) quantile of those scores, estimated by the
/// `ThresholdRule`. Choosing it instead from the best score over the few validation identities would set
/// it for a gallery of that size, too low for a larger one.
struct ValidationThreshold {
    /// The threshold of `rule` for `enrolled` identities at the target FAR.
    let threshold: Float
    /// The rule that chose `threshold`.
    let rule: ThresholdRule
    /// The scores `rule` uses, ascending.
    let impostorScores: [Float]
    /// Scores of one validation probe against one other validation identity's gallery, ascending.
    let probeImpostorScores: [Float]
    /// Scores of every validation photo (gallery photos too) against one other identity's gallery, ascending.
    let allPhotoImpostorScores: [Float]
    /// Rank-1 accuracy of the validation probes.
    let rank1: Double
    /// AUROC of known against left-out.
    let auroc: Double

    /// Embeds the validation gallery and probes with `model` and chooses the threshold of `rule` at
    /// `targetFAR` for a gallery of `enrolled` identities.
    init(model: Model?, split: OpenSetSplit, targetFAR: Double, enrolled: Int, rule: ThresholdRule) throws {
        let gallery = try EmbeddingNetwork.embed(split.validationGallery, with: model)
        let probes = try EmbeddingNetwork.embed(split.validationProbes, with: model)
        let galleryLabels = split.validationGallery.labels
        let scores = IdentityScores(probes: probes, probeLabels: split.validationProbes.labels,
                                    gallery: gallery, galleryLabels: galleryLabels)
        let known = zip(scores.bestSimilarities, zip(scores.bestLabels, scores.probeLabels)).map {
            OpenSetMetrics.KnownProbe(isCorrect: $0.1.0 == $0.1.1, similarity: $0.0)
        }
        let evaluation = OpenSetMetrics(known: known, unknownSimilarities: scores.impostorSimilarities)
        // A gallery photo played as a stranger is scored against the other people's galleries only.
        let galleryAsStrangers = IdentityScores(probes: gallery, probeLabels: galleryLabels,
                                                gallery: gallery, galleryLabels: galleryLabels)
        probeImpostorScores = scores.perIdentityImpostorSimilarities.sorted()
        allPhotoImpostorScores = (probeImpostorScores + galleryAsStrangers.perIdentityImpostorSimilarities).sorted()
        self.rule = rule
        impostorScores = Self.scores(for: rule, probes: probeImpostorScores, allPhotos: allPhotoImpostorScores)
        threshold = rule.threshold(impostorScores: impostorScores, enrolled: enrolled, falseAlarmRate: targetFAR)
        rank1 = scores.rank1Accuracy
        auroc = evaluation.auroc
    }

    /// The score set `rule` estimates from.
    static func scores(for rule: ThresholdRule, probes: [Float], allPhotos: [Float]) -> [Float] {
        rule.usesGalleryPhotosAsStrangers ? allPhotos : probes
    }

    /// The empirical rule's threshold: the (1 − α)^(1/n) quantile of the ascending `impostorScores`, the
    /// lowest score s with at least that share of scores at or below it (the highest score when the share
    /// asks for more than the scores hold).
    static func threshold(impostorScores: [Float], enrolled: Int, falseAlarmRate: Double) -> Float {
        ThresholdRule.empirical.threshold(impostorScores: impostorScores, enrolled: enrolled, falseAlarmRate: falseAlarmRate)
    }
}

/// `strata retrieve train`: trains the embedding network on the training identities of one choice of roles
/// and chooses the unknown threshold on the held-out validation identities.
public enum EmbeddingRun {
    /// Trains with `options` into a new run folder (`output`, or a dated one under `runs/`); `stopAfter`
    /// ends training after that many epochs, as an interruption would (then `metrics` is nil).
    @discardableResult
    public static func start(_ options: RetrievalOptions, output: String? = nil, overwrite: Bool = false,
                             verbose: Bool = true, stopAfter: Int? = nil, checkpointSeconds: Double = 30,
                             log: (String) -> Void) throws -> (folder: RunFolder, metrics: EmbeddingMetrics?) {
        try options.validate()
        if let threads = options.threads { ThreadPolicy.setThreadCount(threads) }
        let source = try RetrievalData.load(options)
        let split = try OpenSetSplit(source: source, options: options, seed: options.seed)
        let folder = try RunFolder.create(output: output, name: "\(source.name)-embedding", overwrite: overwrite)
        try AtomicFile.write(try RunReport.jsonEncoder.encode(options), to: folder.options)
        log("run folder: \(folder.url.path)")
        return try train(options, source: source, split: split, folder: folder, resumeFrom: nil, stopAfter: stopAfter,
                         checkpointSeconds: checkpointSeconds, verbose: verbose, log: log)
    }

    /// Continues the interrupted run in the folder at `path` from its last checkpoint, with its saved
    /// options, to the weights the run would have had, bit for bit.
    @discardableResult
    public static func resume(_ path: String, verbose: Bool = true, checkpointSeconds: Double = 30,
                              log: (String) -> Void) throws -> (folder: RunFolder, metrics: EmbeddingMetrics?) {
        let (folder, options) = try RunFolder.resuming(path, unit: "epoch", options: RetrievalOptions.self)
        try options.validate()
        if let threads = options.threads { ThreadPolicy.setThreadCount(threads) }
        let source = try RetrievalData.load(options)
        let split = try OpenSetSplit(source: source, options: options, seed: options.seed)
        let checkpoint = try Checkpoint.load(from: folder.checkpoint)
        log("resuming \(folder.url.path) after epoch \(checkpoint.progress.epochsCompleted) of \(options.epochs)")
        return try train(options, source: source, split: split, folder: folder, resumeFrom: checkpoint, stopAfter: nil,
                         checkpointSeconds: checkpointSeconds, verbose: verbose, log: log)
    }

    /// Trains (or continues training), chooses the threshold and writes the folder.
    static func train(_ options: RetrievalOptions, source: RetrievalSource, split: OpenSetSplit, folder: RunFolder,
                      resumeFrom checkpoint: Checkpoint?, stopAfter: Int?, checkpointSeconds: Double, verbose: Bool,
                      log: (String) -> Void) throws -> (folder: RunFolder, metrics: EmbeddingMetrics?) {
        let trained = try EmbeddingTraining.train(options, split: split, seed: options.seed, verbose: verbose,
                                                  folder: folder, resumeFrom: checkpoint, stopAfter: stopAfter,
                                                  checkpointSeconds: checkpointSeconds, log: log)
        if trained.model != nil, trained.history.epochs.count < options.epochs {
            log("stopped after epoch \(trained.history.epochs.count) of \(options.epochs); continue with --resume")
            return (folder, nil)
        }
        let enrolled = split.knownNames.count
        let validation = try ValidationThreshold(model: trained.model, split: split, targetFAR: options.thresholdFAR,
                                                 enrolled: enrolled, rule: options.resolvedThresholdRule)
        var metrics = EmbeddingMetrics()
        metrics.dataset = source.name
        metrics.fingerprint = trained.fingerprint
        metrics.threshold = validation.threshold
        metrics.thresholdFAR = options.thresholdFAR
        metrics.thresholdIdentities = enrolled
        metrics.thresholdRule = validation.rule.rawValue
        metrics.impostorScores = validation.impostorScores
        metrics.validationRank1 = validation.rank1
        metrics.validationAUROC = validation.auroc
        metrics.trainingIdentities = split.trainingNames
        metrics.validationIdentities = split.validationNames
        metrics.trainingSeconds = trained.seconds
        metrics.parameters = trained.model?.parameters.scalarCount ?? 0
        log(String(format: "validation rank-1 %.4f, AUROC %.4f; threshold %.4f (%@ rule, FAR %.2f with %d people enrolled); %.1f s",
                   metrics.validationRank1, metrics.validationAUROC, metrics.threshold, validation.rule.rawValue,
                   metrics.thresholdFAR, enrolled, metrics.trainingSeconds))
        try write(folder, trained: trained, metrics: metrics)
        RunTracking.finish(folder: folder)
        log("wrote \(folder.url.path)")
        return (folder, metrics)
    }

    /// Writes the weights, history, charts, metrics, summary and report of a trained network.
    static func write(_ folder: RunFolder, trained: TrainedEmbedding, metrics: EmbeddingMetrics) throws {
        func url(_ name: String) -> URL { folder.url.appendingPathComponent(name) }
        try AtomicFile.write(Data(trained.history.csv().utf8), to: folder.history)
        try AtomicFile.write(try RunReport.jsonEncoder.encode(metrics), to: url("metrics.json"))
        let summary = trained.model?.summary() ?? "pixels: no network"
        try AtomicFile.write(Data((summary + "\n").utf8), to: url("summary.txt"))
        var page = HTMLPage(title: "Embedding network on \(metrics.dataset)")
        page.table("Results", header: ["quantity", "value"], rows: [
            ["validation rank-1", String(format: "%.4f", metrics.validationRank1)],
            ["validation AUROC (known vs left out)", String(format: "%.4f", metrics.validationAUROC)],
            ["threshold", String(format: "%.4f", metrics.threshold)],
            ["rule", metrics.thresholdRule ?? ThresholdRule.empirical.rawValue],
            ["for FAR", String(format: "%.2f", metrics.thresholdFAR)],
            ["with identities enrolled", String(metrics.thresholdIdentities)],
            ["training seconds", String(format: "%.1f", metrics.trainingSeconds)],
            ["parameters", String(metrics.parameters)],
            ["fingerprint", metrics.fingerprint],
        ])
        if let model = trained.model {
            let epochs = trained.history.epochs.map(Double.init)
            for (quantity, title) in [("loss", "Training loss"), ("val_rank1", "Validation rank-1 accuracy")] {
                var chart = LineChart(title: title, xLabel: "epoch", yLabel: quantity)
                chart.add(series: quantity, x: epochs, y: trained.history[quantity], marker: .circle)
                _ = try chart.save(to: url("\(quantity).png"))
                try page.chart(title, chart)
            }
            try Checkpoint.save(parameters: model.parameters, buffers: model.buffers, optimizer: nil,
                                progress: TrainingProgress(epochsCompleted: trained.history.epochs.count,
                                                           history: trained.history,
                                                           extra: ["fingerprint": trained.fingerprint]),
                                to: url("model.safetensors"))
        }
        page.text("Model", summary)
        try AtomicFile.write(Data(page.html.utf8), to: url("report.html"))
    }

    /// The trained network of the run folder at `path`, with its options and metrics; refuses a folder whose
    /// weights do not match the fingerprint it recorded.
    public static func load(_ path: String) throws -> (model: Model?, options: RetrievalOptions, metrics: EmbeddingMetrics) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw ExperimentError("\(path): no such run folder")
        }
        let folder = URL(fileURLWithPath: path)
        func read<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
            try RunReport.readJSON(type, at: folder.appendingPathComponent(name),
                                   hint: "is \(path) a run folder of `strata retrieve train`?")
        }
        let options = try read(RetrievalOptions.self, "options.json")
        do {
            try options.validate()
        } catch {
            throw ExperimentError("\(folder.appendingPathComponent("options.json").path): invalid run options: \(error)")
        }
        let metrics = try read(EmbeddingMetrics.self, "metrics.json")
        let size = options.resolvedImageSize
        let imageShape = [1, size[0], size[1]]
        guard let model = try EmbeddingNetwork.make(options, imageShape: imageShape, seed: options.seed) else {
            return (nil, options, metrics)
        }
        let weights = folder.appendingPathComponent("model.safetensors")
        try Checkpoint.load(from: weights).restore(into: model.parameters, buffers: model.buffers, optimizer: nil)
        let fingerprint = EmbeddingNetwork.fingerprint(of: model, options: options, imageShape: imageShape)
        guard fingerprint == metrics.fingerprint else {
            throw ExperimentError("\(weights.path): the weights' fingerprint \(fingerprint) is not the one the run "
                + "recorded (\(metrics.fingerprint)); the file was changed after training")
        }
        return (model, options, metrics)
    }
}
