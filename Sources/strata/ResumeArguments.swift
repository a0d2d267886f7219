import ArgumentParser

/// `--resume` continues a run with the options it was started with (its `options.json`); any other
/// option given beside it would be silently ignored, so it is refused instead, by name.
enum ResumeArguments {
    /// Throws when the command line holds an option other than `--resume` and `allowed` (each written
    /// `--name`, with or without `=value`).
    static func check(_ arguments: [String] = Array(CommandLine.arguments.dropFirst()), allowed: Set<String>) throws {
        let given = arguments.filter { $0.hasPrefix("--") }.map { String($0.split(separator: "=", maxSplits: 1)[0]) }
        let ignored = given.filter { $0 != "--resume" && !allowed.contains($0) && !TrackingArguments.names.contains($0) }
        guard ignored.isEmpty else {
            let list = ignored.joined(separator: ", ")
            let kept = allowed.isEmpty ? "" : "; only \(allowed.sorted().joined(separator: ", ")) may change"
            throw ValidationError("\(list) cannot be given with --resume: a resumed run keeps the options it was started "
                + "with (options.json in its folder)\(kept)")
        }
    }
}
