import Foundation

/// Image-folder datasets Strata knows by name: what they hold, how to credit them, and where to put them.
///
/// Unlike `BuiltinDataset`, these have no checksummed download here: the user places the folder in one of
/// the places `DatasetLocator.locateImageFolder(_:)` looks.
///
/// ```swift
/// let folder = try DatasetLocator().locateImageFolder(BuiltinImageFolder.orlFaces.rawValue)
/// ```
public enum BuiltinImageFolder: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The ORL Database of Faces: 40 people, 10 grey photos each, 92 wide × 112 high, as binary PGM.
    case orlFaces = "orl-faces"

    /// Looks a folder dataset up by name, forgiving case, `_` for `-` and the short name `orl`.
    public init?(name: String) {
        let key = name.lowercased().replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "-", with: "")
        switch key {
        case "orlfaces", "orl": self = .orlFaces
        default: return nil
        }
    }

    /// The name used on the command line and as the folder name: `orl-faces`.
    public var description: String { rawValue }

    /// What its classes are, in the plural (`people`).
    public var classNoun: String {
        switch self {
        case .orlFaces: return "people"
        }
    }

    /// What its images are, in the plural (`photos`).
    public var imageNoun: String {
        switch self {
        case .orlFaces: return "photos"
        }
    }

    /// The credit its authors ask for, to print wherever the data is described.
    public var credit: String {
        switch self {
        case .orlFaces:
            return "The ORL Database of Faces: photos taken April 1992 – April 1994 at the Olivetti Research Laboratory,"
                + " Cambridge, UK.\n"
                + "Please credit the Olivetti Research Laboratory (reference: F. Samaria and A. Harter, \"Parameterisation of"
                + " a stochastic model for human face identification\", 2nd IEEE Workshop on Applications of Computer"
                + " Vision, 1994)."
        }
    }

    /// The layout the folder is expected to have.
    public var layout: String {
        switch self {
        case .orlFaces:
            return "40 folders s1 … s40, each holding 10 photos 1.pgm … 10.pgm (grey, 92 wide × 112 high)"
        }
    }

    /// Where to put the folder, given the locator's cache: said by `strata data fetch` and when it is not found.
    public func placementAdvice(cacheRoot: URL) -> String {
        "Strata has no checksummed download for \(rawValue), so it does not fetch it. Put the folder (\(layout))"
            + " at \(cacheRoot.appendingPathComponent(rawValue).path), or at $STRATA_DATA/\(rawValue), or pass"
            + " --data-dir <folder> naming it or the folder that holds \(rawValue)/."
    }
}
