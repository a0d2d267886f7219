// strata-mpibench: time of one MPI allreduce (sum of Floats) between the ranks for messages of 4 B to
// 64 MiB, as latency and bandwidth, for the scaling model of docs/distributed.md
// (ring allreduce: t ≈ 2(N−1)/N × bytes ÷ bus bandwidth + 2(N−1) × latency).
//   swift build -c release --product strata-mpibench
//   mpirun --allow-run-as-root -np 2 .build/release/strata-mpibench            (shared memory)
//   mpirun --allow-run-as-root -np 2 --mca btl tcp,self .build/release/strata-mpibench   (TCP loopback)
// Each size: warm-up, then repeats of a timed loop; the time of a loop is the slowest rank's; the best
// loop counts. algbw = bytes ÷ time; busbw = algbw × 2(N−1)/N (what each link carries, as NCCL reports).
import Foundation
import StrataDistributed

setvbuf(stdout, nil, _IOLBF, 0)
let world = try Communicator.world()
guard world.usesMPI && world.size > 1 else {
    print("strata-mpibench: start it under mpirun with 2 or more ranks, e.g. mpirun --allow-run-as-root -np 2 strata-mpibench")
    exit(2)
}

/// Seconds on the monotonic clock.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// The slowest rank's seconds per allreduce of `count` Floats, best of `repeats` loops of `iterations`.
func allreduceSeconds(count: Int, iterations: Int, repeats: Int) throws -> Double {
    var values = [Float](repeating: 0, count: count)
    for _ in 0..<3 { try world.allreduce(&values) }
    var best = Double.infinity
    for _ in 0..<repeats {
        try world.barrier()
        let start = now()
        for _ in 0..<iterations { try world.allreduce(&values) }
        let elapsed = [Float((now() - start) / Double(iterations))]
        best = min(best, Double(try world.allgather(elapsed).max()!))
    }
    return best
}

let busFactor = 2 * Double(world.size - 1) / Double(world.size)
if world.isRoot {
    print("allreduce (sum, Float32) over \(world.size) ranks")
    print("     bytes |   time (µs) | algbw (GB/s) | busbw (GB/s)")
    print("-----------+-------------+--------------+-------------")
}
var smallest = 0.0, largestBusBandwidth = 0.0
for power in 1...13 {
    let bytes = 1 << (2 * power)                                 // 4 B … 64 MiB
    let iterations = max(10, min(2_000, (1 << 27) / bytes))
    let seconds = try allreduceSeconds(count: bytes / 4, iterations: iterations, repeats: 5)
    let algorithmBandwidth = Double(bytes) / seconds / 1e9
    if power == 1 { smallest = seconds }
    largestBusBandwidth = algorithmBandwidth * busFactor
    if world.isRoot {
        print(String(format: "%10d | %11.2f | %12.3f | %12.3f", bytes, seconds * 1e6, algorithmBandwidth,
                     algorithmBandwidth * busFactor))
    }
}
if world.isRoot {
    let latency = smallest / (2 * Double(world.size - 1))
    print(String(format: "latency α ≈ %.2f µs per step (4 B time ÷ 2(N−1)); bus bandwidth β ≈ %.2f GB/s (64 MiB)",
                 latency * 1e6, largestBusBandwidth))
}
try world.finalize()
