#!/usr/bin/env python3
"""Keras 3 (TensorFlow backend, CPU) reference for `strata-bench`: same models, batches, optimizers, timing.

    bench/reference/.venv/bin/python bench/reference/keras_bench.py [--quick] [--only a,b] [--threads N] [--xla]

The default path users know: `model.compile(...)` then `model.train_on_batch(x, y)` (one compiled
`tf.function` train step per call; inference rows use `model.predict_on_batch`). With Keras's default
`jit_compile="auto"`, XLA is off on a CPU-only machine, so this is framework `keras`. With `--xla`, each
row is timed again with `jit_compile=True`, reported as framework `keras-xla`.

Layout: channels_last (N, H, W, C), TensorFlow's native and fastest layout on CPU (its oneDNN
kernels); the models are otherwise layer for layer those of Benchmarks/Bench/main.swift. Inputs are
made `tf.Tensor`s once, so no NumPy-to-tensor copy is timed. Threads: TensorFlow's intra-op pool of N
threads and an inter-op pool of 1 (set before any op runs).

Prints one JSON line per row on standard output (see benchcommon.py); progress goes to standard error.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported: quiet start-up
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from benchcommon import ROWS, emit, log, parse_options, time_steps  # noqa: E402


def build_models(keras):
    """The models by row, each a function of nothing that returns (model, per-example input shape)."""
    layers = keras.layers

    def sequential(shape, *stack):
        return keras.Sequential([keras.Input(shape), *stack])

    def conv_bn_relu(x, filters, strides=1):
        x = layers.Conv2D(filters, 3, strides=strides, padding="same", use_bias=False)(x)
        return layers.ReLU()(layers.BatchNormalization()(x))

    def vgg():
        inputs = keras.Input((28, 28, 1))
        x = conv_bn_relu(conv_bn_relu(inputs, 32), 32)
        x = layers.MaxPool2D(2, padding="same")(x)
        x = conv_bn_relu(conv_bn_relu(x, 64), 64)
        x = layers.MaxPool2D(2, padding="same")(x)
        x = layers.MaxPool2D(2, padding="same")(conv_bn_relu(x, 128))  # 7 → 4
        x = layers.Dropout(0.5)(layers.Dense(256, activation="relu")(layers.Flatten()(x)))
        return keras.Model(inputs, layers.Dense(10)(x))

    def resnet20(blocks_per_stage=3, widths=(16, 32, 64)):
        inputs = keras.Input((28, 28, 1))
        x = conv_bn_relu(inputs, widths[0])
        for stage, width in enumerate(widths):
            for block in range(blocks_per_stage):
                strides = 2 if stage > 0 and block == 0 else 1
                shortcut = x
                if stage > 0 and block == 0:
                    shortcut = layers.Conv2D(width, 1, strides=strides, use_bias=False)(x)
                    shortcut = layers.BatchNormalization()(shortcut)
                y = conv_bn_relu(x, width, strides)
                y = layers.BatchNormalization()(layers.Conv2D(width, 3, padding="same", use_bias=False)(y))
                x = layers.ReLU()(layers.Add()([y, shortcut]))
        x = layers.GlobalAveragePooling2D()(x)
        return keras.Model(inputs, layers.Dense(10)(x))

    def argmax():
        inputs = keras.Input((10,))
        x = inputs
        for _ in range(3):
            x = layers.Add()([x, layers.Dense(10)(layers.Dense(60, activation="relu")(x))])
        return keras.Model(inputs, layers.Dense(1)(x))

    return {
        # Dense on each image row, twice, then Flatten and Dense(10): 9,474 parameters.
        "mlp-small": lambda: sequential((28, 28), layers.Dense(28, activation="relu"),
                                        layers.Dense(28, activation="relu"), layers.Flatten(), layers.Dense(10)),
        "mlp512": lambda: sequential((784,), layers.Dense(512, activation="relu"), layers.Dropout(0.2),
                                     layers.Dense(512, activation="relu"), layers.Dropout(0.2), layers.Dense(10)),
        "dense128-b16": lambda: sequential((784,), layers.Dense(128, activation="relu"), layers.Dense(10)),
        # 28 → 12 → 4 with valid padding.
        "ranknet": lambda: sequential((28, 28, 1), layers.Conv2D(8, 5, strides=2, activation="relu"),
                                      layers.Conv2D(16, 5, strides=2, activation="relu"), layers.Flatten(),
                                      layers.Dense(10, activation="relu"), layers.Dense(1)),
        "vgg": vgg,
        "resnet20": resnet20,
        "argmax": argmax,
    }


def make_step(keras, tf, row: str, jit_compile):
    """One training (or, for argmax, inference) step of `row`, compiled the Keras way."""
    model = build_models(keras)[row]()
    batch = ROWS[row][0]
    shape = tuple(model.inputs[0].shape[1:])
    generator = tf.random.Generator.from_seed(1)
    optimizers = {"mlp512": lambda: keras.optimizers.RMSprop(1e-3),
                  "resnet20": lambda: keras.optimizers.SGD(0.1, momentum=0.9)}
    optimizer = optimizers.get(row, lambda: keras.optimizers.Adam(1e-3))()

    if row == "argmax":
        model.compile(jit_compile=jit_compile)
        inputs = generator.uniform((batch, *shape))
        return lambda: model.predict_on_batch(inputs)

    if row == "ranknet":
        # The scorer shared by both images of each pair, BCE with logits on the score difference.
        a_input, b_input = keras.Input(shape), keras.Input(shape)
        difference = keras.layers.Subtract()([model(a_input), model(b_input)])
        pair_model = keras.Model([a_input, b_input], difference)
        pair_model.compile(optimizer=optimizer, loss=keras.losses.BinaryCrossentropy(from_logits=True),
                           jit_compile=jit_compile)
        a, b = generator.uniform((batch, *shape)), generator.uniform((batch, *shape))
        targets = tf.cast(generator.uniform((batch, 1)) > 0.5, tf.float32)
        return lambda: pair_model.train_on_batch([a, b], targets)

    model.compile(optimizer=optimizer, loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=jit_compile)
    inputs = generator.uniform((batch, *shape))
    labels = tf.constant([i % 10 for i in range(batch)], dtype=tf.int32)
    return lambda: model.train_on_batch(inputs, labels)


def main() -> None:
    options = parse_options(__doc__.splitlines()[0], lambda parser: parser.add_argument(
        "--xla", action="store_true", help="also time each row with jit_compile=True (framework keras-xla)"))
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(options.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras
    keras.config.set_image_data_format("channels_last")
    log(f"keras_bench: keras {keras.__version__}, tensorflow {tf.__version__}, {options.threads} intra-op threads")
    variants = [("keras", "auto")] + ([("keras-xla", True)] if options.extra.xla else [])
    for row in options.rows:
        for framework, jit_compile in variants:
            keras.utils.set_random_seed(0)
            timing = time_steps(make_step(keras, tf, row, jit_compile), options.minimum_seconds)
            emit(framework, row, timing, options.threads,
                 version=f"Keras {keras.__version__}, TensorFlow {tf.__version__}")
            keras.backend.clear_session()


if __name__ == "__main__":
    main()
