import Foundation
import StrataCore
import StrataData
import StrataNN
import StrataRetrieval
import StrataTrain

/// A trained embedding network with its training record.
public struct TrainedEmbedding {
    /// The network (nil for the `pixels` baseline, which has nothing to train).
    public let model: Model?
    /// Every epoch's `loss` and the validation rank-1 accuracy `val_rank1`.
    public let history: History
    /// Seconds spent training.
    public let seconds: Double
    /// The identity of the weights (`EmbeddingNetwork.fingerprint`).
    public let fingerprint: String
}

/// Trains an embedding network with a metric-learning loss on P×K batches (P identities × K images):
/// triplet loss with batch-hard or semi-hard mining, contrastive loss, or ArcFace / CosFace, whose class
/// weights are trained with the network and dropped afterwards.
public enum EmbeddingTraining {
    /// The loss of `options` for `classes` training identities, with its own trainable parameters
    /// (ArcFace's and CosFace's class weights; none for the others).
    public static func makeLoss(_ options: RetrievalOptions, classes: Int, seed: UInt64) -> (loss: any Loss, parameters: [Parameter]) {
        switch options.loss {
        case "contrastive":
            return (options.margin.map { ContrastiveLoss(margin: $0) } ?? ContrastiveLoss(), [])
        case "arcface", "cosface":
            let kind: AngularMarginLoss.Kind = options.loss == "arcface" ? .arcFace : .cosFace
            let loss = options.scale.map {
                AngularMarginLoss(kind: kind, classes: classes, dimension: options.dimension, scale: $0,
                                  margin: options.margin, seed: seed)
            } ?? AngularMarginLoss(kind: kind, classes: classes, dimension: options.dimension, margin: options.margin,
                                   seed: seed)
            return (loss, loss.parameters)
        default:
            let mining: TripletLoss.Mining = options.mining == "semi-hard" ? .semiHard : .batchHard
            return (TripletLoss(margin: options.margin ?? 0.2, mining: mining), [])
        }
    }

    /// Trains the network of `options` on `split.training`, reporting each epoch's rank-1 accuracy of the
    /// validation probes against the validation gallery; `verbose` shows Keras's progress line. With a
    /// `folder`, a checkpoint is saved after the first epoch that ends `checkpointSeconds` or more after
    /// the last save, and after the last epoch; `resumeFrom` continues after a checkpoint's epoch, and
    /// `stopAfter` ends training after that many epochs, as an interruption would.
    public static func train(_ options: RetrievalOptions, split: OpenSetSplit, seed: UInt64, verbose: Bool,
                             folder: RunFolder? = nil, resumeFrom checkpoint: Checkpoint? = nil, stopAfter: Int? = nil,
                             checkpointSeconds: Double = 30, log: (String) -> Void) throws -> TrainedEmbedding {
        let training = split.training
        let imageShape = training.imageShape
        guard let model = try EmbeddingNetwork.make(options, imageShape: imageShape, seed: seed) else {
            let fingerprint = EmbeddingNetwork.fingerprint(of: nil, options: options, imageShape: imageShape)
            return TrainedEmbedding(model: nil, history: History(), seconds: 0, fingerprint: fingerprint)
        }
        // Compact labels 0..<C for the margin losses' class weights.
        let identities = Array(Set(training.labels)).sorted()
        let compact = Dictionary(uniqueKeysWithValues: identities.enumerated().map { ($1, $0) })
        var relabelled = training
        relabelled.labels = training.labels.map { compact[$0]! }
        relabelled.classNames = identities.map { training.classNames[$0] }
        let identitiesPerBatch = options.identitiesPerBatch ?? min(8, identities.count)
        guard identities.count >= identitiesPerBatch else {
            throw ExperimentError("\(training.name): training has \(identities.count) identities, fewer than "
                + "--identities-per-batch \(identitiesPerBatch)")
        }
        let (loss, lossParameters) = makeLoss(options, classes: identities.count, seed: seed &+ 5)
        let optimizer = try OptimizerFactory.make(options.optimizer, learningRate: options.learningRate)
        let sampler = try IdentityBatchSampler(labels: relabelled.labels, identitiesPerBatch: identitiesPerBatch,
                                               imagesPerIdentity: options.imagesPerIdentity, seed: seed &+ 1)
        log(model.summary())
        log("training on \(training.count) images of \(identities.count) identities with \(loss.name); "
            + "validating on \(split.validationProbes.count) probes against \(split.validationGallery.count) enrolled images")

        let task = EmbeddingTask(model: model, loss: loss, options: options, training: relabelled, split: split,
                                 sampler: sampler, optimizer: optimizer, seed: seed)
        let loop = TrainingLoop(model: model, parameters: model.parameters + lossParameters, optimizer: optimizer,
                                task: task, epochs: options.epochs, stepsPerEpoch: options.stepsPerEpoch,
                                sampleCount: options.stepsPerEpoch * sampler.batchSize)
        loop.callbacks = verbose ? [ProgressBar()] : []
        loop.allowsNonFiniteLoss = options.allowNonFinite ?? false
        loop.checkpointing = folder.map {
            CheckpointSchedule(url: $0.checkpoint, minimumInterval: checkpointSeconds)
        }
        if let checkpoint { try loop.resume(from: checkpoint) }
        RunTracking.attach(to: loop, folder: folder)   // records into the tracking store when it is on
        let history = try loop.run(stopAfter: stopAfter)
        return TrainedEmbedding(model: model, history: history, seconds: loop.trainingSeconds,
                                fingerprint: EmbeddingNetwork.fingerprint(of: model, options: options, imageShape: imageShape))
    }

    /// The share of validation probes whose most similar validation gallery image shows the same identity.
    static func validationRank1(model: Model?, split: OpenSetSplit) throws -> Double {
        let gallery = try EmbeddingNetwork.embed(split.validationGallery, with: model)
        let probes = try EmbeddingNetwork.embed(split.validationProbes, with: model)
        let scores = IdentityScores(probes: probes, probeLabels: split.validationProbes.labels,
                                    gallery: gallery, galleryLabels: split.validationGallery.labels)
        return scores.rank1Accuracy
    }
}
