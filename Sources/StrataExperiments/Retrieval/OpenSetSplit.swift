import Foundation
import StrataCore
import StrataData

/// The images of a retrieval experiment, before roles are given out: either one set of identities
/// (people, each a folder of photos) or a built-in dataset of classes with its training and test parts.
public enum RetrievalSource: Sendable {
    /// Photos of people: `dataset` labels are people, `files[i]` is photo i's file.
    case identities(Dataset, files: [URL])
    /// Classes (MNIST, Fashion-MNIST): the embedding trains on the known classes' training images.
    case classes(training: Dataset, test: Dataset)

    /// The dataset's name.
    public var name: String {
        switch self {
        case .identities(let dataset, _): return dataset.name
        case .classes(let training, _): return training.name
        }
    }

    /// The number of identities (people or classes).
    public var identityCount: Int {
        switch self {
        case .identities(let dataset, _): return dataset.classCount
        case .classes(let training, _): return training.classCount
        }
    }
}

/// One assignment of roles for the open-set protocol: who trains the network, who is enrolled (known)
/// and who is a stranger (unknown), with the images each role uses.
///
/// Identities (people): the embedding trains on `trainingIdentities − validationIdentities` people; the
/// held-out validation people choose the threshold; the known people have `galleryPerIdentity` photos
/// enrolled and the rest as probes; every photo of a stranger is a probe. Classes (MNIST): the network
/// trains on the known classes' training images, less 100 per class kept to choose the threshold; the
/// gallery and the known probes are the known classes' test images, the strangers the other classes'.
public struct OpenSetSplit: Sendable {
    /// The images the embedding trains on.
    public let training: Dataset
    /// Images of identities used to choose the threshold: `validationGallery` enrolled, `validationProbes` queried.
    public let validationGallery: Dataset
    /// The validation probes (same identities as `validationGallery`, other images).
    public let validationProbes: Dataset
    /// The enrolled images of the known identities.
    public let gallery: Dataset
    /// The files of the gallery's images (empty for built-in datasets).
    public let galleryFiles: [URL]
    /// The known identities' other images.
    public let knownProbes: Dataset
    /// Every image of the strangers.
    public let unknownProbes: Dataset
    /// Whether identities are people (disjoint roles) rather than classes that the network trains on.
    public let identities: Bool
    /// The identity names of each role, for the report.
    public let trainingNames: [String], validationNames: [String], knownNames: [String], unknownNames: [String]

    /// Gives out the roles of `options` over `source`, drawing by `seed` (or in folder order with `roles = fixed`).
    public init(source: RetrievalSource, options: RetrievalOptions, seed: UInt64) throws {
        var generator = RandomGenerator(seed: seed)
        func order(_ count: Int) -> [Int] {
            var identities = Array(0..<count)
            if options.roles == "random" { identities.shuffle(using: &generator) }
            return identities
        }
        func rows(of dataset: Dataset, labels: [Int]) -> [Int] {
            let wanted = Set(labels)
            return dataset.labels.indices.filter { wanted.contains(dataset.labels[$0]) }
        }
        func pick(_ count: Int, perIdentityOf rows: [Int], in dataset: Dataset) -> (chosen: [Int], rest: [Int]) {
            var byLabel: [Int: [Int]] = [:]
            for row in rows { byLabel[dataset.labels[row], default: []].append(row) }
            var chosen: [Int] = [], rest: [Int] = []
            for label in byLabel.keys.sorted() {
                var own = byLabel[label]!
                if options.roles == "random" { own.shuffle(using: &generator) }
                chosen += own.prefix(count)
                rest += own.dropFirst(count)
            }
            return (chosen.sorted(), rest.sorted())
        }
        switch source {
        case .identities(let all, let files):
            identities = true
            let known = options.knownIdentities ?? 15, unknown = options.unknownIdentities ?? 5
            let needed = options.trainingIdentities + known + unknown
            guard needed <= all.classCount else {
                throw ExperimentError("\(all.name) has \(all.classCount) people, but the roles need \(needed): "
                    + "\(options.trainingIdentities) training (--training-identities), \(known) known "
                    + "(--known-identities) and \(unknown) strangers (--unknown-identities)")
            }
            let people = order(all.classCount)
            let fitting = Array(people[0..<(options.trainingIdentities - options.validationIdentities)])
            let validating = Array(people[(options.trainingIdentities - options.validationIdentities)..<options.trainingIdentities])
            let knownPeople = Array(people[options.trainingIdentities..<(options.trainingIdentities + known)])
            let strangers = Array(people[(options.trainingIdentities + known)..<needed])
            for person in knownPeople + validating {
                let photos = all.labels.filter { $0 == person }.count
                guard photos > options.galleryPerIdentity else {
                    throw ExperimentError("\(all.name): \(all.classNames[person]) has \(photos) photos; enrolling "
                        + "\(options.galleryPerIdentity) (--gallery-per-identity) leaves none to query")
                }
            }
            training = all.subset(rows(of: all, labels: fitting))
            let validationSplit = pick(options.galleryPerIdentity, perIdentityOf: rows(of: all, labels: validating), in: all)
            validationGallery = all.subset(validationSplit.chosen)
            validationProbes = all.subset(validationSplit.rest)
            let knownSplit = pick(options.galleryPerIdentity, perIdentityOf: rows(of: all, labels: knownPeople), in: all)
            gallery = all.subset(knownSplit.chosen)
            galleryFiles = files.isEmpty ? [] : knownSplit.chosen.map { files[$0] }
            knownProbes = all.subset(knownSplit.rest)
            unknownProbes = all.subset(rows(of: all, labels: strangers))
            trainingNames = fitting.map { all.classNames[$0] }
            validationNames = validating.map { all.classNames[$0] }
            knownNames = knownPeople.map { all.classNames[$0] }
            unknownNames = strangers.map { all.classNames[$0] }
        case .classes(let trainingPart, let testPart):
            identities = false
            let known = options.knownIdentities ?? 6
            let unknown = options.unknownIdentities ?? (trainingPart.classCount - known)
            guard known + unknown <= trainingPart.classCount else {
                throw ExperimentError("\(trainingPart.name) has \(trainingPart.classCount) classes, but the roles need "
                    + "\(known + unknown): \(known) known (--known-identities) and \(unknown) unknown (--unknown-identities)")
            }
            let classes = order(trainingPart.classCount)
            let knownClasses = Array(classes[0..<known]), unknownClasses = Array(classes[known..<(known + unknown)])
            // 100 training images of each known class choose the threshold; the rest train.
            let held = pick(100, perIdentityOf: rows(of: trainingPart, labels: knownClasses), in: trainingPart)
            training = trainingPart.subset(held.rest)
            let heldOut = trainingPart.subset(held.chosen)
            let validationSplit = pick(options.galleryPerIdentity, perIdentityOf: Array(0..<heldOut.count), in: heldOut)
            validationGallery = heldOut.subset(validationSplit.chosen)
            validationProbes = heldOut.subset(validationSplit.rest)
            let knownSplit = pick(options.galleryPerIdentity, perIdentityOf: rows(of: testPart, labels: knownClasses), in: testPart)
            gallery = testPart.subset(knownSplit.chosen)
            galleryFiles = []
            knownProbes = testPart.subset(knownSplit.rest)
            unknownProbes = testPart.subset(rows(of: testPart, labels: unknownClasses))
            trainingNames = knownClasses.map { trainingPart.classNames[$0] }
            validationNames = trainingNames
            knownNames = trainingNames
            unknownNames = unknownClasses.map { trainingPart.classNames[$0] }
        }
    }
}
