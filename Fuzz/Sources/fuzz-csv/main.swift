import Foundation
import FuzzInput
import Strata

/// CSV datasets (`label,p0,p1,…` per line), plain or gzipped.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let url = FuzzInput.file(data, count, name: "input.csv")
    _ = try? CSVDataset.load(from: url)
    return 0
}

exit(FuzzInput.run(fuzzCSV))
