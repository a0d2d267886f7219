import Foundation
import StrataData
import StrataCore
import StrataTrain

/// Saves an index as two files and loads it back, refusing one that does not fit.
///
/// `faces.json` (the sidecar) holds the format version, the kind (`flat` or `ivf`), the metric, the
/// dimension, the model fingerprint (an opaque string from the caller, such as the embedding model's
/// name and weights hash), the item count, the IVF list sizes and the items (`ids`, `labels`, `paths`,
/// in stored order); `faces.safetensors` beside it holds `vectors (count, dimension)` (list after list
/// for IVF) and, for IVF, `centres (listCount, dimension)`, readable from Python.
///
/// ```swift
/// try IndexFile.save(index, fingerprint: "facenet-v2:3f9a", to: URL(fileURLWithPath: "faces.json"))
/// var loaded = try IndexFile.loadIVF(from: url, expectedFingerprint: "facenet-v2:3f9a", expectedDimension: 128)
/// try loaded.add(newEmbeddings, items: newPhotos)
/// ```
public enum IndexFile {
    /// The version of the format this code writes and reads.
    public static let formatVersion = 1

    /// The safetensors file that goes with the sidecar at `url` (same name, `.safetensors`).
    public static func tensorsURL(for url: URL) -> URL {
        url.deletingPathExtension().appendingPathExtension("safetensors")
    }

    /// Writes a flat index to `url` (the JSON sidecar) and its vectors beside it.
    public static func save(_ index: FlatIndex, fingerprint: String, to url: URL) throws {
        try write(kind: "flat", metric: index.metric, dimension: index.dimension, fingerprint: fingerprint,
                  items: index.items, vectors: index.vectors, centres: nil, listSizes: nil, to: url)
    }

    /// Writes an IVF index to `url` (the JSON sidecar) and its centres and vectors beside it.
    public static func save(_ index: IVFIndex, fingerprint: String, to url: URL) throws {
        var vectors = VectorSet(dimension: index.dimension)
        for list in index.lists { vectors.append(contentsOf: list.vectors) }
        try write(kind: "ivf", metric: index.metric, dimension: index.dimension, fingerprint: fingerprint,
                  items: index.lists.flatMap(\.items), vectors: vectors, centres: index.centres,
                  listSizes: index.lists.map(\.count), to: url)
    }

    /// Loads the index at `url` (the JSON sidecar), refusing one built by another model (its
    /// fingerprint is not `expectedFingerprint`), of another dimension, or damaged.
    public static func load(from url: URL, expectedFingerprint: String, expectedDimension: Int? = nil) throws -> RetrievalIndex {
        let sidecar = try IndexSidecar(url: url)
        let fingerprint: String = try sidecar.field("fingerprint")
        guard fingerprint == expectedFingerprint else {
            throw IndexError.fingerprintMismatch(path: url.path, expected: expectedFingerprint, found: fingerprint)
        }
        let version: Int = try sidecar.field("formatVersion")
        guard version == formatVersion else {
            throw IndexError.invalidField(path: url.path, field: "formatVersion",
                                          reason: "is \(version) but this version of Strata reads format \(formatVersion)")
        }
        let dimension: Int = try sidecar.field("dimension")
        guard dimension > 0 else { throw IndexError.invalidField(path: url.path, field: "dimension", reason: "is \(dimension)") }
        if let expected = expectedDimension, expected != dimension {
            throw IndexError.dimensionMismatch(context: "index \(url.path)", expected: expected, found: dimension)
        }
        let metricName: String = try sidecar.field("metric")
        guard let metric = IndexMetric(rawValue: metricName) else {
            throw IndexError.invalidField(path: url.path, field: "metric", reason: "is \"\(metricName)\"; it must be "
                + IndexMetric.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or "))
        }
        let kind: String = try sidecar.field("kind")
        guard kind == "flat" || kind == "ivf" else {
            throw IndexError.invalidField(path: url.path, field: "kind", reason: "is \"\(kind)\"; it must be \"flat\" or \"ivf\"")
        }
        let items = try sidecar.items()
        let tensors = try readTensors(for: url, fingerprint: fingerprint)
        let vectors = try tensorsField(tensors, "vectors", rows: items.count, dimension: dimension, url: url)
        if kind == "flat" {
            return .flat(FlatIndex(dimension: dimension, metric: metric, vectors: vectors, items: items))
        }
        let sizes: [Int] = try sidecar.field("listSizes")
        let centres = try tensorsField(tensors, "centres", rows: sizes.count, dimension: dimension, url: url)
        guard !sizes.isEmpty else { throw IndexError.invalidField(path: url.path, field: "listSizes", reason: "is empty") }
        if let bad = sizes.firstIndex(where: { $0 < 0 }) {
            throw IndexError.invalidField(path: url.path, field: "listSizes", reason: "entry \(bad) is negative (\(sizes[bad]))")
        }
        // Each size bounded first, so that their sum cannot overflow.
        if let bad = sizes.firstIndex(where: { $0 > items.count }) {
            throw IndexError.invalidField(path: url.path, field: "listSizes", reason: "entry \(bad) (\(sizes[bad])) is more "
                + "than the \(items.count) items of field 'count'")
        }
        guard sizes.reduce(0, +) == items.count else {
            throw IndexError.invalidField(path: url.path, field: "listSizes", reason: "adds up to \(sizes.reduce(0, +)) "
                + "items but field 'count' is \(items.count) (list offsets out of range)")
        }
        var lists: [InvertedList] = []
        var start = 0
        for size in sizes {
            var list = InvertedList(dimension: dimension)
            list.append(Array(items[start..<(start + size)]),
                        vectors: VectorSet(dimension: dimension,
                                           values: Array(vectors.values[(start * dimension)..<((start + size) * dimension)])))
            lists.append(list)
            start += size
        }
        return .ivf(IVFIndex(centres: centres, metric: metric, lists: lists))
    }

    /// Loads the flat index at `url`, refusing an IVF index (see `load`).
    public static func loadFlat(from url: URL, expectedFingerprint: String, expectedDimension: Int? = nil) throws -> FlatIndex {
        guard case let .flat(index) = try load(from: url, expectedFingerprint: expectedFingerprint,
                                               expectedDimension: expectedDimension) else {
            throw IndexError.invalidField(path: url.path, field: "kind", reason: "is \"ivf\" but a flat index is expected")
        }
        return index
    }

    /// Loads the IVF index at `url`, refusing a flat index (see `load`).
    public static func loadIVF(from url: URL, expectedFingerprint: String, expectedDimension: Int? = nil) throws -> IVFIndex {
        guard case let .ivf(index) = try load(from: url, expectedFingerprint: expectedFingerprint,
                                              expectedDimension: expectedDimension) else {
            throw IndexError.invalidField(path: url.path, field: "kind", reason: "is \"flat\" but an IVF index is expected")
        }
        return index
    }

    /// Writes the safetensors file, then the sidecar (each atomically).
    private static func write(kind: String, metric: IndexMetric, dimension: Int, fingerprint: String, items: [IndexItem],
                              vectors: VectorSet, centres: VectorSet?, listSizes: [Int]?, to url: URL) throws {
        var tensors = ["vectors": Tensor(shape: [vectors.count, dimension], scalars: vectors.values)]
        if let centres { tensors["centres"] = Tensor(shape: [centres.count, dimension], scalars: centres.values) }
        let tensorsPath = tensorsURL(for: url)
        do {
            try SafeTensorsFile.write(tensors, metadata: ["fingerprint": fingerprint], to: tensorsPath)
        } catch {
            throw IndexError.io(path: tensorsPath.path, reason: "\(error)")
        }
        var sidecar: [String: Any] = [
            "format": "strata-retrieval-index", "formatVersion": formatVersion, "kind": kind, "metric": metric.rawValue,
            "dimension": dimension, "fingerprint": fingerprint, "count": items.count,
            "ids": items.map(\.id), "labels": items.map(\.label), "paths": items.map(\.path),
        ]
        if let listSizes { sidecar["listSizes"] = listSizes }
        do {
            let data = try JSONSerialization.data(withJSONObject: sidecar, options: [.sortedKeys])
            try AtomicFile.write(data, to: url)
        } catch {
            throw IndexError.io(path: url.path, reason: "\(error)")
        }
    }

    /// The tensors of the safetensors file beside `url`, checked to come from the same model.
    private static func readTensors(for url: URL, fingerprint: String) throws -> [String: Tensor] {
        let path = tensorsURL(for: url)
        guard FileManager.default.fileExists(atPath: path.path) else { throw IndexError.missingFile(path: path.path) }
        let (tensors, metadata): ([String: Tensor], [String: String])
        do {
            (tensors, metadata) = try SafeTensorsFile.read(from: path)
        } catch {
            throw IndexError.invalidField(path: path.path, field: "data", reason: "cannot be read: \(error)")
        }
        guard metadata["fingerprint"] == fingerprint else {
            throw IndexError.invalidField(path: path.path, field: "fingerprint", reason: "is "
                + (metadata["fingerprint"].map { "\"\($0)\"" } ?? "absent")
                + " but the sidecar \(url.lastPathComponent) says \"\(fingerprint)\" (the two files do not belong together)")
        }
        return tensors
    }

    /// Tensor `name` as `rows` vectors of `dimension`, or an error naming the file and the tensor.
    private static func tensorsField(_ tensors: [String: Tensor], _ name: String, rows: Int, dimension: Int,
                                     url: URL) throws -> VectorSet {
        let path = tensorsURL(for: url).path
        guard let tensor = tensors[name] else { throw IndexError.invalidField(path: path, field: name, reason: "is missing") }
        guard tensor.shape == [rows, dimension] else {
            throw IndexError.invalidField(path: path, field: name, reason: "has shape \(tensor.shape) but the sidecar "
                + "\(url.lastPathComponent) describes [\(rows), \(dimension)]")
        }
        return VectorSet(dimension: dimension, values: tensor.scalars)
    }
}
