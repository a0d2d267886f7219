import Foundation

/// An image folder loaded as a dataset, with the file each image came from.
///
/// ```swift
/// let faces = try ImageFolderDataset.loadFolder(from: folder)
/// print(faces.files[12].path, faces.dataset.classNames[faces.dataset.labels[12]])   // …/s2/3.pgm s2
/// ```
public struct LoadedImageFolder: Sendable {
    /// The images `(N, C, H, W)`; labels are class subfolder indices in natural name order, `classNames` their names.
    public let dataset: Dataset
    /// `files[i]` is the file image `i` of `dataset` was decoded from.
    public let files: [URL]

    /// Pairs a dataset with the file of each of its images.
    public init(dataset: Dataset, files: [URL]) {
        precondition(dataset.count == files.count,
                     "LoadedImageFolder: \(dataset.count) images but \(files.count) files")
        self.dataset = dataset
        self.files = files
    }
}
