import Foundation
import StrataTracking

// Writes a run into the store at argument 1, one transaction per "epoch" of 10 points, printing
// "committed <epoch>" after each, until it is killed (the tracking tests SIGKILL it part way).
let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: strata-tracking-writer <store>\n".utf8))
    exit(2)
}
let store = try RunStore(path: arguments[1])
let run = try store.beginRun(NewRun(name: "killed-writer", params: ["learning_rate": "0.01"]))
for epoch in 1...100_000 {
    let points = (0..<10).map { MetricPoint(name: "loss", step: (epoch - 1) * 10 + $0 + 1, epoch: epoch, value: 1 / Double(epoch)) }
    try store.append(points, runID: run)
    print("committed \(epoch)")
    fflush(stdout)
    usleep(2_000)
}
