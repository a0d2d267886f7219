import CDNNL
import Foundation

/// The process's one oneDNN CPU engine and stream, and the helpers every oneDNN kernel shares.
///
/// Memory objects are made per execution around the caller's buffers (a `Tensor`'s elements in a
/// plain layout such as `dnnl_nchw`, or pooled scratch in a layout a primitive chose), so nothing
/// is copied on the way in or out. Executions are serialised by a lock: oneDNN already spreads one primitive over every core
/// (OpenMP, `ThreadPolicy`), and a stream must not be used by two threads at once.
final class DNNLEngine: @unchecked Sendable {
    /// The engine and stream of the process (created on first use).
    static let shared = DNNLEngine()

    /// The CPU engine.
    let engine: dnnl_engine_t
    /// The in-order stream every primitive runs on.
    let stream: dnnl_stream_t
    private var lock = pthread_mutex_t()

    private init() {
        ThreadPolicy.ensureConfigured()
        var engine: dnnl_engine_t?
        DNNLEngine.check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine")
        var stream: dnnl_stream_t?
        DNNLEngine.check(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "stream")
        self.engine = engine!
        self.stream = stream!
        pthread_mutex_init(&lock, nil)
    }

    /// Runs `primitive` on the stream with `arguments` (an argument index such as `DNNL_ARG_SRC`
    /// and the buffer it reads or writes) and waits for it to finish.
    ///
    /// Each buffer is wrapped in a memory object with the descriptor the primitive expects for it.
    func execute(_ primitive: DNNLPrimitive, _ arguments: [(Int32, UnsafeMutableRawPointer)]) {
        var args: [dnnl_exec_arg_t] = []
        args.reserveCapacity(arguments.count + 1)
        for (index, buffer) in arguments {
            args.append(dnnl_exec_arg_t(arg: index, memory: memory(primitive.memoryDescriptor(argument: index),
                                                                     buffer, primitive.name)))
        }
        defer { for arg in args { dnnl_memory_destroy(arg.memory) } }
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        let status = args.withUnsafeBufferPointer {
            dnnl_primitive_execute(primitive.primitive, stream, Int32($0.count), $0.baseAddress)
        }
        DNNLEngine.check(status, primitive.name, "execute")
        DNNLEngine.check(dnnl_stream_wait(stream), primitive.name, "stream wait")
    }

    /// Runs `body` with the stream while holding the lock that serialises executions (for callers
    /// that run several prepared primitives in a row, as `BlockedInferencePlan` does).
    func withStream<Result>(_ body: (dnnl_stream_t) -> Result) -> Result {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return body(stream)
    }

    /// A memory object over `buffer` (not owned) described by `descriptor`.
    private func memory(_ descriptor: UnsafePointer<dnnl_memory_desc_t>, _ buffer: UnsafeMutableRawPointer,
                        _ name: String) -> dnnl_memory_t {
        var memory: dnnl_memory_t?
        DNNLEngine.check(dnnl_memory_create(&memory, descriptor, engine, buffer), name, "memory")
        return memory!
    }

    /// Traps with the primitive's name, the step and the status unless `status` is success.
    static func check(_ status: dnnl_status_t, _ name: @autoclosure () -> String,
                      _ step: @autoclosure () -> String = "") {
        guard status != dnnl_success else { return }
        let detail = step().isEmpty ? "" : " (\(step()))"
        fatalError("oneDNN \(name())\(detail) failed: \(describe(status))")
    }

    /// The name of a oneDNN status code.
    static func describe(_ status: dnnl_status_t) -> String {
        switch status {
        case dnnl_success: return "success"
        case dnnl_out_of_memory: return "out of memory"
        case dnnl_invalid_arguments: return "invalid arguments"
        case dnnl_unimplemented: return "unimplemented"
        case dnnl_iterator_ends: return "iterator ends"
        case dnnl_runtime_error: return "runtime error"
        case dnnl_not_required: return "not required"
        default: return "status \(status.rawValue)"
        }
    }

    /// A memory descriptor (Float32 unless `dataType` says otherwise) with the given dimensions and
    /// layout tag (`dnnl_nchw`, `dnnl_x`, …; `dnnl_format_tag_any` lets a primitive choose).
    static func descriptor(_ dims: [Int], _ tag: dnnl_format_tag_t,
                           _ dataType: dnnl_data_type_t = dnnl_f32) -> dnnl_memory_desc_t {
        var descriptor = dnnl_memory_desc_t()
        let dims64 = dims.map { Int64($0) }
        check(dnnl_memory_desc_init_by_tag(&descriptor, Int32(dims.count), dims64, dataType, tag),
              "memory descriptor \(dims)")
        return descriptor
    }
}
