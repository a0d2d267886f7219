extension TrainingOptions {
    /// The `strata train` command that starts a run with these options: every option whose value is
    /// not the command's default, with the dataset's folder when it was given. Arguments with spaces
    /// or shell characters are single-quoted.
    public func commandLine() -> String {
        var arguments = ["strata", "train", "--dataset", dataset, "--model", model, "--epochs", String(epochs),
                         "--batch-size", String(batchSize)]
        func add(_ flag: String, _ value: String?) {
            if let value { arguments += [flag, value] }
        }
        if optimizer != "adam" { add("--optimizer", optimizer) }
        add("--learning-rate", learningRate.map { String($0) })
        add("--weight-decay", weightDecay.map { String($0) })
        if schedule != "constant" { add("--schedule", schedule) }
        // --decay applies only to the step and exponential schedules.
        if (schedule == "step" || schedule == "exponential") && decayFactor != 0.98 { add("--decay", String(decayFactor)) }
        if augment != "none" { add("--augment", augment) }
        if validationSplit != 0.1 { add("--validation-split", String(validationSplit)) }
        if stratified { arguments.append("--stratified") }
        add("--early-stopping", earlyStoppingPatience.map { String($0) })
        add("--dropout", modelOptions.dropout.map { String($0) })
        add("--resnet-depth", modelOptions.resnetDepth.map { String($0) })
        add("--width", modelOptions.width.map { String($0) })
        if labelSmoothing != 0 { add("--label-smoothing", String(labelSmoothing)) }
        add("--warmup-epochs", warmupEpochs.map { String($0) })
        add("--ema", emaDecay.map { String($0) })
        add("--swa-start", swaStart.map { String($0) })
        add("--tta", testTimeAugmentation.map { String($0) })
        add("--precision", precision?.rawValue)
        if syncBatchNorm == true { arguments.append("--sync-batch-norm") }
        if scaleLearningRate == true { arguments.append("--scale-learning-rate") }
        if allowNonFinite == true { arguments.append("--allow-nonfinite") }
        if seed != 42 { add("--seed", String(seed)) }
        add("--threads", threads.map { String($0) })
        add("--data-dir", dataDirectory)
        return arguments.map(Self.shellQuoted).joined(separator: " ")
    }

    /// `text` as one shell word: itself when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ text: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+")
        if !text.isEmpty && text.allSatisfy({ safe.contains($0) }) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
