#!/usr/bin/env python3
"""Writes Tests/StrataInteropTests/Fixtures: catalog models trained one epoch in PyTorch and in Keras.

For each model in --models and each framework it trains the reference model below for one epoch on the
first 6,000 MNIST training images ($STRATA_DATA/mnist), saves its weights as safetensors the way a user
would (PyTorch: the state_dict; Keras: `<layer>/<weight>` names, see docs/interop.md) and the logits of the
first 64 test images. It also writes images.safetensors (those 64 images as bytes, and their labels) and
keras-same-padding.safetensors (a stride-2 Conv2D and a MaxPooling2D with padding="same" on an input
where Keras pads only the bottom and right).

The reference models are the PyTorch `nn.Sequential` and Keras `Sequential` equivalents of Strata's
catalog models for 28×28 single-channel images and 10 classes; `strata import` maps their weights by the
order of layers (PyTorch) and by Keras's default layer names. Copy them to train a model Strata can import.

Run with bench/reference/.venv/bin/python (torch and Keras 3 on TensorFlow):
    STRATA_DATA=/path/to/data KERAS_BACKEND=tensorflow python scripts/make-import-fixtures.py
"""
import argparse, gzip, json, os, struct, subprocess, sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np

# torch and TensorFlow each bring their own LLVM and cannot share a process: main() runs one process
# per framework (--framework), and only that framework is imported.
FRAMEWORK = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--framework=")), None)
if FRAMEWORK == "pytorch":
    import torch
    from torch import nn
elif FRAMEWORK == "keras":
    import keras
    from keras import layers

# ----------------------------------------------------------------------------------------------------
# PyTorch reference models (input: (N, 1, 28, 28) for cnn/vgg, (N, 28, 28) for mlp-small, (N, 784) else).
# ----------------------------------------------------------------------------------------------------

def torch_block(cin, cout, stride=1):
    return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

def torch_model(name, classes=10):
    if name == "mlp-small":
        return nn.Sequential(nn.Linear(28, 28), nn.ReLU(), nn.Linear(28, 28), nn.ReLU(), nn.Flatten(),
                             nn.Linear(784, classes))
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 512), nn.ReLU(),
                             nn.Dropout(0.2), nn.Linear(512, classes))
    if name == "dense128":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, classes))
    if name == "cnn":
        return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.2), nn.Linear(64 * 5 * 5, classes))
    if name in ("vgg", "vgg-allconv"):
        allconv = name == "vgg-allconv"
        # Strata's "same" puts an odd padding row at the top/left, as padding=1 does: 28 → 14 → 7 → 4.
        def down(c, last=False):
            if allconv:
                return torch_block(c, c, stride=2)
            return [nn.MaxPool2d(2, padding=1 if last else 0)]
        return nn.Sequential(*torch_block(1, 32), *torch_block(32, 32), *down(32),
                             *torch_block(32, 64), *torch_block(64, 64), *down(64),
                             *torch_block(64, 128), *down(128, last=True),
                             nn.Flatten(), nn.Linear(128 * 4 * 4, 256), nn.ReLU(), nn.Dropout(0.5),
                             nn.Linear(256, classes))
    raise ValueError(name)

# ----------------------------------------------------------------------------------------------------
# Keras reference models (channels last: (N, 28, 28, 1) for cnn/vgg, (N, 28, 28) for mlp-small, (N, 784)
# else). Build each in a fresh session (keras.backend.clear_session()) so the layers get the default
# names dense, dense_1, conv2d, batch_normalization, … that the built-in mapping expects.
# ----------------------------------------------------------------------------------------------------

def keras_block(c, strides=1):
    return [layers.Conv2D(c, 3, strides=strides, padding="same", use_bias=False), layers.BatchNormalization(),
            layers.ReLU()]

def keras_model(name, classes=10):
    keras.backend.clear_session()
    if name == "mlp-small":
        return keras.Sequential([keras.Input((28, 28)), layers.Dense(28, activation="relu"),
                                 layers.Dense(28, activation="relu"), layers.Flatten(), layers.Dense(classes)])
    if name == "mlp":
        return keras.Sequential([keras.Input((784,)), layers.Dense(512, activation="relu"), layers.Dropout(0.2),
                                 layers.Dense(512, activation="relu"), layers.Dropout(0.2), layers.Dense(classes)])
    if name == "dense128":
        return keras.Sequential([keras.Input((784,)), layers.Dense(128, activation="relu"), layers.Dense(classes)])
    if name == "cnn":
        return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                                 layers.MaxPooling2D(2), layers.Conv2D(64, 3, activation="relu"),
                                 layers.MaxPooling2D(2), layers.Flatten(), layers.Dropout(0.2), layers.Dense(classes)])
    if name in ("vgg", "vgg-allconv"):
        allconv = name == "vgg-allconv"
        def down(c):
            return keras_block(c, strides=2) if allconv else [layers.MaxPooling2D(2, padding="same")]
        return keras.Sequential([keras.Input((28, 28, 1)), *keras_block(32), *keras_block(32), *down(32),
                                 *keras_block(64), *keras_block(64), *down(64), *keras_block(128), *down(128),
                                 layers.Flatten(), layers.Dense(256, activation="relu"), layers.Dropout(0.5),
                                 layers.Dense(classes)])
    raise ValueError(name)

def keras_tensors(model):
    """Keras weights as {"<layer>/<weight>": array}: what docs/interop.md's conversion writes."""
    return {"/".join(w.path.split("/")[-2:]): np.asarray(keras.ops.convert_to_numpy(w), dtype=np.float32)
            for w in model.weights}

# ----------------------------------------------------------------------------------------------------

def save_safetensors(tensors, path):
    """A minimal safetensors writer (F32, U8, I64), so the script needs no safetensors package."""
    dtypes = {np.dtype(np.float32): "F32", np.dtype(np.uint8): "U8", np.dtype(np.int64): "I64"}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name])
        data = array.tobytes()
        header[name] = {"dtype": dtypes[array.dtype], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)

def read_idx(path):
    with gzip.open(path) if str(path).endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)

def mnist(folder, part):
    prefix = "train" if part == "train" else "t10k"
    def find(kind):
        for suffix in ("-idx3-ubyte" if kind == "images" else "-idx1-ubyte",):
            for ext in (".gz", ""):
                path = folder / f"{prefix}-{kind}{suffix}{ext}"
                if path.exists():
                    return path
        raise SystemExit(f"no MNIST {part} {kind} in {folder}")
    return read_idx(find("images")), read_idx(find("labels"))

def layout(name, images):
    """Bytes (N, 28, 28) as the model's input, scaled to [0, 1] as Strata does (channels first for torch)."""
    x = images.astype(np.float32) / np.float32(255)
    if name == "mlp-small":
        return x, x
    if name in ("mlp", "dense128"):
        flat = x.reshape(len(x), -1)
        return flat, flat
    return x[:, None, :, :], x[:, :, :, None]

def train_torch(name, x, y):
    torch.manual_seed(0)
    model = torch_model(name)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    xs, ys = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    order = torch.randperm(len(xs))
    for start in range(0, len(xs), 64):
        batch = order[start:start + 64]
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(xs[batch]), ys[batch]).backward()
        optimizer.step()
    return model.eval()

def train_keras(name, x, y):
    keras.utils.set_random_seed(0)
    model = keras_model(name)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y.astype(np.int64), batch_size=64, epochs=1, verbose=0)
    return model

def same_padding_fixture(path):
    """Keras's "same" on inputs where the padding is odd: the extra row and column go bottom/right."""
    keras.backend.clear_session()
    rng = np.random.default_rng(0)
    conv_input = rng.standard_normal((2, 8, 8, 3)).astype(np.float32)   # even input, stride 2, 3×3 kernel
    conv = layers.Conv2D(4, 3, strides=2, padding="same")
    conv_output = np.asarray(conv(conv_input))
    kernel, bias = (np.asarray(keras.ops.convert_to_numpy(w)) for w in conv.weights)
    pool_input = rng.standard_normal((2, 7, 7, 3)).astype(np.float32)   # odd input, 2×2 window, stride 2
    pool_output = np.asarray(layers.MaxPooling2D(2, padding="same")(pool_input))
    nchw = lambda a: np.ascontiguousarray(a.transpose(0, 3, 1, 2))
    save_safetensors({"conv.input": nchw(conv_input), "conv.kernel": kernel.astype(np.float32),
                      "conv.bias": bias.astype(np.float32), "conv.output": nchw(conv_output),
                      "pool.input": nchw(pool_input), "pool.output": nchw(pool_output)}, path)

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="mlp-small,dense128,cnn")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "Tests/StrataInteropTests/Fixtures"))
    parser.add_argument("--train-images", type=int, default=6000)
    parser.add_argument("--framework", choices=["pytorch", "keras"], help="(internal) one framework per process")
    args = parser.parse_args()
    data = Path(os.environ.get("STRATA_DATA", "/work/shared/data")) / "mnist"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.framework is None:
        for framework in ("pytorch", "keras"):
            subprocess.run([sys.executable, __file__, f"--framework={framework}", "--models", args.models,
                            "--out", str(out), "--train-images", str(args.train_images)], check=True)
        return
    train_images, train_labels = mnist(data, "train")
    test_images, test_labels = mnist(data, "test")
    train_images, train_labels = train_images[:args.train_images], train_labels[:args.train_images]
    test_images, test_labels = test_images[:64], test_labels[:64]
    if args.framework == "pytorch":
        torch.set_num_threads(2)
        save_safetensors({"images": np.ascontiguousarray(test_images), "labels": test_labels.astype(np.int64)},
                         out / "images.safetensors")
    else:
        same_padding_fixture(out / "keras-same-padding.safetensors")
    for name in args.models.split(","):
        torch_x, keras_x = layout(name, train_images)
        torch_test, keras_test = layout(name, test_images)
        if args.framework == "pytorch":
            model = train_torch(name, torch_x, train_labels)
            save_safetensors({k: v.numpy() for k, v in model.state_dict().items()}, out / f"pytorch-{name}.safetensors")
            with torch.no_grad():
                logits = model(torch.from_numpy(torch_test)).numpy()
        else:
            model = train_keras(name, keras_x, train_labels)
            save_safetensors(keras_tensors(model), out / f"keras-{name}.safetensors")
            logits = np.asarray(model(keras_test, training=False))
        save_safetensors({"logits": logits}, out / f"{args.framework}-{name}.logits.safetensors")
        print(f"{args.framework} {name}: wrote {out}/{args.framework}-{name}.safetensors")

if __name__ == "__main__":
    main()
