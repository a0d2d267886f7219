/// The precision a user asks for (`--precision f32|bf16|auto`), resolved against what the machine
/// runs natively into the `Precision` a run uses.
public enum PrecisionRequest: String, Sendable, CaseIterable, Codable {
    /// Float32.
    case float32 = "f32"
    /// bfloat16 mixed precision; refused where the CPU has no native bfloat16.
    case bfloat16 = "bf16"
    /// bfloat16 where the CPU runs it natively, else Float32.
    case automatic = "auto"

    /// The request named `name` ("f32", "bf16" or "auto"; also "float32" and "bfloat16"), or nil.
    public init?(name: String) {
        switch name.lowercased() {
        case "f32", "float32", "fp32": self = .float32
        case "bf16", "bfloat16": self = .bfloat16
        case "auto", "automatic": self = .automatic
        default: return nil
        }
    }

    /// The precision to run in on this machine; throws for `.bfloat16` where oneDNN would emulate it.
    public func resolved() throws -> Precision {
        try resolved(bfloat16IsNative: Precision.bfloat16IsNative, isaName: Precision.effectiveISAName)
    }

    /// The precision to run in on a machine where bfloat16 is native or not (`isaName` names its
    /// instruction set in the error); throws `PrecisionError` for `.bfloat16` without native support.
    public func resolved(bfloat16IsNative: Bool, isaName: String) throws -> Precision {
        switch self {
        case .float32: return .float32
        case .automatic: return bfloat16IsNative ? .bfloat16 : .float32
        case .bfloat16:
            guard bfloat16IsNative else {
                throw PrecisionError("--precision bf16 needs a CPU with native bfloat16 (oneDNN ISA avx512_core_bf16 "
                    + "or newer); this one runs \(isaName), where bfloat16 is emulated and about 3× slower than f32. "
                    + "Use --precision f32, or --precision auto to use bf16 only where it is native.")
            }
            return .bfloat16
        }
    }
}

/// A precision that cannot be used on this machine; the message says why and what to use instead.
public struct PrecisionError: Error, CustomStringConvertible, Equatable {
    /// What went wrong.
    public let description: String

    /// An error with the given message.
    public init(_ description: String) { self.description = description }
}
