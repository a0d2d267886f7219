import Foundation
import FuzzInput
import Strata

/// safetensors files: the header alone, then every tensor converted to Float32.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let url = FuzzInput.file(data, count, name: "input.safetensors")
    _ = try? SafeTensorsFile.readHeader(from: url)
    if let (tensors, _) = try? SafeTensorsFile.read(from: url) {
        for tensor in tensors.values { _ = tensor.scalars }
    }
    return 0
}

exit(FuzzInput.run(fuzzSafeTensors))
