import Foundation
import FuzzInput
import Strata

/// Checkpoints read back as a resumed run does: a tiny model's weights, Adam's state, the callbacks' state and
/// the history, then one more epoch logged and one optimizer step.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let url = FuzzInput.file(data, count, name: "input.safetensors")
    guard let checkpoint = try? Checkpoint.load(from: url) else { return 0 }
    let parameters = [Parameter(name: "dense.kernel", tensor: Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])),
                      Parameter(name: "dense.bias", tensor: Tensor([0.5, -0.5]))]
    for parameter in parameters { parameter.tensor.grad = Tensor.full(parameter.tensor.shape, value: 0.25) }
    let optimizer = Adam(learningRate: 0.01)
    guard (try? checkpoint.restore(into: parameters, optimizer: optimizer)) != nil,
          (try? ModelCheckpoint.restore([EarlyStopping(), ReduceLROnPlateau()], from: checkpoint.progress)) != nil
    else { return 0 }
    var history = checkpoint.progress.history
    history.record(epoch: history.epochs.count + 1, logs: [("loss", 0.1)])
    _ = history.csv()
    optimizer.step(parameters)
    return 0
}

exit(FuzzInput.run(fuzzCheckpoint))
