import Foundation
import StrataData

/// Loads the images of a retrieval experiment: the ORL faces or another folder of people, or a built-in
/// dataset of classes.
public enum RetrievalData {
    /// The name under which the ORL (AT&T) Database of Faces is looked for.
    public static let faces = "orl-faces"

    /// The default image size of photo folders, `[height, width]`: half of ORL's 112×92.
    public static let defaultFaceSize = [56, 46]

    /// Loads `options.dataset`: `mnist` or `fashion-mnist` as classes; `orl-faces` (found through
    /// `--data-dir`, `$STRATA_DATA/orl-faces` or the user cache) or a folder path as people, every photo
    /// resized to `options.imageSize` (default 56×46).
    public static func load(_ options: RetrievalOptions) throws -> RetrievalSource {
        if let builtin = try? BuiltinDataset(name: options.dataset) {
            let data = try ExperimentData.load(builtin.rawValue, dataDirectory: options.dataDirectory, seed: options.seed)
            if let size = options.imageSize, size != [data.training.height, data.training.width] {
                throw ExperimentError("--image-size \(size[0])x\(size[1]) is not available for \(builtin.rawValue), whose "
                    + "images are \(data.training.height)x\(data.training.width)")
            }
            return .classes(training: data.training, test: data.test)
        }
        let photos = try loaded(options)
        return .identities(photos.dataset, files: photos.files)
    }

    /// The folder of people that `options.dataset` names.
    public static func folder(_ options: RetrievalOptions) throws -> URL {
        if options.dataset == faces {
            let locator = DatasetLocator(explicitDirectory: options.dataDirectory.map { URL(fileURLWithPath: $0) })
            return try locator.locateImageFolder(faces)
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.dataset, isDirectory: &isFolder), isFolder.boolValue else {
            throw ExperimentError("dataset '\(options.dataset)' is neither orl-faces, mnist, fashion-mnist nor a folder "
                + "of photos (one subfolder per person)")
        }
        return URL(fileURLWithPath: options.dataset)
    }

    /// The photos of the folder of `options`, resized.
    public static func loaded(_ options: RetrievalOptions) throws -> LoadedImageFolder {
        let size = options.resolvedImageSize
        let url = try folder(options)
        return try ImageFolderDataset.loadFolder(from: url, size: (height: size[0], width: size[1]),
                                                 name: options.dataset == faces ? faces : url.lastPathComponent)
    }
}
