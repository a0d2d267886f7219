// strata-mpi-check: the program StrataDistributedTests start under mpirun, one per rank.
//   mpirun --allow-run-as-root --oversubscribe -np 2 .build/debug/strata-mpi-check check
// Modes:
//   check                  every collective and the gradient buckets against values computed locally;
//                          prints "rank R: NAME ok" per check, exits 1 when one fails
//   train                  data-parallel TrainingLoop against one process (TrainingChecks)
//   exit-without-finalize  one allreduce, then returns without finalize() (the exit handler finalises)
//   latency                the median time of 200 one-float allreduces (at least one crossing of the
//                          link each); prints "rank R: allreduce-latency-us N"
//   die-exit, die-kill     allreduces in a loop; at the third, rank 1 calls exit(1) / raises SIGKILL
//                          while the other ranks wait in MPI_Allreduce: mpirun must end the job
import CStrataMPI
import Foundation
import StrataDistributed

setvbuf(stdout, nil, _IOLBF, 0)
let mode = CommandLine.arguments.dropFirst().first ?? "check"
let world: Communicator
do {
    world = try Communicator.world()
} catch {
    print("strata-mpi-check: \(error)")
    exit(1)
}

switch mode {
case "check":
    let checks = MPIChecks(world: world)
    checks.run()
    try world.finalize()
    if checks.failures > 0 {
        print("rank \(world.rank): \(checks.failures) checks failed")
        exit(1)
    }
    print("rank \(world.rank): all checks passed")
case "train":
    var checks = TrainingChecks(world: world)
    checks.run()
    try world.finalize()
    if checks.failures > 0 { exit(1) }
case "exit-without-finalize":
    var values: [Float] = [Float(world.rank + 1)]
    try world.allreduce(&values)
    print("rank \(world.rank): sum \(values[0]), leaving without finalize")
case "latency":
    var values: [Float] = [1]
    for _ in 0..<20 { try world.allreduce(&values) }
    var times: [Double] = []
    for _ in 0..<200 {
        let start = DispatchTime.now().uptimeNanoseconds
        try world.allreduce(&values)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000)
    }
    times.sort()
    print("rank \(world.rank): allreduce-latency-us \(Int(times[times.count / 2]))")
    try world.finalize()
case "die-exit", "die-kill":
    var values = [Float](repeating: 1, count: 1 << 20)
    for step in 0..<1_000_000 {
        if world.rank == 1 && step == 3 {
            print("rank 1: leaving at step \(step) (\(mode))")
            if mode == "die-exit" { exit(1) }
            raise(SIGKILL)
        }
        try world.allreduce(&values, .mean)
    }
    print("rank \(world.rank): the loop ended, which it must not")
default:
    print("strata-mpi-check: unknown mode \(mode); expected check, train, latency, exit-without-finalize, die-exit or die-kill")
    exit(2)
}
