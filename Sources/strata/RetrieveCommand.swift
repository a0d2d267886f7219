import ArgumentParser
import Foundation
import StrataExperiments

/// `strata retrieve`: recognise people from a few photos each, or answer "unknown".
struct RetrieveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retrieve",
        abstract: "Recognise people from a few photos each: train a face embedding, enrol a gallery, match photos or answer unknown.",
        discussion: """
        An embedding network (a catalog convnet ending in a unit-length embedding) is trained with a \
        metric-learning loss on P×K batches; a gallery folder (one subfolder per person) is embedded and \
        clustered by k-means into an inverted-file index; a query photo is matched to the most similar \
        enrolled photo by cosine similarity, or answered unknown at or below a threshold. `evaluate` runs \
        the open-set protocol (trained, enrolled and stranger people disjoint) over several seeded choices \
        of roles. The ORL faces are credited to the Olivetti Research Laboratory, Cambridge (AT&T Laboratories).
        """,
        subcommands: [RetrieveTrainCommand.self, RetrieveEnrollCommand.self, RetrieveQueryCommand.self,
                      RetrieveEvaluateCommand.self, RetrieveEmbedCommand.self])
}

/// `strata retrieve train`: trains the embedding network and chooses the threshold on validation people.
struct RetrieveTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the embedding network on the training people and choose the unknown threshold on held-out ones.",
        discussion: """
        Roles follow --roles: the training people (less the validation ones) train the network; the \
        validation people choose the threshold at --threshold-far. The run folder (runs/<dataset>-embedding-<date>-<time> \
        unless --out names one) holds model.safetensors, options.json, history.csv, loss.png, val_rank1.png, \
        metrics.json, summary.txt and report.html; `strata retrieve enroll --model <run folder>` uses it.
        """)

    @OptionGroup var retrieval: RetrievalArguments
    @OptionGroup var common: CommonOptions
    @OptionGroup var tracking: TrackingArguments

    @Option(help: "The run folder (default: runs/<dataset>-embedding-<date>-<time>).")
    var out: String?

    @Flag(help: "Replace an existing run folder.")
    var overwrite = false

    @Option(name: .customLong("checkpoint-every"), help: "Seconds between checkpoints, saved at the end of the first epoch after that (and always after the last; Ctrl-C saves where the run is).")
    var checkpointEvery: Double = 30

    @Option(help: "Continue the interrupted run in this folder from its last checkpoint, with its saved options.")
    var resume: String?

    func validate() throws {
        guard checkpointEvery.isFinite, checkpointEvery >= 0 else {
            throw ValidationError("--checkpoint-every must be a number of seconds, 0 or more, got \(checkpointEvery)")
        }
        if resume == nil { _ = try retrieval.options(common: common) } else { try ResumeArguments.check(allowed: ["--checkpoint-every"]) }
    }

    func run() throws {
        common.applyThreads()
        if let resume {
            try EmbeddingRun.resume(resume, checkpointSeconds: checkpointEvery, log: say)
            return
        }
        try EmbeddingRun.start(try retrieval.options(common: common), output: out, overwrite: overwrite,
                               checkpointSeconds: checkpointEvery, log: say)
    }
}

/// `strata retrieve enroll`: embeds a gallery folder and saves its index.
struct RetrieveEnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Embed every photo of a gallery folder (one subfolder per person), cluster them and save the index.",
        discussion: """
        The index (index.safetensors and index.json, plus enrollment.json naming the model) goes to --out \
        (default: <gallery folder>.index). With --add, the people of the gallery folder are added to an \
        existing index built by the same model, and the threshold is chosen again for the people now \
        enrolled. clusters.png shows each cluster's members; report.html lists them.
        """)

    @Argument(help: "The gallery: a folder with one subfolder of photos (PGM, PNG or JPEG) per person.")
    var gallery: String

    @Option(help: "The run folder of `strata retrieve train` whose network embeds the photos.")
    var model: String

    @Option(help: "The index folder to write (default: <gallery>.index).")
    var out: String?

    @Option(help: "k-means clusters (default: one per person, at most the number of photos).")
    var clusters: Int?

    @Option(help: "Add the gallery's people to this existing index folder instead of writing a new one.")
    var add: String?

    @Flag(help: "Replace an existing index folder.")
    var overwrite = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let clusters { try OptionCheck.count(clusters, "--clusters", in: 1...RetrievalOptions.maximumCount) }
        if add != nil {
            for (given, option) in [(out != nil, "--out"), (clusters != nil, "--clusters"), (overwrite, "--overwrite")] where given {
                throw ValidationError("\(option) does not apply with --add, which adds to the existing index's clusters")
            }
        }
    }

    func run() throws {
        common.applyThreads()
        try Enrollment.enroll(gallery: gallery, modelRun: model, output: out, clusters: clusters, addTo: add,
                              overwrite: overwrite, seed: common.seed, log: say)
    }
}

/// `strata retrieve query`: matches photos against an index.
struct RetrieveQueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Match photos against an enrolled index: the person, or unknown.",
        discussion: """
        For each photo: the person (or unknown), the similarity, and the photos of the matched cluster, as \
        the original method printed them. --method nearest (default) compares the photo with every enrolled \
        photo of the --nprobe clusters nearest to it; --method centroid compares it with the cluster centres \
        (the original method; centres are means of unit vectors, shorter than 1, so similarities come out lower).
        """)

    @Argument(help: "The index folder written by `strata retrieve enroll`.")
    var index: String

    @Argument(help: "Photos, or folders of photos, to match.")
    var images: [String]

    @Option(help: "Similarity at or below which the answer is unknown (default for nearest: the one enroll chose for the people enrolled, from the network's validation scores; 0.8 for centroid).")
    var threshold: Float?

    @Option(help: "nearest or centroid.")
    var method = "nearest"

    @Option(help: "Clusters searched per photo (default: all).")
    var nprobe: Int?

    @Option(help: "How many most similar photos to list.")
    var top = 5

    @Option(help: "A folder to write matches.csv, matches.png and report.html into (default: print only).")
    var out: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard method == "nearest" || method == "centroid" else {
            throw ValidationError("--method must be nearest or centroid, got '\(method)'")
        }
        if let threshold, !(threshold >= -1 && threshold <= 1) {
            throw ValidationError("--threshold must be a cosine similarity in [-1, 1], got \(threshold)")
        }
        let limit = RetrievalOptions.maximumCount
        if let nprobe { try OptionCheck.count(nprobe, "--nprobe", in: 1...limit) }
        try OptionCheck.count(top, "--top", in: 1...limit)
    }

    func run() throws {
        common.applyThreads()
        try Enrollment.query(index: index, images: images, threshold: threshold, centroid: method == "centroid",
                             nprobe: nprobe, top: top, output: out, log: say)
    }
}

/// `strata retrieve evaluate`: the open-set protocol over seeded choices of roles.
struct RetrieveEvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Run the open-set protocol: rank-1, DIR at 1% and 10% FAR, FAR and FRR, AUROC, over --repeats choices of roles.",
        discussion: """
        Each repetition gives out roles by its own seed, trains a network on the training people, chooses \
        the threshold on the held-out validation people, enrols --gallery-per-identity photos of each known \
        person and queries with their other photos and every photo of the strangers. The run folder holds \
        metrics.json, results.md, dir_far.png, det.png, clusters.png, matches.png, report.html and each \
        repetition's numbers.
        """)

    @OptionGroup var retrieval: RetrievalArguments
    @OptionGroup var common: CommonOptions

    @Option(help: "Repetitions, each with its own roles, network and seed.")
    var repeats = RetrievalOptions().repeats

    @Option(help: "The run folder (default: runs/<dataset>-openset-<date>-<time>).")
    var out: String?

    @Flag(help: "Replace an existing run folder.")
    var overwrite = false

    func validate() throws {
        _ = try options()
    }

    func run() throws {
        common.applyThreads()
        _ = try RetrievalEvaluation.start(try options(), output: out, overwrite: overwrite, log: say)
    }

    /// The options given, validated.
    func options() throws -> RetrievalOptions {
        var options = try retrieval.options(common: common)
        options.repeats = repeats
        try options.validate()
        return options
    }
}

/// `strata retrieve embed`: writes the embeddings of every image of a data set as raw float32 files.
struct RetrieveEmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write the embeddings of every image of a data set, by a trained network, as raw float32 files.",
        discussion: """
        The images go through the network of --model (a run folder of `strata retrieve train`) in the data \
        set's order. Into --out: for mnist and fashion-mnist, training.f32 (60,000 embeddings) and test.f32 \
        (10,000); for orl-faces or a folder of people, photos.f32; each (count, dimension) row-major \
        little-endian float32 (NumPy: np.fromfile(path, "<f4").reshape(-1, dimension)) with a CSV of its \
        labels (row,label, and path for photos) beside it, and embeddings.json naming the network, the data \
        set, the dimension and the files. bench/compare-retrieval's mnist vectors are made this way.
        """)

    @Option(help: "The run folder of `strata retrieve train` whose network embeds the images.")
    var model: String

    @Option(help: "The data set: mnist, fashion-mnist, orl-faces or a folder of photos with one subfolder per person (default: the one the network trained on).")
    var dataset: String?

    @Option(help: "The folder to write the embeddings into.")
    var out: String

    @Flag(help: "Replace the embeddings an existing folder holds.")
    var overwrite = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        common.applyThreads()
        try EmbeddingExport.write(modelRun: model, dataset: dataset, dataDirectory: common.dataDirectory, output: out,
                                  overwrite: overwrite, log: say)
    }
}
