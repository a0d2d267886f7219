import ArgumentParser
import StrataExperiments

/// The options of `strata retrieve train` and `strata retrieve evaluate`: data, network, loss, batches and roles.
struct RetrievalArguments: ParsableArguments {
    @Option(help: "orl-faces (found through --data-dir, $STRATA_DATA/orl-faces or ~/.cache/strata/orl-faces), a folder of photos with one subfolder per person, mnist or fashion-mnist.")
    var dataset = RetrievalOptions().dataset

    @Option(name: .customLong("image-size"), help: "HEIGHTxWIDTH every photo is resized to (default 56x46, half of ORL's 112x92; built-in datasets keep 28x28).")
    var imageSize: String?

    @Option(help: "The embedding network: a catalog convnet (cnn, vgg, vgg-allconv, resnet, wide-resnet, inception) ending in --dimension units and unit normalization, or pixels (no network: centred, normalized pixels).")
    var model = RetrievalOptions().model

    @Option(help: "The length of an embedding.")
    var dimension = RetrievalOptions().dimension

    @Option(help: "The metric-learning loss: triplet, contrastive, arcface or cosface.")
    var loss = RetrievalOptions().loss

    @Option(help: "The triplet loss's mining: batch-hard or semi-hard (default batch-hard).")
    var mining: String?

    @Option(help: "The loss's margin (default: triplet 0.2, contrastive and ArcFace/CosFace their loss's default).")
    var margin: Float?

    @Option(help: "The scale of ArcFace and CosFace logits (default: the loss's default).")
    var scale: Float?

    @Option(name: .customLong("identities-per-batch"), help: "P: identities in each training batch (default 8, or all training identities when fewer).")
    var identitiesPerBatch: Int?

    @Option(name: .customLong("images-per-identity"), help: "K: images of each identity in a training batch.")
    var imagesPerIdentity = RetrievalOptions().imagesPerIdentity

    @Option(help: "The number of epochs.")
    var epochs = RetrievalOptions().epochs

    @Option(name: .customLong("steps-per-epoch"), help: "Optimizer steps per epoch, each on a fresh P×K batch.")
    var stepsPerEpoch = RetrievalOptions().stepsPerEpoch

    @Option(help: "sgd, momentum, nesterov, adam, adamw, rmsprop or adagrad.")
    var optimizer = RetrievalOptions().optimizer

    @Option(name: .customLong("learning-rate"), help: "The learning rate (default: the optimizer's usual one).")
    var learningRate: Float?

    @Option(help: "The factor applied to the learning rate after each epoch (1: constant).")
    var decay = RetrievalOptions().decay

    @Option(help: "Training augmentation: auto (faces for photo folders, affine otherwise), none, faces (flips, small affine maps, brightness and contrast) or affine.")
    var augment = RetrievalOptions().augment

    @Option(name: .customLong("training-identities"), help: "People the network trains on (photo folders), of which --validation-identities are held out to choose the threshold.")
    var trainingIdentities = RetrievalOptions().trainingIdentities

    @Option(name: .customLong("validation-identities"), help: "Training people held out of training to choose the threshold on.")
    var validationIdentities = RetrievalOptions().validationIdentities

    @Option(name: .customLong("known-identities"), help: "Enrolled people or classes (default: 15 people, or 6 classes of a built-in dataset).")
    var knownIdentities: Int?

    @Option(name: .customLong("unknown-identities"), help: "Strangers: people or classes never enrolled (default: 5 people, or the other 4 classes).")
    var unknownIdentities: Int?

    @Option(name: .customLong("gallery-per-identity"), help: "Photos of each known identity that are enrolled; the others are probes.")
    var galleryPerIdentity = RetrievalOptions().galleryPerIdentity

    @Option(help: "How roles are given out: random (by the seed) or fixed (folder order: the first people train, the next are known, the last are strangers).")
    var roles = RetrievalOptions().roles

    @Option(name: .customLong("threshold-far"), help: "The false-alarm rate (strangers accepted) the threshold is chosen for on the validation people.")
    var thresholdFAR = RetrievalOptions().thresholdFAR

    @Option(name: .customLong("threshold-rule"), help: "How the threshold is estimated from the validation scores: auto (the default: empirical on every validation photo's scores when at least 10 are expected above the quantile, normal otherwise), normal (a normal fit to the Fisher z of every validation photo's scores against the other identities' galleries, the quantile from the fit) or empirical (the empirical quantile of the validation probes' scores, which cannot exceed the highest one seen).")
    var thresholdRule: String?

    @Flag(name: .customLong("allow-nonfinite"), help: "Train on when a loss is NaN or infinite (default: stop, naming the epoch and step, and keep the last checkpoint).")
    var allowNonFinite = false

    @Option(help: "k-means clusters of the gallery's index (default: one per enrolled identity).")
    var clusters: Int?

    @Option(help: "Clusters searched per query (default: all, an exact search).")
    var nprobe: Int?

    /// These arguments as options, with the seed, threads and data folder of `common`.
    func options(common: CommonOptions) throws -> RetrievalOptions {
        var options = RetrievalOptions()
        options.dataset = dataset
        options.dataDirectory = common.dataDirectory
        options.imageSize = try imageSize.map(Self.parseSize)
        options.model = model
        options.dimension = dimension
        options.loss = loss
        if let mining {
            guard loss == "triplet" else { throw ValidationError("--mining does not apply to the \(loss) loss; only to triplet") }
            options.mining = mining
        }
        options.margin = margin
        options.scale = scale
        options.identitiesPerBatch = identitiesPerBatch
        options.imagesPerIdentity = imagesPerIdentity
        options.epochs = epochs
        options.stepsPerEpoch = stepsPerEpoch
        options.optimizer = optimizer
        options.learningRate = learningRate
        options.decay = decay
        options.augment = augment
        options.trainingIdentities = trainingIdentities
        options.validationIdentities = validationIdentities
        options.knownIdentities = knownIdentities
        options.unknownIdentities = unknownIdentities
        options.galleryPerIdentity = galleryPerIdentity
        options.roles = roles
        options.thresholdFAR = thresholdFAR
        options.thresholdRule = thresholdRule
        options.clusters = clusters
        options.nprobe = nprobe
        options.seed = common.seed
        options.threads = common.threads
        options.allowNonFinite = allowNonFinite ? true : nil
        try options.validate()
        return options
    }

    /// `56x46` → `[56, 46]`.
    static func parseSize(_ text: String) throws -> [Int] {
        let parts = text.lowercased().split(separator: "x").map { Int($0) }
        guard parts.count == 2, let height = parts[0], let width = parts[1], height > 0, width > 0 else {
            throw ValidationError("--image-size must be HEIGHTxWIDTH such as 56x46, got '\(text)'")
        }
        return [height, width]
    }
}
