import Foundation
import StrataData

/// Every option of a retrieval run (`strata retrieve train` and `strata retrieve evaluate`); saved as
/// `options.json` in the run folder.
public struct RetrievalOptions: Codable, Equatable, Sendable, ValidatableOptions {
    /// `orl-faces`, `mnist`, `fashion-mnist`, or a folder of images with one subfolder per person or class.
    public var dataset = "orl-faces"
    /// Where to look for the datasets first (`--data-dir`).
    public var dataDirectory: String?
    /// The size images are resized to, `[height, width]` (nil: 56×46 for image folders, the native size otherwise).
    public var imageSize: [Int]?
    /// The embedding network: a catalog convnet (`cnn`, `vgg`, `resnet`, …) ending in a dense layer of
    /// `dimension` units and unit normalization, or `pixels` (no network: the centred, normalized pixels).
    public var model = "cnn"
    /// The length of an embedding.
    public var dimension = 128
    /// The metric-learning loss: `triplet`, `contrastive`, `arcface` or `cosface`.
    public var loss = "triplet"
    /// The triplet loss's mining: `batch-hard` or `semi-hard`.
    public var mining = "batch-hard"
    /// The loss's margin (nil: the loss's default).
    public var margin: Float?
    /// The scale s of ArcFace and CosFace logits (nil: the loss's default).
    public var scale: Float?
    /// P: identities (people or classes) in each training batch (nil: 8, or all training identities when fewer).
    public var identitiesPerBatch: Int?
    /// K: images of each identity in a training batch.
    public var imagesPerIdentity = 4
    /// The number of epochs.
    public var epochs = 30
    /// Optimizer steps per epoch, each on a fresh P×K batch.
    public var stepsPerEpoch = 25
    /// The optimizer: `sgd`, `momentum`, `nesterov`, `adam`, `adamw`, `rmsprop` or `adagrad`.
    public var optimizer = "adam"
    /// The learning rate (nil: the optimizer's usual default).
    public var learningRate: Float?
    /// The factor applied to the learning rate after each epoch (1: constant).
    public var decay: Float = 0.95
    /// Training augmentation: `auto` (`faces` for image folders, `affine` otherwise), `none`, `faces`
    /// (flips, small affine maps, brightness and contrast) or `affine` (small affine maps only).
    public var augment = "auto"
    /// Training identities, for identity datasets (people): the embedding never sees the others.
    public var trainingIdentities = 20
    /// Of the training identities, how many are held out of training to choose the threshold on.
    public var validationIdentities = 5
    /// Enrolled identities (the employees): identity datasets draw them from outside the training ones;
    /// class datasets (MNIST) train on them too (nil: 15 people, or 6 classes).
    public var knownIdentities: Int?
    /// Strangers: identities never trained on and never enrolled (nil: 5 people, or the remaining 4 classes).
    public var unknownIdentities: Int?
    /// Photos of each known identity in the gallery; the others are probes.
    public var galleryPerIdentity = 5
    /// How roles are given out: `random` (by the seed) or `fixed` (in folder order: the first identities
    /// train, the next are known, the last are strangers).
    public var roles = "random"
    /// The share of strangers the chosen threshold may accept on validation (its target false-alarm rate).
    public var thresholdFAR = 0.05
    /// How the threshold is estimated from the validation scores (`ThresholdRule`'s names; nil: `ThresholdRule.standard`).
    public var thresholdRule: String?
    /// The k-means clusters of the gallery's index (nil: one per enrolled identity).
    public var clusters: Int?
    /// Clusters searched per query (nil: all of them, an exact search).
    public var nprobe: Int?
    /// The number of repetitions of the protocol, each with its own roles and network (`evaluate`).
    public var repeats = 10
    /// The seed of the weights, the roles, the batches and k-means.
    public var seed: UInt64 = 42
    /// Threads for every kernel (nil: `STRATA_THREADS` or the number of cores).
    public var threads: Int?
    /// Train on when a loss is NaN or infinite (`--allow-nonfinite`); nil or false: stop with the epoch and step.
    public var allowNonFinite: Bool?

    /// The default options.
    public init() {}

    /// The loss names `--loss` accepts.
    public static let losses = ["triplet", "contrastive", "arcface", "cosface"]
    /// The mining names `--mining` accepts.
    public static let minings = ["batch-hard", "semi-hard"]
    /// The augmentation names `--augment` accepts.
    public static let augmentations = ["auto", "none", "faces", "affine"]

    /// The largest count (epochs, steps, identities, photos, repeats, dimension) a run may ask for.
    public static let maximumCount = 1_000_000

    /// Checks the options that do not depend on the data: each number finite and in range, each name
    /// from its list, no option the loss does not use, `dataDirectory` an existing folder; throws naming
    /// the option at fault and its allowed range.
    public func validate() throws {
        func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
            if !condition { throw ExperimentError(message()) }
        }
        let limit = Self.maximumCount
        for (value, option) in [(dimension, "dimension"), (imagesPerIdentity, "images-per-identity"), (epochs, "epochs"),
                                (stepsPerEpoch, "steps-per-epoch"), (trainingIdentities, "training-identities"),
                                (galleryPerIdentity, "gallery-per-identity"), (repeats, "repeats")] {
            try require(value <= limit, "--\(option) must be at most \(limit), got \(value)")
        }
        for (value, option) in [(identitiesPerBatch, "identities-per-batch"), (knownIdentities, "known-identities"),
                                (unknownIdentities, "unknown-identities"), (clusters, "clusters"), (nprobe, "nprobe")] {
            if let value { try require(value <= limit, "--\(option) must be at most \(limit), got \(value)") }
        }
        try OptionCheck.folder(dataDirectory, "--data-dir")
        try require(model == "pixels" || ModelCatalog.names.contains(model),
                    "unknown --model '\(model)'; choose pixels or one of: \(ModelCatalog.names.joined(separator: ", "))")
        try require(dimension >= 2, "--dimension must be at least 2, got \(dimension)")
        try require(Self.losses.contains(loss), "unknown --loss '\(loss)'; choose one of: \(Self.losses.joined(separator: ", "))")
        try require(Self.minings.contains(mining), "unknown --mining '\(mining)'; choose one of: \(Self.minings.joined(separator: ", "))")
        if scale != nil {
            try require(loss == "arcface" || loss == "cosface",
                        "--scale does not apply to the \(loss) loss; only to arcface and cosface")
        }
        if let margin {
            try require(margin.isFinite && margin >= 0, "--margin must be a number ≥ 0, got \(margin)")
            try require(loss != "contrastive" || margin > 0, "--margin of the contrastive loss must be positive, got \(margin)")
            try require(loss != "arcface" || margin < Float.pi, "--margin of arcface must be in [0, π), got \(margin)")
        }
        if let scale { try require(scale.isFinite && scale > 0, "--scale must be a positive finite number, got \(scale)") }
        if let identitiesPerBatch {
            try require(identitiesPerBatch >= 2, "--identities-per-batch must be at least 2, got \(identitiesPerBatch)")
        }
        try require(imagesPerIdentity >= 2, "--images-per-identity must be at least 2, got \(imagesPerIdentity)")
        try require(epochs >= 1, "--epochs must be at least 1, got \(epochs)")
        try require(stepsPerEpoch >= 1, "--steps-per-epoch must be at least 1, got \(stepsPerEpoch)")
        try require(OptimizerFactory.names.contains(optimizer),
                    "unknown --optimizer '\(optimizer)'; choose one of: \(OptimizerFactory.names.joined(separator: ", "))")
        try OptimizerFactory.checkHyperparameters(learningRate: learningRate, weightDecay: nil)
        try require(decay > 0 && decay <= 1, "--decay must be in (0, 1], got \(decay)")
        try require(Self.augmentations.contains(augment),
                    "unknown --augment '\(augment)'; choose one of: \(Self.augmentations.joined(separator: ", "))")
        if let imageSize {
            try require(imageSize.count == 2 && imageSize.allSatisfy { $0 >= 8 && $0 <= 1024 },
                        "--image-size must be HEIGHTxWIDTH with each side in 8…1024, got \(imageSize)")
        }
        try require(trainingIdentities >= 2, "--training-identities must be at least 2, got \(trainingIdentities)")
        try require(validationIdentities >= 2 && validationIdentities < trainingIdentities,
                    "--validation-identities must be at least 2 and below --training-identities (\(trainingIdentities)), got \(validationIdentities)")
        if let knownIdentities { try require(knownIdentities >= 2, "--known-identities must be at least 2, got \(knownIdentities)") }
        if let unknownIdentities { try require(unknownIdentities >= 1, "--unknown-identities must be at least 1, got \(unknownIdentities)") }
        try require(galleryPerIdentity >= 1, "--gallery-per-identity must be at least 1, got \(galleryPerIdentity)")
        try require(roles == "random" || roles == "fixed", "--roles must be random or fixed, got '\(roles)'")
        try require(thresholdFAR > 0 && thresholdFAR < 1, "--threshold-far must be in (0, 1), got \(thresholdFAR)")
        if let thresholdRule { _ = try ThresholdRule(named: thresholdRule) }
        if let clusters { try require(clusters >= 1, "--clusters must be at least 1, got \(clusters)") }
        if let nprobe { try require(nprobe >= 1, "--nprobe must be at least 1, got \(nprobe)") }
        try require(repeats >= 1, "--repeats must be at least 1, got \(repeats)")
        if let threads { try OptionCheck.count(threads, "--threads", in: 1...TrainingOptions.maximumThreads) }
    }

    /// The size images are resized to, `[height, width]`: `imageSize`, else 28×28 for the built-in datasets
    /// and 56×46 (half of ORL's 112×92) for photo folders.
    public var resolvedImageSize: [Int] {
        if let imageSize { return imageSize }
        return (try? BuiltinDataset(name: dataset)) != nil ? [28, 28] : RetrievalData.defaultFaceSize
    }

    /// The threshold rule asked for, or the standard one.
    public var resolvedThresholdRule: ThresholdRule {
        thresholdRule.flatMap(ThresholdRule.init(rawValue:)) ?? .standard
    }

    /// The augmentations of training images for a dataset of identities (`faces`) or of classes.
    public func trainingAugmentations(identities: Bool) -> [any ImageAugmentation] {
        let resolved = augment == "auto" ? (identities ? "faces" : "affine") : augment
        switch resolved {
        case "faces":
            return [RandomHorizontalFlip(), RandomAffine(rotationDegrees: 8, translation: 0.05, scale: 0.95...1.05),
                    RandomBrightnessContrast(brightness: 0.2, contrast: 0.2)]
        case "affine":
            return [RandomAffine(rotationDegrees: 8, translation: 0.08, scale: 0.95...1.05)]
        default:
            return []
        }
    }
}
