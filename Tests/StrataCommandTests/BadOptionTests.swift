import Foundation
import XCTest

/// Every command over a table of bad option values (`BadOptionTests.swift`): each must end with a non-zero status, a first
/// line `Error: …` naming the option and what it allows, no crash, and nothing written — neither in
/// the working folder (which is also the home, so a cache would show) nor in a run folder resumed.
extension CommandErrorTests {
    /// A new folder, outside any working folder, with the inputs some cases need: a tiny CSV dataset,
    /// fake run folders `run` and `run2` (options.json and checkpoint.safetensors only) and a `photo.png`.
    func makeBadOptionInputs() throws -> URL {
        let inputs = FileManager.default.temporaryDirectory.appendingPathComponent("strata-bad-options-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        // 20 rows of 4×4 pixels in two classes.
        let rows = (0..<20).map { i in ([String(i % 2)] + (0..<16).map { j in String((i * 10 + j) % 255) }).joined(separator: ",") }
        try rows.joined(separator: "\n").write(to: inputs.appendingPathComponent("tiny.csv"), atomically: true, encoding: .utf8)
        for run in ["run", "run2"] {
            let folder = inputs.appendingPathComponent(run)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: folder.appendingPathComponent("options.json"))
            try Data().write(to: folder.appendingPathComponent("checkpoint.safetensors"))
        }
        try Data().write(to: inputs.appendingPathComponent("photo.png"))
        return inputs
    }

    /// Runs each case in a new empty folder and checks the status, the message, no crash and an empty folder.
    func assertEachFails(_ cases: [([String], String)], file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: executable.path), "no strata at \(executable.path)")
        for (arguments, message) in cases {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strata-cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let (status, error) = try strata(arguments, in: folder)
            let command = "strata " + arguments.joined(separator: " ")
            XCTAssertNotEqual(status, 0, "\(command) must fail", file: file, line: line)
            let first = error.split(separator: "\n").first.map(String.init) ?? ""
            XCTAssertTrue(first.hasPrefix("Error: ") && first.contains(message),
                          "\(command): expected '\(message)', got: \(error)", file: file, line: line)
            XCTAssertFalse(error.contains("Fatal error") || error.contains("Stack dump"), "\(command) crashed: \(error)",
                           file: file, line: line)
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            XCTAssertEqual(left, [], "\(command) wrote into the working folder", file: file, line: line)
        }
    }

    func testTrainRefusesEveryBadValue() throws {
        let inputs = try makeBadOptionInputs()
        defer { try? FileManager.default.removeItem(at: inputs) }
        let csv = inputs.appendingPathComponent("tiny.csv").path
        try assertEachFails([
            (["train", "--epochs", "0"], "--epochs must be at least 1, got 0"),
            (["train", "--epochs", "2000000"], "--epochs must be at most 1000000, got 2000000"),
            (["train", "--batch-size", "0"], "--batch-size must be at least 1, got 0"),
            (["train", "--learning-rate=-1"], "--learning-rate must be a positive finite number, got -1.0"),
            (["train", "--learning-rate", "nan"], "--learning-rate must be a positive finite number, got nan"),
            (["train", "--learning-rate", "inf"], "--learning-rate must be a positive finite number, got inf"),
            (["train", "--optimizer", "adam", "--weight-decay=-0.1"], "--weight-decay must be a finite number ≥ 0, got -0.1"),
            (["train", "--optimizer", "sgd", "--weight-decay=-0.1"], "--weight-decay must be a finite number ≥ 0, got -0.1"),
            (["train", "--optimizer", "rmsprop", "--weight-decay=-0.1"], "--weight-decay must be a finite number ≥ 0, got -0.1"),
            (["train", "--weight-decay", "nan"], "--weight-decay must be a finite number ≥ 0, got nan"),
            (["train", "--label-smoothing", "1"], "--label-smoothing must be in [0, 1), got 1.0"),
            (["train", "--label-smoothing", "nan"], "--label-smoothing must be in [0, 1), got nan"),
            (["train", "--model", "cnn", "--dropout", "1"], "--dropout must be in [0, 1), got 1.0"),
            (["train", "--model", "mlp", "--dropout=-0.1"], "--dropout must be in [0, 1), got -0.1"),
            (["train", "--model", "vgg", "--dropout", "nan"], "--dropout must be in [0, 1), got nan"),
            (["train", "--model", "resnet", "--dropout", "0.3"], "--dropout does not apply to model resnet"),
            (["train", "--model", "dense128", "--dropout", "0.3"], "--dropout does not apply to model dense128"),
            (["train", "--model", "mlp-small", "--dropout", "0"], "--dropout does not apply to model mlp-small"),
            (["train", "--model", "resnet", "--resnet-depth", "21"], "--resnet-depth must be 6n + 2 for resnet"),
            (["train", "--model", "wide-resnet", "--resnet-depth", "12"], "--resnet-depth must be 6n + 4 for wide-resnet"),
            (["train", "--model", "resnet", "--resnet-depth", "6002"], "--resnet-depth must be at most 1202, got 6002"),
            (["train", "--model", "cnn", "--resnet-depth", "20"], "--resnet-depth does not apply to model cnn"),
            (["train", "--model", "wide-resnet", "--width", "0"], "--width must be in 1…32, got 0"),
            (["train", "--model", "cnn", "--width", "8"], "--width does not apply to model cnn"),
            (["train", "--decay", "0.5"], "--decay does not apply to --schedule constant"),
            (["train", "--schedule", "step", "--decay", "1.5"], "--decay must be in (0, 1], got 1.5"),
            (["train", "--schedule", "exponential", "--decay", "0"], "--decay must be in (0, 1], got 0.0"),
            (["train", "--schedule", "warmup"], "unknown schedule 'warmup'; choose one of: constant"),
            (["train", "--optimizer", "lbfgs"], "unknown optimizer 'lbfgs'; choose one of: sgd"),
            (["train", "--augment", "rotate"], "unknown augmentation 'rotate'; choose one of: none"),
            (["train", "--augment", "affine+elastic"], "--augment affine+elastic: affine and elastic both warp the image"),
            (["train", "--ema", "1"], "--ema must be a decay in (0, 1), such as 0.999, got 1.0"),
            (["train", "--ema", "0.99", "--swa-start", "2"], "--ema and --swa-start are two ways of averaging the weights"),
            (["train", "--epochs", "3", "--swa-start", "4"], "--swa-start must be at most 3, got 4"),
            (["train", "--ema", "0.99", "--early-stopping", "2"], "--early-stopping does not combine with --ema"),
            (["train", "--epochs", "3", "--warmup-epochs", "3"], "--warmup-epochs must be in [0, --epochs) = [0, 3), got 3"),
            (["train", "--schedule", "plateau", "--warmup-epochs", "1"], "--warmup-epochs does not apply to --schedule plateau"),
            (["train", "--tta", "10"], "--tta must be in 1...9"),
            (["train", "--augment", "flip", "--tta", "19"], "--tta must be in 1...18"),
            (["train", "--model", "alexnet"], "unknown model 'alexnet'; choose one of: mlp-small"),
            (["train", "--validation-split", "1"], "--validation-split must be in [0, 1), got 1.0"),
            (["train", "--validation-split", "nan"], "--validation-split must be in [0, 1), got nan"),
            (["train", "--early-stopping=-1"], "--early-stopping must be at least 0, got -1"),
            (["train", "--threads", "0"], "--threads must be at least 1, got 0"),
            (["train", "--threads", "5000"], "--threads must be at most 1024, got 5000"),
            (["train", "--data-dir", "/nonexistent"], "--data-dir /nonexistent is not an existing folder"),
            (["train", "--epochs", "1", "--batch-size", "10,20"], "--batch-size has 2 values; use `strata sweep`"),
            // Options that depend on the data: checked after loading it, before the run folder is made.
            (["train", "--dataset", csv, "--model", "dense128", "--batch-size", "500"], "--batch-size 500 is larger than the"),
            (["train", "--dataset", csv, "--model", "dense128", "--schedule", "onecycle", "--epochs", "1",
              "--batch-size", "16", "--validation-split", "0"], "--schedule onecycle needs at least 4 training steps, got 1"),
        ])
    }

    func testSweepRefusesEveryBadValue() throws {
        try assertEachFails([
            (["sweep", "--batch-size", "8,0"], "--batch-size must be at least 1, got 0"),
            (["sweep", "--learning-rate", "0.1,nan"], "--learning-rate must be a positive finite number, got nan"),
            (["sweep", "--model", "resnet", "--dropout", "0.1,0.2"], "--dropout does not apply to model resnet"),
            (["sweep", "--label-smoothing", "0,1"], "--label-smoothing must be in [0, 1), got 1.0"),
            (["sweep", "--epochs", "1"], "give one option several comma-separated values"),
        ])
    }

    func testEvaluatePredictEnsembleHistogramAndPlotRefuseBadValues() throws {
        let inputs = try makeBadOptionInputs()
        defer { try? FileManager.default.removeItem(at: inputs) }
        let run = inputs.appendingPathComponent("run").path, run2 = inputs.appendingPathComponent("run2").path
        let photo = inputs.appendingPathComponent("photo.png").path
        try assertEachFails([
            (["evaluate", "/nonexistent/run"], "run folder /nonexistent/run does not exist"),
            (["evaluate", run, "--confusion", "confusion.txt"], "--confusion confusion.txt must end in .png, .svg or .pdf"),
            (["evaluate", run, "--threads", "0"], "--threads must be at least 1, got 0"),
            (["evaluate", run, "--tta", "0"], "--tta must be at least 1, got 0"),
            (["evaluate", run, "--data-dir", "/nonexistent"], "--data-dir /nonexistent is not an existing folder"),
            (["predict", run, photo, "--top", "0"], "--top must be at least 1, got 0"),
            (["predict", run, "missing.png"], "missing.png: no such file to label"),
            (["predict", "/nonexistent/run", photo], "run folder /nonexistent/run does not exist"),
            (["ensemble", run], "an ensemble needs at least two run folders, got 1"),
            (["ensemble", run, "/nonexistent/run"], "run folder /nonexistent/run does not exist"),
            (["ensemble", run, run2, "--threads", "0"], "--threads must be at least 1, got 0"),
            (["ensemble", run, run2, "--tta", "0"], "--tta must be at least 1, got 0"),
            (["ensemble", run, run2, "--weights", "best"], "--weights must be final or trained, got best"),
            (["histogram", "--part", "everything"], "--part must be one of training, test, train-split, validation"),
            (["histogram", "--part", "validation", "--validation-split", "1.5"], "--validation-split must be in (0, 1), got 1.5"),
            (["histogram", "--part", "train-split", "--validation-split", "nan"], "--validation-split must be in (0, 1), got nan"),
            (["histogram", "--part", "training", "--validation-split", "0.2"], "--validation-split does not apply to --part training"),
            (["histogram", "--part", "test", "--stratified"], "--stratified does not apply to --part test"),
            (["histogram", "--out", "chart.txt"], "--out chart.txt must end in .png, .svg or .pdf"),
            (["histogram", "--threads", "0"], "--threads must be at least 1, got 0"),
            (["plot", "/nonexistent/run", "--out", "charts"], "/nonexistent/run: no history.json"),
            (["plot", "--accuracy-vs-time", run, "--time", "cpu"], "--time must be wall or processor, got cpu"),
        ])
    }

    func testRankRefusesEveryBadValue() throws {
        try assertEachFails([
            (["rank", "--epochs", "0"], "--epochs must be at least 1, got 0"),
            (["rank", "--steps-per-epoch", "0"], "--steps-per-epoch must be at least 1, got 0"),
            (["rank", "--steps-per-epoch", "2000000"], "--steps-per-epoch must be at most 1000000, got 2000000"),
            (["rank", "--batch-size", "0"], "--batch-size must be at least 1, got 0"),
            (["rank", "--validation-split", "0"], "--validation-split must be in (0, 1), got 0.0"),
            (["rank", "--validation-split", "nan"], "--validation-split must be in (0, 1), got nan"),
            (["rank", "--validation-pairs", "0"], "--validation-pairs must be at least 1, got 0"),
            (["rank", "--test-pairs", "0"], "--test-pairs must be at least 1, got 0"),
            (["rank", "--ndcg-k", "0"], "--ndcg-k must be at least 1, got 0"),
            (["rank", "--activation", "swish"], "unknown --activation 'swish'; choose one of: relu"),
            (["rank", "--augment", "rotate"], "unknown --augment 'rotate'; choose one of: none"),
            (["rank", "--decay", "0"], "--decay must be in (0, 1], got 0.0"),
            (["rank", "--decay", "nan"], "--decay must be in (0, 1], got nan"),
            (["rank", "--learning-rate", "inf"], "--learning-rate must be a positive finite number, got inf"),
            (["rank", "--optimizer", "lbfgs"], "unknown --optimizer 'lbfgs'"),
            (["rank", "--order", "0,0,1"], "--order 0,0,1 must list each class index 0…K−1 once"),
            (["rank", "--order", "1,two"], "--order '1,two' is not a comma-separated list"),
            (["rank", "--threads", "0"], "--threads must be at least 1, got 0"),
            (["rank", "--data-dir", "/nonexistent"], "--data-dir /nonexistent is not an existing folder"),
        ])
    }

    func testArgmaxRefusesEveryBadValue() throws {
        let inputs = try makeBadOptionInputs()
        defer { try? FileManager.default.removeItem(at: inputs) }
        try assertEachFails([
            (["argmax", "--depth=-1"], "--depth must be at least 0, got -1"),
            (["argmax", "--depth", "5000"], "--depth must be at most 1000, got 5000"),
            (["argmax", "--width", "0"], "--width must be at least 1, got 0"),
            (["argmax", "--length", "1"], "--length must be at least 2, got 1"),
            (["argmax", "--width", "1000000", "--length", "1000"], "--width 1000000 × --length 1000 is too large"),
            (["argmax", "--episodes", "0"], "--episodes must be at least 1, got 0"),
            (["argmax", "--batches-per-episode", "0"], "--batches-per-episode must be at least 1, got 0"),
            (["argmax", "--batch-size", "0"], "--batch-size must be at least 1, got 0"),
            (["argmax", "--test-batches", "0"], "--test-batches must be at least 1, got 0"),
            (["argmax", "--test-batch-size", "0"], "--test-batch-size must be at least 1, got 0"),
            (["argmax", "--decay", "1.5"], "--decay must be in (0, 1], got 1.5"),
            (["argmax", "--decay", "nan"], "--decay must be in (0, 1], got nan"),
            (["argmax", "--learning-rate=-1"], "--learning-rate must be a positive finite number, got -1.0"),
            (["argmax", "--optimizer", "lbfgs"], "unknown --optimizer 'lbfgs'"),
            (["argmax", "--head", "ranking"], "--head must be one of regression, classification, got 'ranking'"),
            (["argmax", "--threads", "0"], "--threads must be at least 1, got 0"),
            (["argmax", "--data-dir", inputs.path], "does not apply to argmax"),
        ])
    }

    func testRetrieveRefusesEveryBadValue() throws {
        try assertEachFails([
            (["retrieve", "train", "--model", "alexnet"], "unknown --model 'alexnet'; choose pixels or one of"),
            (["retrieve", "train", "--dimension", "1"], "--dimension must be at least 2, got 1"),
            (["retrieve", "train", "--dimension", "2000000"], "--dimension must be at most 1000000, got 2000000"),
            (["retrieve", "train", "--loss", "hinge"], "unknown --loss 'hinge'"),
            (["retrieve", "train", "--mining", "easy"], "unknown --mining 'easy'"),
            (["retrieve", "train", "--loss", "contrastive", "--mining", "semi-hard"], "--mining does not apply to the contrastive loss"),
            (["retrieve", "train", "--margin=-1"], "--margin must be a number ≥ 0, got -1.0"),
            (["retrieve", "train", "--margin", "nan"], "--margin must be a number ≥ 0, got nan"),
            (["retrieve", "train", "--loss", "contrastive", "--margin", "0"], "--margin of the contrastive loss must be positive, got 0.0"),
            (["retrieve", "train", "--loss", "arcface", "--margin", "4"], "--margin of arcface must be in [0, π), got 4.0"),
            (["retrieve", "train", "--loss", "arcface", "--scale", "0"], "--scale must be a positive finite number, got 0.0"),
            (["retrieve", "train", "--loss", "cosface", "--scale", "inf"], "--scale must be a positive finite number, got inf"),
            (["retrieve", "train", "--scale", "10"], "--scale does not apply to the triplet loss"),
            (["retrieve", "train", "--identities-per-batch", "1"], "--identities-per-batch must be at least 2, got 1"),
            (["retrieve", "train", "--images-per-identity", "1"], "--images-per-identity must be at least 2, got 1"),
            (["retrieve", "train", "--epochs", "0"], "--epochs must be at least 1, got 0"),
            (["retrieve", "train", "--steps-per-epoch", "0"], "--steps-per-epoch must be at least 1, got 0"),
            (["retrieve", "train", "--optimizer", "lbfgs"], "unknown --optimizer 'lbfgs'"),
            (["retrieve", "train", "--threshold-rule", "gumbel"], "unknown --threshold-rule 'gumbel'; choose one of: empirical, normal, auto"),
            (["retrieve", "evaluate", "--threshold-rule", ""], "unknown --threshold-rule ''"),
            (["retrieve", "train", "--learning-rate", "inf"], "--learning-rate must be a positive finite number, got inf"),
            (["retrieve", "train", "--decay", "0"], "--decay must be in (0, 1], got 0.0"),
            (["retrieve", "train", "--augment", "rotate"], "unknown --augment 'rotate'"),
            (["retrieve", "train", "--image-size", "4x4"], "--image-size must be HEIGHTxWIDTH with each side in 8…1024"),
            (["retrieve", "train", "--image-size", "0x46"], "--image-size must be HEIGHTxWIDTH such as 56x46, got '0x46'"),
            (["retrieve", "train", "--training-identities", "1"], "--training-identities must be at least 2, got 1"),
            (["retrieve", "train", "--validation-identities", "20"], "--validation-identities must be at least 2 and below --training-identities (20)"),
            (["retrieve", "train", "--known-identities", "1"], "--known-identities must be at least 2, got 1"),
            (["retrieve", "train", "--unknown-identities", "0"], "--unknown-identities must be at least 1, got 0"),
            (["retrieve", "train", "--gallery-per-identity", "0"], "--gallery-per-identity must be at least 1, got 0"),
            (["retrieve", "train", "--roles", "mixed"], "--roles must be random or fixed, got 'mixed'"),
            (["retrieve", "train", "--threshold-far", "1"], "--threshold-far must be in (0, 1), got 1.0"),
            (["retrieve", "train", "--threshold-far", "nan"], "--threshold-far must be in (0, 1), got nan"),
            (["retrieve", "train", "--clusters", "0"], "--clusters must be at least 1, got 0"),
            (["retrieve", "train", "--nprobe", "0"], "--nprobe must be at least 1, got 0"),
            (["retrieve", "train", "--threads", "0"], "--threads must be at least 1, got 0"),
            (["retrieve", "train", "--data-dir", "/nonexistent"], "--data-dir /nonexistent is not an existing folder"),
            (["retrieve", "evaluate", "--repeats", "0"], "--repeats must be at least 1, got 0"),
            (["retrieve", "evaluate", "--loss", "hinge"], "unknown --loss 'hinge'"),
            (["retrieve", "enroll", "gallery", "--model", "run", "--clusters", "0"], "--clusters must be at least 1, got 0"),
            (["retrieve", "enroll", "gallery", "--model", "run", "--add", "index", "--out", "other"], "--out does not apply with --add"),
            (["retrieve", "enroll", "gallery", "--model", "run", "--add", "index", "--clusters", "3"], "--clusters does not apply with --add"),
            (["retrieve", "query", "index", "x.pgm", "--method", "median"], "--method must be nearest or centroid, got 'median'"),
            (["retrieve", "query", "index", "x.pgm", "--threshold", "2"], "--threshold must be a cosine similarity in [-1, 1], got 2.0"),
            (["retrieve", "query", "index", "x.pgm", "--threshold", "nan"], "--threshold must be a cosine similarity in [-1, 1], got nan"),
            (["retrieve", "query", "index", "x.pgm", "--nprobe", "0"], "--nprobe must be at least 1, got 0"),
            (["retrieve", "query", "index", "x.pgm", "--top", "0"], "--top must be at least 1, got 0"),
            (["retrieve", "query", "index"], "Missing expected argument '<images> ...'"),
        ])
    }

    func testDataCommandsRefuseBadValues() throws {
        let inputs = try makeBadOptionInputs()
        defer { try? FileManager.default.removeItem(at: inputs) }
        try assertEachFails([
            (["data", "info", "mnist", "--data-dir", "/nonexistent"], "--data-dir /nonexistent is not an existing folder"),
            (["data", "export", "mnist", "--out", "x", "--part", "validation"], "--part must be train or test, got 'validation'"),
            (["data", "export", "mnist", "--out", "x", "--per-class", "0"], "--per-class must be at least 1, got 0"),
            (["data", "export", "mnist", "--out", "x", "--skip-per-class=-1"], "--skip-per-class must be at least 0, got -1"),
            (["data", "export", "mnist", "--out", "x", "--data-dir", "/nonexistent"], "--data-dir /nonexistent is not an existing folder"),
            (["data", "export", "cifar", "--out", "x"], "cifar"),
            (["data", "export", "mnist", "--out", inputs.path], "already exists; choose a new --out folder"),
        ])
    }

    /// A run folder whose saved options hold a bad value is refused on `--resume`, naming the option,
    /// and nothing in it changes.
    func testResumeChecksTheSavedOptionsAgain() throws {
        let inputs = try makeBadOptionInputs()
        defer { try? FileManager.default.removeItem(at: inputs) }
        let training = """
        {"dataset": "mnist", "model": "cnn", "modelOptions": {"classes": 10}, "epochs": 2, "batchSize": 32,
         "optimizer": "adam", "schedule": "constant", "decayFactor": 0.98, "scheduleStep": 10, "augment": "none",
         "validationSplit": 0.1, "stratified": false, "labelSmoothing": 1, "seed": 42}
        """
        let ranking = """
        {"dataset": "mnist", "epochs": 0, "stepsPerEpoch": 10, "batchSize": 8, "activation": "relu", "optimizer": "adam",
         "decay": 1, "validationSplit": 0.1, "validationPairs": 10, "testPairs": 10, "excludeTies": false,
         "augment": "none", "standardize": false, "ndcgK": 10, "seed": 42}
        """
        let argmax = """
        {"depth": 3, "width": 60, "length": 10, "head": "regression", "optimizer": "momentum", "decay": 0.98,
         "episodes": 2, "batchesPerEpisode": 2, "batchSize": 0, "testBatches": 1, "testBatchSize": 10, "seed": 42}
        """
        let dropout = training.replacingOccurrences(of: "\"labelSmoothing\": 1", with: "\"labelSmoothing\": 0")
            .replacingOccurrences(of: "{\"classes\": 10}", with: "{\"classes\": 10, \"dropout\": 1}")
        let cases: [(command: String, options: String, message: String)] = [
            ("train", training, "options.json: --label-smoothing must be in [0, 1), got 1.0"),
            ("train", dropout, "options.json: --dropout must be in [0, 1), got 1.0"),
            ("rank", ranking, "options.json: --epochs must be at least 1, got 0"),
            ("argmax", argmax, "options.json: --batch-size must be at least 1, got 0"),
        ]
        for (command, options, message) in cases {
            let run = inputs.appendingPathComponent("resume-\(command)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
            try Data(options.utf8).write(to: run.appendingPathComponent("options.json"))
            try Data([1, 2, 3]).write(to: run.appendingPathComponent("checkpoint.safetensors"))
            let before = try FileManager.default.contentsOfDirectory(atPath: run.path).sorted()
            try assertEachFails([([command, "--resume", run.path], message)])
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: run.path).sorted(), before, command)
            XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent("options.json")), Data(options.utf8), command)
            XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent("checkpoint.safetensors")), Data([1, 2, 3]), command)
        }
    }

    /// The options of checkpointing and data-parallel training: a negative or non-numeric interval, and
    /// synchronized batch norm on a model without batch normalization, are refused before any work.
    func testCheckpointIntervalAndSyncBatchNormAreChecked() throws {
        let inputs = try makeBadOptionInputs()
        defer { try? FileManager.default.removeItem(at: inputs) }
        try assertEachFails([
            (["rank", "--checkpoint-every=-1"], "--checkpoint-every must be a number of seconds, 0 or more, got -1.0"),
            (["argmax", "--checkpoint-every", "nan"], "--checkpoint-every must be a number of seconds, 0 or more, got nan"),
            (["retrieve", "train", "--checkpoint-every=-5"], "--checkpoint-every must be a number of seconds"),
            (["train", "--model", "mlp", "--sync-batch-norm"], "--sync-batch-norm does not apply to model mlp: it has no batch normalization"),
        ])
    }

    /// Options beside `--resume` would be ignored (a resumed run keeps its saved options): refused by name.
    func testOptionsBesideResumeAreRefused() throws {
        let inputs = try makeBadOptionInputs()
        defer { try? FileManager.default.removeItem(at: inputs) }
        let run = inputs.path + "/some-run"
        try assertEachFails([
            (["train", "--resume", run, "--epochs", "9"], "--epochs cannot be given with --resume"),
            (["train", "--resume", run, "--threads=2"], "--threads cannot be given with --resume"),
            (["rank", "--resume", run, "--learning-rate", "0.1"], "--learning-rate cannot be given with --resume: a resumed run keeps"),
            (["argmax", "--resume", run, "--episodes", "3"], "only --checkpoint-every, --threads may change"),
            (["retrieve", "train", "--resume", run, "--model", "vgg"], "--model cannot be given with --resume"),
        ])
    }
}
