import ArgumentParser
import Foundation
import StrataExperiments
import StrataImport

extension WeightSource: ExpressibleByArgument {}

/// `strata import`: weights trained in PyTorch or Keras (safetensors) into a run folder of a catalog model.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load weights trained in PyTorch or Keras (safetensors) into a catalog model and save a run folder.",
        discussion: """
            The folder holds options.json and model.safetensors; `strata evaluate` and `strata predict` read it. \
            Built-in name mappings: \(WeightImport.modelsWithBuiltinMapping.joined(separator: ", ")); \
            see docs/interop.md for the matching PyTorch and Keras models and the JSON mapping format.
            """)

    @Argument(help: "The weights: a PyTorch state_dict or converted Keras weights, as .safetensors.")
    var file: String

    @Option(name: .customLong("from"), help: "The framework that trained them: pytorch or keras.")
    var source: WeightSource

    @Option(help: "The catalog model the weights belong to.")
    var model: String

    @Option(help: "A JSON file mapping Strata parameter names to the file's tensor names (default: the built-in one).")
    var mapping: String?

    @Option(help: "The dataset the model is for (its image shape and classes; evaluate's default test set).")
    var dataset = "mnist"

    @Option(help: "The run folder to write.")
    var out: String

    @Flag(help: "Replace the run folder when it exists.")
    var overwrite = false

    @Option(name: .customLong("data-dir"), help: "A folder to look for the built-in datasets in first.")
    var dataDirectory: String?

    func validate() throws {
        guard FileManager.default.fileExists(atPath: file) else { throw ValidationError("no such file: \(file)") }
        if let mapping, !FileManager.default.fileExists(atPath: mapping) {
            throw ValidationError("--mapping: no such file: \(mapping)")
        }
        try OptionCheck.folder(dataDirectory, "--data-dir")
    }

    func run() throws {
        let folder = try WeightImport.run(URL(fileURLWithPath: file), source: source, model: model,
                                          mapping: mapping.map { URL(fileURLWithPath: $0) }, dataset: dataset,
                                          dataDirectory: dataDirectory, out: out, overwrite: overwrite)
        say("imported \(file) (\(source.rawValue)) into \(model)")
        say("wrote \(folder.url.path)")
    }
}
