import ArgumentParser
import Foundation
import StrataExperiments
import StrataInterop
import StrataNN
import StrataTrain

/// `strata export`: a trained run's model as an ONNX file.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trained run's model (strata train or strata retrieve train) as an ONNX file (opset 17).")

    @Argument(help: "The run folder written by `strata train` or `strata retrieve train`.")
    var runFolder: String

    @Option(help: "The file format: onnx.")
    var format = "onnx"

    @Option(help: "The file to write (default: model.onnx in the run folder).")
    var out: String?

    @Option(name: .customLong("data-dir"), help: "A folder to look for the run's dataset in first (for its image shape).")
    var dataDirectory: String?

    func validate() throws {
        guard format == "onnx" else { throw ValidationError("--format must be onnx, got \(format)") }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: runFolder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("run folder \(runFolder) does not exist")
        }
        try OptionCheck.folder(dataDirectory, "--data-dir")
    }

    func run() throws {
        let (model, description) = try RunModel.load(runFolder, dataDirectory: dataDirectory)
        let path = out ?? URL(fileURLWithPath: runFolder).appendingPathComponent("model.onnx").path
        try model.exportONNX(to: URL(fileURLWithPath: path))
        say("\(description): input \(ShapeFormat.batched(model.inputShape)), output \(ShapeFormat.batched(model.outputShape))")
        say("wrote \(path) (ONNX opset \(Model.onnxOpsetVersion))")
    }
}
