import Foundation
import FuzzInput
import Strata

/// IDX files, plain or gzipped (gzip is recognised by its magic): read whole, then converted.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let url = FuzzInput.file(data, count, name: "input.idx")
    if let array = try? IDXFile.read(url) {
        _ = array.doubles()
    }
    return 0
}

exit(FuzzInput.run(fuzzIDX))
