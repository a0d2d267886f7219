import StrataNN

extension WeightMapping {
    /// The mapping for weights of the PyTorch `nn.Sequential` that mirrors `network` (a `Sequential`
    /// of `Dense`, `Conv2D`, `BatchNormalization` and layers without weights), saved with
    /// `safetensors.torch.save_file(model.state_dict(), path)`.
    ///
    /// Modules are numbered as `nn.Sequential` numbers them: one per Strata layer, plus one for the
    /// activation a `Dense` or `Conv2D` applies (`nn.Linear` then `nn.ReLU`). `Linear.weight` `(out, in)`
    /// is transposed; `Conv2d.weight` is OIHW as in Strata; `BatchNorm` `weight`, `bias`, `running_mean`
    /// and `running_var` become `gamma`, `beta`, `moving_mean` and `moving_variance`, and
    /// `num_batches_tracked` is ignored.
    public static func pytorch(for network: any Layer, inputShape: [Int]) throws -> WeightMapping {
        var entries: [String: Entry] = [:]
        var module = 0
        for (layer, _, _) in try flatLayers(of: network, inputShape: inputShape, source: "PyTorch") {
            let prefix = "\(module)."
            switch layer {
            case let dense as Dense:
                entries["\(dense.name).kernel"] = Entry(prefix + "weight", transform: .transpose)
                if dense.useBias { entries["\(dense.name).bias"] = Entry(prefix + "bias") }
                if dense.activation != .linear { module += 1 }
            case let conv as Conv2D:
                entries["\(conv.name).kernel"] = Entry(prefix + "weight")
                if conv.useBias { entries["\(conv.name).bias"] = Entry(prefix + "bias") }
                if conv.activation != .linear { module += 1 }
            case let normalization as BatchNormalization:
                let name = normalization.name
                entries["\(name).gamma"] = Entry(prefix + "weight")
                entries["\(name).beta"] = Entry(prefix + "bias")
                entries["\(name).moving_mean"] = Entry(prefix + "running_mean")
                entries["\(name).moving_variance"] = Entry(prefix + "running_var")
            default:
                break
            }
            module += 1
        }
        return WeightMapping(entries: entries, ignoredSuffixes: [".num_batches_tracked"])
    }

    /// The mapping for weights of the Keras `Sequential` that mirrors `network` layer for layer, with
    /// Keras's default layer names (`dense`, `dense_1`, `conv2d`, `batch_normalization`, … — the names
    /// Strata gives its layers too), saved as `<layer>/<weight>`: `dense/kernel`, `conv2d/bias`,
    /// `batch_normalization/moving_mean`.
    ///
    /// `Conv2D` kernels are HWIO and become OIHW; a `Dense` kernel after a `Flatten` of `(H, W, C)` maps
    /// has its rows reordered from Keras's channels-last flatten to Strata's channels-first one.
    public static func keras(for network: any Layer, inputShape: [Int]) throws -> WeightMapping {
        var entries: [String: Entry] = [:]
        var flattened: [Int]?   // (C, H, W) of the maps the last Flatten flattened, until a Dense uses it
        for (layer, input, _) in try flatLayers(of: network, inputShape: inputShape, source: "Keras") {
            let name = layer.name
            switch layer {
            case let dense as Dense:
                if let maps = flattened {
                    entries["\(name).kernel"] = Entry("\(name)/kernel",
                        transform: .nhwcFlattenRows(channels: maps[0], height: maps[1], width: maps[2]))
                } else {
                    entries["\(name).kernel"] = Entry("\(name)/kernel")
                }
                if dense.useBias { entries["\(name).bias"] = Entry("\(name)/bias") }
                flattened = nil
            case let conv as Conv2D:
                entries["\(name).kernel"] = Entry("\(name)/kernel", transform: .hwioToOIHW)
                if conv.useBias { entries["\(name).bias"] = Entry("\(name)/bias") }
                flattened = nil
            case is BatchNormalization:
                for weight in ["gamma", "beta", "moving_mean", "moving_variance"] {
                    entries["\(name).\(weight)"] = Entry("\(name)/\(weight)")
                }
                flattened = nil
            case is Flatten:
                flattened = input.count == 3 ? input : nil
            case is Dropout:
                break
            default:
                flattened = nil
            }
        }
        return WeightMapping(entries: entries)
    }

    /// The layers of the `Sequential` `network` with each one's input and output shapes; throws for a
    /// nested container or a layer with weights that the built-in mappings do not know.
    private static func flatLayers(of network: any Layer, inputShape: [Int],
                                   source: String) throws -> [(any Layer, [Int], [Int])] {
        guard network is Sequential else {
            throw WeightImportError.unsupportedLayer(layer: network.name, type: network.typeName, source: source)
        }
        var shape = inputShape
        var result: [(any Layer, [Int], [Int])] = []
        for layer in network.sublayers {
            let known = layer is Dense || layer is Conv2D || layer is BatchNormalization
            guard layer.sublayers.isEmpty, known || (layer.parameters.isEmpty && layer.buffers.isEmpty) else {
                throw WeightImportError.unsupportedLayer(layer: layer.name, type: layer.typeName, source: source)
            }
            let output = try layer.outputShape(for: shape)
            result.append((layer, shape, output))
            shape = output
        }
        return result
    }
}
