#!/usr/bin/env python3
"""Keras 3 (TensorFlow or JAX backend, CPU) reference for `strata-bench`: same models, batches, optimizers, timing.

    bench/reference/.venv/bin/python bench/reference/keras_bench.py [--quick] [--only a,b] [--threads N] [--xla]
    bench/reference/.venv/bin/python bench/reference/keras_bench.py --backend jax [--quick] [--only a,b] [--threads N]

The default path users know: `model.compile(...)` then `model.train_on_batch(x, y)` (one compiled
train step per call; inference rows use `model.predict_on_batch`).
* `--backend tensorflow` (the default): a `tf.function` train step. With Keras's default
  `jit_compile="auto"`, XLA is off on a CPU-only machine, so this is framework `keras`. With `--xla`,
  each row is timed again with `jit_compile=True`, reported as framework `keras-xla`.
* `--backend jax`: framework `keras-jax`, the jitted train step that `model.fit` runs under JAX
  (`model.stateless_call`, `jax.value_and_grad`, `optimizer.stateless_apply` in one `jax.jit` with the
  state donated and kept on the device between steps; inference: a jitted `stateless_call`).
  `train_on_batch` under JAX copies every variable back into the model and the logs to NumPy after each
  step, an overhead that `fit` does not have, so it would understate Keras on JAX. Keras reads its
  backend when it is imported, so each backend runs as its own process (bench/compare starts one per
  backend).

Layout: channels_last (N, H, W, C), TensorFlow's native and fastest layout on CPU (its oneDNN
kernels), and XLA's; the models are otherwise layer for layer those of Benchmarks/Bench/main.swift.
Inputs are made backend tensors once, so no NumPy-to-tensor copy is timed. Threads: TensorFlow's
intra-op pool of N threads and an inter-op pool of 1 (set before any op runs); under JAX, XLA's CPU
client sizes its thread pool from the CPUs the process may run on, so the process is restricted to
N CPUs (`os.sched_setaffinity`) before JAX is imported.

Prints one JSON line per row on standard output (see benchcommon.py); progress goes to standard error.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported: quiet start-up

from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402

from benchcommon import ROWS, emit, inference_model, log, parse_options, time_row  # noqa: E402


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

    def cnn():  # 28 → 26 → 13 → 11 → 5 with valid padding
        return sequential((28, 28, 1), layers.Conv2D(32, 3, activation="relu"), layers.MaxPool2D(2),
                          layers.Conv2D(64, 3, activation="relu"), layers.MaxPool2D(2), layers.Flatten(),
                          layers.Dropout(0.2), layers.Dense(10))

    def mlp512():
        return sequential((784,), layers.Dense(512, activation="relu"), layers.Dropout(0.2),
                          layers.Dense(512, activation="relu"), layers.Dropout(0.2), layers.Dense(10))

    return {
        # Dense on each image row, twice, then Flatten and Dense(10): 9,474 parameters.
        "mlp-small": lambda: sequential((28, 28), layers.Dense(28, activation="relu"),
                                        layers.Dense(28, activation="relu"), layers.Flatten(), layers.Dense(10)),
        "mlp512": mlp512,
        "dense128-b16": lambda: sequential((784,), layers.Dense(128, activation="relu"), layers.Dense(10)),
        # 28 → 12 → 4 with valid padding.
        "ranknet": lambda: sequential((28, 28, 1), layers.Conv2D(8, 5, strides=2, activation="relu"),
                                      layers.Conv2D(16, 5, strides=2, activation="relu"), layers.Flatten(),
                                      layers.Dense(10, activation="relu"), layers.Dense(1)),
        "vgg": vgg,
        "resnet20": resnet20,
        "argmax": argmax,
        # The inference rows' models (benchcommon.INFERENCE_MODELS); `mlp` is mlp512's network.
        "mlp": mlp512,
        "cnn": cnn,
    }


@dataclass
class RowProblem:
    """A row's Keras model with its optimizer, loss and batch, made once; inference rows have no optimizer."""

    model: object
    inputs: object  # a backend tensor; for ranknet a list of two
    optimizer: object | None = None
    loss: object | None = None
    targets: object | None = None


def row_problem(keras, row: str) -> RowProblem:
    """The model, optimizer, loss and batch of `row`, as in strata-bench; for ranknet the pair model."""
    model = build_models(keras)[inference_model(row) or row]()
    batch = ROWS[row][0]
    shape = tuple(model.inputs[0].shape[1:])
    generator = np.random.default_rng(1)

    def uniform(*dimensions):  # a backend tensor, made once
        return keras.ops.convert_to_tensor(generator.random(dimensions, dtype=np.float32))

    if row == "argmax" or inference_model(row):
        return RowProblem(model, uniform(batch, *shape))
    optimizers = {"mlp512": lambda: keras.optimizers.RMSprop(1e-3),
                  "resnet20": lambda: keras.optimizers.SGD(0.1, momentum=0.9)}
    optimizer = optimizers.get(row, lambda: keras.optimizers.Adam(1e-3))()
    if row == "ranknet":
        # The scorer shared by both images of each pair, BCE with logits on the score difference.
        a_input, b_input = keras.Input(shape), keras.Input(shape)
        difference = keras.layers.Subtract()([model(a_input), model(b_input)])
        return RowProblem(keras.Model([a_input, b_input], difference), [uniform(batch, *shape), uniform(batch, *shape)],
                          optimizer, keras.losses.BinaryCrossentropy(from_logits=True),
                          keras.ops.cast(uniform(batch, 1) > 0.5, "float32"))
    return RowProblem(model, uniform(batch, *shape), optimizer,
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      keras.ops.convert_to_tensor(np.arange(batch, dtype=np.int32) % 10))


def compiled_step(problem: RowProblem, jit_compile):
    """The step the Keras way: `model.compile`, then `train_on_batch` (inference: `predict_on_batch`)."""
    model = problem.model
    if problem.optimizer is None:
        model.compile(jit_compile=jit_compile)
        return lambda: model.predict_on_batch(problem.inputs)
    model.compile(optimizer=problem.optimizer, loss=problem.loss, jit_compile=jit_compile)
    return lambda: model.train_on_batch(problem.inputs, problem.targets)


def jax_step(jax, problem: RowProblem):
    """The step as `model.fit` runs it under JAX: one `jax.jit` function of the whole state (parameters,
    non-trainable state, optimizer slots; donated, as Keras's JAX trainer does), kept on the device
    between steps; inference is a jitted `stateless_call`. Each step waits for its result."""
    model = problem.model
    trainable = [variable.value for variable in model.trainable_variables]
    non_trainable = [variable.value for variable in model.non_trainable_variables]
    if problem.optimizer is None:
        predict = jax.jit(lambda t, n, x: model.stateless_call(t, n, x, training=False)[0])
        return lambda: predict(trainable, non_trainable, problem.inputs).block_until_ready()

    optimizer = problem.optimizer
    optimizer.build(model.trainable_variables)

    def loss_and_state(trainable, non_trainable, inputs, targets):
        outputs, non_trainable = model.stateless_call(trainable, non_trainable, inputs, training=True)
        return problem.loss(targets, outputs), non_trainable

    gradient = jax.value_and_grad(loss_and_state, has_aux=True)

    def train(state, inputs, targets):
        trainable, non_trainable, slots = state
        (loss, non_trainable), gradients = gradient(trainable, non_trainable, inputs, targets)
        trainable, slots = optimizer.stateless_apply(slots, gradients, trainable)
        return loss, (trainable, non_trainable, slots)

    train = jax.jit(train, donate_argnums=0)
    state = (trainable, non_trainable, [variable.value for variable in optimizer.variables])

    def step() -> None:
        nonlocal state
        loss, state = train(state, problem.inputs, problem.targets)
        loss.block_until_ready()
    return step


def add_arguments(parser) -> None:
    """The options beside benchcommon's: --backend and --xla."""
    parser.add_argument("--backend", choices=("tensorflow", "jax"), default="tensorflow",
                        help="Keras backend (default tensorflow); jax is framework keras-jax")
    parser.add_argument("--xla", action="store_true",
                        help="TensorFlow backend: also time each row with jit_compile=True (framework keras-xla)")


def start_tensorflow(threads: int, xla: bool) -> tuple[str, list]:
    """Imports TensorFlow with N intra-op threads and 1 inter-op thread; returns its version and the
    variants to time, as (framework, step of a RowProblem)."""
    import tensorflow as tf
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    variants = [("keras", lambda problem: compiled_step(problem, "auto"))]
    if xla:
        variants.append(("keras-xla", lambda problem: compiled_step(problem, True)))
    return f"TensorFlow {tf.__version__}", variants


def start_jax(threads: int, xla: bool) -> tuple[str, list]:
    """Imports JAX on N CPUs: XLA's CPU client makes its thread pool as large as the process's CPU
    affinity, so the process is first limited to N CPUs. Returns its version and the variant to time."""
    if xla:
        raise SystemExit("keras_bench: --xla is for the TensorFlow backend; under JAX every step is compiled by XLA")
    cpus = sorted(os.sched_getaffinity(0))
    if threads < len(cpus):
        os.sched_setaffinity(0, cpus[:threads])
    import jax
    jax.config.update("jax_platforms", "cpu")
    return f"JAX {jax.__version__}", [("keras-jax", lambda problem: jax_step(jax, problem))]


def main() -> None:
    options = parse_options(__doc__.splitlines()[0], add_arguments)
    backend = options.extra.backend
    os.environ["KERAS_BACKEND"] = backend  # read once, when keras is imported
    start = start_jax if backend == "jax" else start_tensorflow
    version, variants = start(options.threads, options.extra.xla)
    import keras
    keras.config.set_image_data_format("channels_last")
    log(f"keras_bench: keras {keras.__version__} on {version}, {options.threads} threads")
    for row in options.rows:
        for framework, make_step in variants:
            keras.utils.set_random_seed(0)
            timing = time_row(row, make_step(row_problem(keras, row)), options.minimum_seconds)
            emit(framework, row, timing, options.threads, version=f"Keras {keras.__version__}, {version}")
            keras.backend.clear_session()


if __name__ == "__main__":
    main()
