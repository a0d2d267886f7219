import Foundation
import FuzzInput
import Strata

/// Image files of any supported format (PGM/PPM, PNG through cairo, JPEG through libjpeg-turbo), grey and colour.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let url = FuzzInput.file(data, count, name: "input.img")
    _ = try? ImageFolderDataset.decodeImage(url)
    _ = try? ImageFolderDataset.decodeImage(url, color: true)
    return 0
}

exit(FuzzInput.run(fuzzImage))
