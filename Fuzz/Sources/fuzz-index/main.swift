import Foundation
import FuzzInput
import Strata

/// The vectors of a valid 12-item, 4-dimensional flat index, saved once beside every input sidecar.
let savedVectors: Void = {
    var index = FlatIndex(dimension: 4)
    let values = (0..<48).map { Float($0 % 7) - 3 }
    try! index.add(VectorSet(dimension: 4, values: values),
                   items: (0..<12).map { IndexItem(id: $0, label: "p\($0 / 3)", path: "\($0).pgm") })
    try! IndexFile.save(index, fingerprint: "fuzz", to: FuzzInput.folder.appendingPathComponent("seed.json"))
    try! FileManager.default.copyItem(at: FuzzInput.folder.appendingPathComponent("seed.safetensors"),
                                      to: FuzzInput.folder.appendingPathComponent("input.safetensors"))
}()

/// Index sidecars (`faces.json`) beside a valid vectors file: loaded, then searched.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIndex(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    _ = savedVectors
    let url = FuzzInput.file(data, count, name: "input.json")
    switch try? IndexFile.load(from: url, expectedFingerprint: "fuzz") {
    case let .flat(index)?:
        _ = try? index.search([Float](repeating: 0.5, count: index.dimension), k: 3)
    case let .ivf(index)?:
        _ = try? index.search([Float](repeating: 0.5, count: index.dimension), k: 3, nprobe: 2)
    case nil:
        break
    }
    return 0
}

exit(FuzzInput.run(fuzzIndex))
