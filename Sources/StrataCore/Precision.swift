import CDNNL
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The number format convolutions and matrix products compute in: mixed precision as PyTorch's CPU
/// autocast does it.
///
/// Inside `Precision.with(.bfloat16) { … }`, `conv2d` (oneDNN blocked kernels), `matmul` and
/// `linear` (so `Conv2D` and `Dense`) round their operands (input, weight, output gradient) to
/// bfloat16 and accumulate in Float32; their results and gradients are Float32 tensors. Everything
/// else (batch norm, softmax, losses, optimizers and the Float32 master weights) stays Float32. An
/// op's backward runs in the precision its forward ran in, wherever `backward()` is called.
///
/// ```swift
/// let logits = Precision.with(.bfloat16) { model(images, training: true) }
/// try loss(predictions: logits, targets: labels).backward()
/// ```
///
/// Only worth it where oneDNN runs bfloat16 natively (`bfloat16IsNative`); elsewhere oneDNN emulates
/// it about 3× slower than Float32.
public enum Precision: String, Sendable, CaseIterable, Codable {
    /// Float32 everywhere (the default).
    case float32 = "f32"
    /// bfloat16 operands with Float32 accumulation for convolutions and matrix products.
    case bfloat16 = "bf16"

    /// The precision of the calling thread: `.float32` unless inside `Precision.with(.bfloat16) { … }`
    /// (per thread, like `GradMode`).
    public static var current: Precision {
        pthread_getspecific(bfloat16Key) == nil ? .float32 : .bfloat16
    }

    /// Runs `body` with `precision` as the calling thread's `current`, then restores the previous one.
    @discardableResult
    public static func with<Result>(_ precision: Precision, _ body: () throws -> Result) rethrows -> Result {
        let previous = pthread_getspecific(bfloat16Key)
        pthread_setspecific(bfloat16Key, precision == .bfloat16 ? bfloat16Marker : nil)
        defer { pthread_setspecific(bfloat16Key, previous) }
        return try body()
    }

    /// Whether oneDNN runs bfloat16 natively on this machine: its effective ISA is at least
    /// `avx512_core_bf16` (AVX-512 with the BF16 instructions).
    public static var bfloat16IsNative: Bool { isBFloat16Native(isa: dnnl_get_effective_cpu_isa().rawValue) }

    /// oneDNN's name for the instruction set it uses on this machine (e.g. "avx512_core_bf16").
    public static var effectiveISAName: String { isaName(dnnl_get_effective_cpu_isa()) }

    /// Whether `isa` (the raw value of one of oneDNN's `dnnl_cpu_isa_t`) has native bfloat16: it includes
    /// every feature of `avx512_core_bf16` (oneDNN's ISA values are bit masks, each ISA a superset of the
    /// ones it contains).
    static func isBFloat16Native(isa: UInt32) -> Bool {
        let required = dnnl_cpu_isa_avx512_core_bf16.rawValue
        return isa & required == required
    }

    /// A readable name of oneDNN's ISA value.
    static func isaName(_ isa: dnnl_cpu_isa_t) -> String {
        switch isa {
        case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx"
        case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16"
        case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni"
        case dnnl_cpu_isa_avx512_core: return "avx512_core"
        case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni"
        case dnnl_cpu_isa_avx2: return "avx2"
        case dnnl_cpu_isa_avx: return "avx"
        case dnnl_cpu_isa_sse41: return "sse41"
        default: return "isa 0x\(String(isa.rawValue, radix: 16))"
        }
    }

    /// The thread-specific slot that holds `bfloat16Marker` inside `with(.bfloat16)` (nil: Float32).
    private static let bfloat16Key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "Precision: pthread_key_create failed with status \(status)")
        return key
    }()

    /// Any non-nil value: nothing is allocated, so a thread's exit frees nothing.
    private static let bfloat16Marker = UnsafeRawPointer(bitPattern: 1)
}
