import ArgumentParser
import Foundation
import StrataTracking

/// `strata runs archive <run…>`: hides runs from `list` (or shows them again with `--undo`).
struct RunsArchiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "archive",
                                                    abstract: "Hide runs from `strata runs list` (--undo shows them again).")

    @OptionGroup var store: StoreOption

    @Argument(help: "The runs: numbers, names or folders.")
    var runs: [String]

    @Flag(help: "Show the runs again.")
    var undo = false

    func run() throws {
        let store = try self.store.open()
        let chosen = try self.store.runs(runs, in: store)
        try store.setArchived(chosen.map(\.id), !undo)
        print("\(undo ? "unarchived" : "archived") \(chosen.count) run\(chosen.count == 1 ? "" : "s"): "
              + chosen.map { "\($0.id) \($0.name)" }.joined(separator: ", "))
    }
}

/// `strata runs delete <run…>`: removes runs from the store after asking (or with `--yes`); their
/// folders only with `--files`.
struct RunsDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Remove runs from the store (asks first unless --yes); their run folders too only with --files.")

    @OptionGroup var store: StoreOption

    @Argument(help: "The runs: numbers, names or folders.")
    var runs: [String]

    @Flag(help: "Do not ask.")
    var yes = false

    @Flag(help: "Also delete the runs' folders.")
    var files = false

    func run() throws {
        let store = try self.store.open()
        let chosen = try self.store.runs(runs, in: store)
        let listing = chosen.map { "\($0.id) \($0.name)" + (files ? " (\($0.folder ?? "no folder"))" : "") }.joined(separator: ", ")
        if !yes {
            print("delete \(chosen.count) run\(chosen.count == 1 ? "" : "s") from \(store.path)\(files ? " and their folders" : ""): "
                  + "\(listing)? [y/N] ", terminator: "")
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
            guard answer == "y" || answer == "yes" else {
                print("nothing deleted")
                return
            }
        }
        try store.deleteRuns(chosen.map(\.id))
        var removedFolders = 0
        if files {
            let manager = FileManager.default
            for folder in chosen.compactMap(\.folder) where manager.fileExists(atPath: folder) {
                // Only what looks like a run folder, so a wrong path in the store never removes anything else.
                guard ["options.json", "history.csv", "history.json"].contains(where: {
                    manager.fileExists(atPath: URL(fileURLWithPath: folder).appendingPathComponent($0).path)
                }) else {
                    print("kept \(folder): it has no options.json or history, so it is not a run folder")
                    continue
                }
                try manager.removeItem(atPath: folder)
                removedFolders += 1
            }
        }
        print("deleted \(chosen.count) run\(chosen.count == 1 ? "" : "s")" + (files ? " and \(removedFolders) folder\(removedFolders == 1 ? "" : "s")" : ""))
    }
}

/// `strata runs import <folder…>`: records run folders made before the store (or without it).
struct RunsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Record run folders made before the store: options.json, history.csv/json, metrics.json and their files.")

    @OptionGroup var store: StoreOption

    @Argument(help: "The run folders.")
    var folders: [String]

    @Option(help: "The experiment the runs are recorded under.")
    var experiment = "imported"

    func run() throws {
        let store = try self.store.open(creating: true)
        for folder in folders {
            let (id, isNew) = try store.importRunFolder(at: URL(fileURLWithPath: folder), experiment: experiment)
            print(isNew ? "imported \(folder) as run \(id)" : "\(folder) is already in the store as run \(id)")
        }
    }
}
