#!/usr/bin/env python3
"""PyTorch reference for `strata-bench`: the same models, batches, optimizers and timing rule.

    bench/reference/.venv/bin/python bench/reference/pytorch_bench.py [--quick] [--only a,b] [--threads N] [--compile] [--bf16]

Eager mode, the standard loop (`optimizer.zero_grad(); loss.backward(); optimizer.step()`), NCHW
(PyTorch's native layout on CPU). Threads: `torch.set_num_threads(N)`, `torch.set_num_interop_threads(1)`.
With `--compile`, each row is timed a second time with `torch.compile(model)`, reported as
framework `pytorch-compile` (compiling happens in the warm-up steps and is not timed).
With `--bf16`, the forward pass and the loss of training rows (and the inference rows' forward pass) run
under `torch.autocast("cpu", dtype=torch.bfloat16)`: PyTorch's CPU mixed precision, what `strata-bench
--precision bf16` is compared with (the records say `"precision": "bf16"`).
Inference rows (`cnn-infer-b1`, `cnn-infer-b256`, …): the model in `eval()` mode, called under
`torch.inference_mode()`; the batch-1 rows report the median call (see benchcommon.py).

Prints one JSON line per row on standard output (see benchcommon.py); progress goes to standard error.
Layer for layer as Benchmarks/Bench/main.swift and Sources/StrataExperiments/ModelCatalog.swift;
initialization and optimizer hyperparameters other than the learning rate don't change the speed.
"""
from __future__ import annotations

import contextlib

import torch
from torch import nn

from benchcommon import ROWS, emit, inference_model, log, parse_options, time_row


# ----- models (input layout (N, C, H, W); Keras "same" padding is PyTorch padding=k//2 here) -----

def mlp_small() -> nn.Module:
    """Dense(28) on each image row, twice, then Flatten and Dense(10): 9,474 parameters."""
    return nn.Sequential(nn.Linear(28, 28), nn.ReLU(), nn.Linear(28, 28), nn.ReLU(), nn.Flatten(), nn.Linear(784, 10))


def mlp512() -> nn.Module:
    """784 → 512 → ReLU → Dropout(0.2) → 512 → ReLU → Dropout(0.2) → 10."""
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Dropout(0.2),
                         nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10))


def dense128() -> nn.Module:
    """784 → 128 → ReLU → 10."""
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn() -> nn.Module:
    """Conv(32, 3×3)-ReLU, pool, Conv(64, 3×3)-ReLU, pool, Flatten, Dropout(0.2), Dense(10).

    28 → 26 → 13 → 11 → 5 with valid padding: 34,826 parameters."""
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.2), nn.Linear(64 * 5 * 5, 10))


def rank_scorer() -> nn.Module:
    """Conv(8, 5×5, stride 2)-ReLU → Conv(16, 5×5, stride 2)-ReLU → Flatten → Dense(10)-ReLU → Dense(1).

    28×28 → 12×12 → 4×4 with valid padding."""
    return nn.Sequential(nn.Conv2d(1, 8, 5, stride=2), nn.ReLU(), nn.Conv2d(8, 16, 5, stride=2), nn.ReLU(),
                         nn.Flatten(), nn.Linear(16 * 4 * 4, 10), nn.ReLU(), nn.Linear(10, 1))


def conv_bn_relu(inputs: int, filters: int, stride: int = 1) -> list[nn.Module]:
    """Conv 3×3 "same" without bias, batch norm (Keras's eps 1e-3, momentum 0.99), ReLU."""
    return [nn.Conv2d(inputs, filters, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(filters, eps=1e-3, momentum=0.01), nn.ReLU()]


def vgg() -> nn.Module:
    """[Conv-BN-ReLU]×2 (32), pool, [Conv-BN-ReLU]×2 (64), pool, Conv-BN-ReLU (128), pool (7→4),
    Flatten, Dense(256)-ReLU-Dropout(0.5), Dense(10)."""
    pool = lambda: nn.MaxPool2d(2, ceil_mode=True)  # Keras MaxPool2D(2, padding="same"): 28→14→7→4
    return nn.Sequential(*conv_bn_relu(1, 32), *conv_bn_relu(32, 32), pool(),
                         *conv_bn_relu(32, 64), *conv_bn_relu(64, 64), pool(),
                         *conv_bn_relu(64, 128), pool(),
                         nn.Flatten(), nn.Linear(128 * 4 * 4, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))


class BasicBlock(nn.Module):
    """Conv3×3-BN-ReLU-Conv3×3-BN plus the shortcut (identity, or Conv1×1 stride 2 + BN), then ReLU."""

    def __init__(self, inputs: int, width: int, stride: int):
        super().__init__()
        self.block = nn.Sequential(*conv_bn_relu(inputs, width, stride),
                                   nn.Conv2d(width, width, 3, padding=1, bias=False),
                                   nn.BatchNorm2d(width, eps=1e-3, momentum=0.01))
        self.shortcut = (nn.Sequential(nn.Conv2d(inputs, width, 1, stride=stride, bias=False),
                                       nn.BatchNorm2d(width, eps=1e-3, momentum=0.01))
                         if stride != 1 or inputs != width else nn.Identity())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.block(x) + self.shortcut(x))


def resnet20(blocks_per_stage: int = 3, widths: tuple[int, ...] = (16, 32, 64)) -> nn.Module:
    """ResNet 6n+2 (n=3): stem Conv-BN-ReLU(16), three stages of basic blocks, global average pool, Dense(10)."""
    layers: list[nn.Module] = [*conv_bn_relu(1, widths[0])]
    inputs = widths[0]
    for stage, width in enumerate(widths):
        for block in range(blocks_per_stage):
            layers.append(BasicBlock(inputs, width, 2 if stage > 0 and block == 0 else 1))
            inputs = width
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(inputs, 10)]
    return nn.Sequential(*layers)


class ArgmaxNet(nn.Module):
    """Three residual blocks x + Dense(10)(ReLU(Dense(60)(x))), then Dense(1)."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList(nn.Sequential(nn.Linear(10, 60), nn.ReLU(), nn.Linear(60, 10)) for _ in range(3))
        self.head = nn.Linear(10, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = x + block(x)
        return self.head(x)


# ----- rows -----

CLASSIFIERS = {
    # row: (model, per-example input shape, optimizer)
    "mlp-small": (mlp_small, (28, 28), lambda p: torch.optim.Adam(p, lr=1e-3)),
    "mlp512": (mlp512, (784,), lambda p: torch.optim.RMSprop(p, lr=1e-3)),
    "dense128-b16": (dense128, (784,), lambda p: torch.optim.Adam(p, lr=1e-3)),
    "vgg": (vgg, (1, 28, 28), lambda p: torch.optim.Adam(p, lr=1e-3)),
    "resnet20": (resnet20, (1, 28, 28), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
}


# The inference rows' models by name (benchcommon.INFERENCE_MODELS): (model, per-example input shape).
INFERENCE = {
    "mlp": (mlp512, (784,)),
    "cnn": (cnn, (1, 28, 28)),
    "vgg": (vgg, (1, 28, 28)),
    "resnet20": (resnet20, (1, 28, 28)),
}


def maybe_compile(model: nn.Module, compiled: bool) -> nn.Module:
    return torch.compile(model) if compiled else model


# Set by --bf16: the forward passes and losses run under CPU autocast in bfloat16.
BF16 = False


def precision():
    """torch.autocast("cpu", bfloat16) under --bf16, else nothing."""
    return torch.autocast("cpu", dtype=torch.bfloat16) if BF16 else contextlib.nullcontext()


def classifier_step(row: str, compiled: bool):
    """A training step of a classifier: softmax cross-entropy from logits on integer labels."""
    make, shape, make_optimizer = CLASSIFIERS[row]
    batch = ROWS[row][0]
    model = make().train()
    optimizer = make_optimizer(model.parameters())
    forward = maybe_compile(model, compiled)
    generator = torch.Generator().manual_seed(1)
    inputs = torch.rand((batch, *shape), generator=generator)
    labels = torch.arange(batch) % 10
    loss_function = nn.CrossEntropyLoss()

    def step() -> None:
        optimizer.zero_grad()
        with precision():
            loss = loss_function(forward(inputs), labels)
        loss.backward()
        optimizer.step()
    return step


def ranknet_step(compiled: bool):
    """The scorer on both images of each pair; BCE with logits on the score difference."""
    pairs = ROWS["ranknet"][0]
    scorer = rank_scorer().train()
    optimizer = torch.optim.Adam(scorer.parameters(), lr=1e-3)
    forward = maybe_compile(scorer, compiled)
    generator = torch.Generator().manual_seed(2)
    a = torch.rand((pairs, 1, 28, 28), generator=generator)
    b = torch.rand((pairs, 1, 28, 28), generator=generator)
    targets = (torch.rand((pairs, 1), generator=generator) > 0.5).float()
    loss_function = nn.BCEWithLogitsLoss()

    def step() -> None:
        optimizer.zero_grad()
        with precision():
            loss = loss_function(forward(a) - forward(b), targets)
        loss.backward()
        optimizer.step()
    return step


def argmax_step(compiled: bool):
    """Inference (no autograd) on a batch of 500 score vectors."""
    model = ArgmaxNet().eval()
    forward = maybe_compile(model, compiled)
    inputs = torch.rand((ROWS["argmax"][0], 10), generator=torch.Generator().manual_seed(3))

    def step() -> None:
        with torch.no_grad(), precision():
            forward(inputs)
    return step


def inference_step(row: str, compiled: bool):
    """A forward pass of an inference row's model, in eval mode under torch.inference_mode()."""
    make, shape = INFERENCE[inference_model(row)]
    model = make().eval()
    forward = maybe_compile(model, compiled)
    inputs = torch.rand((ROWS[row][0], *shape), generator=torch.Generator().manual_seed(4))

    def step() -> None:
        with torch.inference_mode(), precision():
            forward(inputs)
    return step


def make_step(row: str, compiled: bool):
    if inference_model(row):
        return inference_step(row, compiled)
    if row == "ranknet":
        return ranknet_step(compiled)
    if row == "argmax":
        return argmax_step(compiled)
    return classifier_step(row, compiled)


def add_arguments(parser) -> None:
    parser.add_argument("--compile", action="store_true", help="also time each row with torch.compile (framework pytorch-compile)")
    parser.add_argument("--bf16", action="store_true", help="run under torch.autocast('cpu', dtype=torch.bfloat16)")


def main() -> None:
    global BF16
    options = parse_options(__doc__.splitlines()[0], add_arguments)
    BF16 = options.extra.bf16
    torch.set_num_threads(options.threads)
    torch.set_num_interop_threads(1)
    log(f"pytorch_bench: torch {torch.__version__}, {torch.get_num_threads()} threads")
    variants = [("pytorch", False)] + ([("pytorch-compile", True)] if options.extra.compile else [])
    for row in options.rows:
        for framework, compiled in variants:
            torch.manual_seed(0)
            try:
                timing = time_row(row, make_step(row, compiled), options.minimum_seconds)
            except Exception as error:  # torch.compile needs a C++ compiler; report and go on
                log(f"pytorch_bench: {framework} {row} failed: {type(error).__name__}: {error}")
                continue
            emit(framework, row, timing, options.threads, version=torch.__version__,
                 **({"precision": "bf16"} if BF16 else {}))


if __name__ == "__main__":
    main()
