#!/usr/bin/env python3
"""Writes the PyTorch reference fixtures that Strata's parity tests compare against.

    python3 scripts/make-reference.py            # rewrites Tests/StrataCoreTests/Fixtures/*.json

Every op is computed by PyTorch in float64 on the CPU from float32 inputs (so the reference is as
exact as float32 can store it) and every stored value is rounded to float32 with 9 significant
digits, which round-trips. Each case draws its numbers from its own generator seeded with a hash of
its name, so adding or reordering cases leaves the other cases' numbers unchanged.

File format (one file per op family, e.g. losses.json):

    {
      "generator": "scripts/make-reference.py",
      "torch": "2.x.y",
      "cases": [
        {
          "name": "conv2d_stride2_pad1",
          "op": "conv2d",                          # the PyTorch function the case exercises
          "params": {"stride": [2, 2], ...},       # everything but tensors: ints, floats, bools, lists
          "tensors": {
            "input":  {"shape": [2, 3, 7, 7], "data": [...]},   # row-major, float32 values
            "weight": {...},
            "probe":  {...},                       # same shape as "output"
            "output": {...},
            "grad_input": {...}, "grad_weight": {...}, ...
          }
        }
      ]
    }

Gradients: for a case with output y and probe p (a fixed random tensor of y's shape, stored),
`grad_<name>` is the gradient of the scalar sum(y * p) with respect to the input `<name>`, i.e.
what `y.backward(gradient: p)` accumulates in Strata. Losses have a rank-0 output and probe; the
end-to-end MLP and CNN use probe 1 (a plain `loss.backward()`).

Layouts are PyTorch's: images (N, C, H, W), conv weights (O, C/groups, KH, KW) and Linear weights
(out, in) -- Strata's `linear(weight:bias:)` takes (in, out), so its tests pass `weight.transposed()`.
Integer class labels are stored in "params" as "labels".
"""

import json
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "StrataCoreTests", "Fixtures")
DTYPE = torch.float64


# --- Numbers ------------------------------------------------------------------------------------

class Case:
    """One fixture case: a named generator of float32-representable inputs and the stored tensors."""

    def __init__(self, name, op, **params):
        self.name = name
        self.op = op
        self.params = params
        self.tensors = {}
        self.rng = np.random.default_rng(zlib.crc32(name.encode()))

    def normal(self, *shape, scale=1.0):
        """float32 normal values as a float64 tensor."""
        return torch.tensor(self.rng.standard_normal(shape).astype(np.float32) * np.float32(scale), dtype=DTYPE)

    def uniform(self, *shape, low=0.0, high=1.0):
        """float32 uniform values in [low, high) as a float64 tensor."""
        return torch.tensor(self.rng.uniform(low, high, shape).astype(np.float32), dtype=DTYPE)

    def leaf(self, name, value):
        """Stores `value` under `name` and returns it as a leaf that requires grad."""
        self.store(name, value)
        return value.clone().requires_grad_(True)

    def store(self, name, value):
        self.tensors[name] = value.detach()

    def probe_backward(self, output, leaves, probe=None):
        """Stores output, a probe and grad_<name> of sum(output * probe) for each named leaf."""
        if probe is None:
            probe = self.normal(*output.shape)
        self.store("probe", probe)
        self.store("output", output)
        output.backward(probe)
        for name, leaf in leaves.items():
            self.store("grad_" + name, leaf.grad)
        return self


def encode_tensor(value):
    """{"shape": [...], "data": [...]} with float32 values printed with 9 significant digits."""
    array = value.detach().to(torch.float32).numpy()
    data = [float("%.9g" % x) for x in array.reshape(-1).tolist()]
    return {"shape": list(array.shape), "data": data}


def write(family, cases):
    """Writes Fixtures/<family>.json, one line per tensor so diffs stay readable."""
    lines = ["{", f' "generator": "scripts/make-reference.py",', f' "torch": {json.dumps(torch.__version__)},',
             ' "cases": [']
    for index, case in enumerate(cases):
        lines.append(f'  {{"name": {json.dumps(case.name)}, "op": {json.dumps(case.op)},')
        lines.append(f'   "params": {json.dumps(case.params)},')
        lines.append('   "tensors": {')
        names = list(case.tensors)
        for i, name in enumerate(names):
            comma = "," if i < len(names) - 1 else ""
            lines.append(f'    {json.dumps(name)}: {json.dumps(encode_tensor(case.tensors[name]))}{comma}')
        lines.append("   }}" + ("," if index < len(cases) - 1 else ""))
    lines += [" ]", "}", ""]
    path = os.path.join(FIXTURES, family + ".json")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print(f"{path}: {len(cases)} cases, {os.path.getsize(path)} bytes")


# --- Elementwise, matmul, reductions, softmax ---------------------------------------------------

def elementwise():
    cases = []
    specs = [
        ("sigmoid", "sigmoid", {}, torch.sigmoid),
        ("tanh", "tanh", {}, torch.tanh),
        ("gelu", "gelu", {"approximate": "none"}, F.gelu),
        ("elu_alpha1", "elu", {"alpha": 1.0}, lambda x: F.elu(x, alpha=1.0)),
        ("elu_alpha1.5", "elu", {"alpha": 1.5}, lambda x: F.elu(x, alpha=1.5)),
        ("leaky_relu_0.01", "leaky_relu", {"negative_slope": 0.01}, lambda x: F.leaky_relu(x, 0.01)),
        ("leaky_relu_0.2", "leaky_relu", {"negative_slope": 0.2}, lambda x: F.leaky_relu(x, 0.2)),
        ("relu", "relu", {}, F.relu),
    ]
    for name, op, params, function in specs:
        case = Case(name, op, **params)
        x = case.leaf("input", case.normal(4, 6, scale=2.0))
        cases.append(case.probe_backward(function(x), {"input": x}))
    write("elementwise", cases)


def matmul():
    cases = []
    for name, a_shape, b_shape in [
        ("matmul_2d", (3, 4), (4, 5)),
        ("matmul_batched", (2, 3, 4), (2, 4, 5)),
        ("matmul_batched_by_matrix", (2, 3, 4), (4, 5)),
        ("matmul_matrix_by_batched", (3, 4), (2, 4, 5)),
    ]:
        case = Case(name, "matmul")
        a = case.leaf("input", case.normal(*a_shape))
        b = case.leaf("other", case.normal(*b_shape))
        cases.append(case.probe_backward(torch.matmul(a, b), {"input": a, "other": b}))

    # input is stored as (K, M) and used transposed: output = input^T @ other (a strided GEMM operand).
    case = Case("matmul_transposed_input", "matmul", transpose_input=True)
    a = case.leaf("input", case.normal(4, 3))
    b = case.leaf("other", case.normal(4, 5))
    cases.append(case.probe_backward(a.t() @ b, {"input": a, "other": b}))

    for name, with_bias in [("linear", True), ("linear_no_bias", False)]:
        case = Case(name, "linear", weight_layout="(out, in)")
        x = case.leaf("input", case.normal(2, 3, 6))
        w = case.leaf("weight", case.normal(4, 6, scale=0.5))
        leaves = {"input": x, "weight": w}
        b = None
        if with_bias:
            b = case.leaf("bias", case.normal(4))
            leaves["bias"] = b
        cases.append(case.probe_backward(F.linear(x, w, b), leaves))
    write("matmul", cases)


def reduction():
    cases = []
    for name, dims, unbiased, keepdim in [
        ("variance_all", None, False, False),
        ("variance_all_unbiased", None, True, False),
        ("variance_axis1", [1], False, False),
        ("variance_axes02_unbiased_keepdim", [0, 2], True, True),
    ]:
        case = Case(name, "var", axes=dims, unbiased=unbiased, keepdim=keepdim)
        x = case.leaf("input", case.normal(3, 4, 5, scale=1.5))
        if dims is None:
            y = torch.var(x, unbiased=unbiased)
        else:
            y = torch.var(x, dim=dims, unbiased=unbiased, keepdim=keepdim)
        cases.append(case.probe_backward(y, {"input": x}))
    write("reduction", cases)


def softmax():
    cases = []
    for name, op, axis in [
        ("softmax_last", "softmax", -1),
        ("softmax_axis1", "softmax", 1),
        ("log_softmax_last", "log_softmax", -1),
        ("log_softmax_axis0", "log_softmax", 0),
    ]:
        case = Case(name, op, axis=axis)
        x = case.leaf("input", case.normal(2, 3, 4, scale=2.0))
        y = F.softmax(x, dim=axis) if op == "softmax" else F.log_softmax(x, dim=axis)
        cases.append(case.probe_backward(y, {"input": x}))
    write("softmax", cases)


# --- Losses -------------------------------------------------------------------------------------

def losses():
    cases = []

    case = Case("cross_entropy_labels", "cross_entropy", labels=[2, 0, 4, 1, 4, 3], reduction="mean")
    logits = case.leaf("logits", case.normal(6, 5, scale=2.0))
    loss = F.cross_entropy(logits, torch.tensor(case.params["labels"]))
    cases.append(case.probe_backward(loss, {"logits": logits}))

    case = Case("cross_entropy_probabilities", "cross_entropy", reduction="mean")
    logits = case.leaf("logits", case.normal(4, 5, scale=2.0))
    targets = case.leaf("targets", torch.softmax(case.normal(4, 5), dim=1).float().double())
    loss = F.cross_entropy(logits, targets)
    cases.append(case.probe_backward(loss, {"logits": logits, "targets": targets}))

    case = Case("cross_entropy_one_hot", "cross_entropy", reduction="mean")
    logits = case.leaf("logits", case.normal(4, 3, scale=2.0))
    targets = case.leaf("targets", F.one_hot(torch.tensor([1, 0, 2, 2]), 3).to(DTYPE))
    loss = F.cross_entropy(logits, targets)
    cases.append(case.probe_backward(loss, {"logits": logits, "targets": targets}))

    case = Case("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits", reduction="mean")
    logits = case.leaf("logits", case.normal(4, 3, scale=3.0))
    targets = case.leaf("targets", case.uniform(4, 3))
    loss = F.binary_cross_entropy_with_logits(logits, targets)
    cases.append(case.probe_backward(loss, {"logits": logits, "targets": targets}))

    case = Case("mse", "mse_loss", reduction="mean")
    predictions = case.leaf("predictions", case.normal(3, 4))
    targets = case.leaf("targets", case.normal(3, 4))
    loss = F.mse_loss(predictions, targets)
    cases.append(case.probe_backward(loss, {"predictions": predictions, "targets": targets}))
    write("losses", cases)


# --- Convolution, pooling, batch norm -----------------------------------------------------------

def conv2d():
    cases = []
    specs = [
        # name, (N, C, H, W), (O, KH, KW), stride, padding, dilation, groups, bias
        ("conv2d_basic", (2, 3, 6, 6), (4, 3, 3), (1, 1), (0, 0), (1, 1), 1, True),
        ("conv2d_stride2_pad1", (2, 3, 7, 7), (4, 3, 3), (2, 2), (1, 1), (1, 1), 1, True),
        ("conv2d_pad2", (2, 2, 5, 5), (3, 3, 3), (1, 1), (2, 2), (1, 1), 1, True),
        ("conv2d_dilation2", (2, 2, 7, 7), (3, 3, 3), (1, 1), (2, 2), (2, 2), 1, True),
        ("conv2d_groups2", (2, 4, 5, 5), (6, 3, 3), (1, 1), (1, 1), (1, 1), 2, True),
        ("conv2d_depthwise", (2, 3, 6, 6), (3, 3, 3), (1, 1), (1, 1), (1, 1), 3, True),
        ("conv2d_depthwise_multiplier2_stride2", (2, 3, 6, 6), (6, 3, 3), (2, 2), (1, 1), (1, 1), 3, False),
        ("conv2d_no_bias", (2, 3, 5, 5), (4, 3, 3), (1, 1), (1, 1), (1, 1), 1, False),
        ("conv2d_nonsquare_kernel", (2, 2, 6, 7), (3, 2, 3), (2, 1), (1, 0), (1, 1), 1, True),
        ("conv2d_1x1", (2, 4, 4, 4), (3, 1, 1), (1, 1), (0, 0), (1, 1), 1, True),
    ]
    for name, in_shape, (o, kh, kw), stride, padding, dilation, groups, with_bias in specs:
        case = Case(name, "conv2d", stride=list(stride), padding=list(padding), dilation=list(dilation),
                    groups=groups, bias=with_bias)
        x = case.leaf("input", case.normal(*in_shape))
        w = case.leaf("weight", case.normal(o, in_shape[1] // groups, kh, kw, scale=0.5))
        leaves = {"input": x, "weight": w}
        b = None
        if with_bias:
            b = case.leaf("bias", case.normal(o))
            leaves["bias"] = b
        y = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
        cases.append(case.probe_backward(y, leaves))
    write("conv2d", cases)


def pool():
    cases = []
    specs = [
        # name, op, (N, C, H, W), kernel, stride, padding
        ("max_pool2d_k2s2", "max_pool2d", (2, 2, 6, 6), 2, 2, 0),
        ("max_pool2d_k2s2_odd_input", "max_pool2d", (2, 2, 7, 7), 2, 2, 0),
        ("max_pool2d_k3s2p1", "max_pool2d", (2, 2, 7, 7), 3, 2, 1),
        ("avg_pool2d_k2s2", "avg_pool2d", (2, 2, 6, 6), 2, 2, 0),
        ("avg_pool2d_k3s2p1", "avg_pool2d", (2, 2, 7, 7), 3, 2, 1),
    ]
    for name, op, in_shape, k, s, p in specs:
        params = {"kernel": [k, k], "stride": [s, s], "padding": [p, p]}
        if op == "avg_pool2d":
            params["count_include_pad"] = True
        case = Case(name, op, **params)
        x = case.leaf("input", case.normal(*in_shape))
        if op == "max_pool2d":
            y = F.max_pool2d(x, k, s, p)
        else:
            y = F.avg_pool2d(x, k, s, p, count_include_pad=True)
        cases.append(case.probe_backward(y, {"input": x}))

    case = Case("global_avg_pool2d", "adaptive_avg_pool2d", output_size=[1, 1])
    x = case.leaf("input", case.normal(2, 3, 5, 5))
    cases.append(case.probe_backward(F.adaptive_avg_pool2d(x, 1), {"input": x}))
    write("pool", cases)


def batch_norm():
    cases = []
    for name, shape, training in [
        ("batch_norm2d_training", (4, 3, 3, 3), True),
        ("batch_norm2d_eval", (4, 3, 3, 3), False),
        ("batch_norm1d_training", (8, 5), True),
        ("batch_norm1d_eval", (8, 5), False),
    ]:
        channels = shape[1]
        case = Case(name, "batch_norm", training=training, momentum=0.1, epsilon=1e-5,
                    running_var_update="unbiased batch variance (PyTorch)")
        x = case.leaf("input", case.normal(*shape, scale=2.0) + 0.5)
        weight = case.leaf("weight", case.uniform(channels, low=0.5, high=1.5))
        bias = case.leaf("bias", case.normal(channels, scale=0.5))
        running_mean = case.normal(channels, scale=0.3)
        running_var = case.uniform(channels, low=0.5, high=2.0)
        case.store("running_mean", running_mean)
        case.store("running_var", running_var)
        mean, var = running_mean.clone(), running_var.clone()
        y = F.batch_norm(x, mean, var, weight, bias, training=training, momentum=0.1, eps=1e-5)
        case.probe_backward(y, {"input": x, "weight": weight, "bias": bias})
        case.store("running_mean_updated", mean)
        case.store("running_var_updated", var)
        cases.append(case)
    write("batch_norm", cases)


# --- End to end ---------------------------------------------------------------------------------

def mlp():
    labels = [0, 2, 1, 1, 0, 2, 2, 1]
    case = Case("mlp_20_16_3", "mlp", labels=labels, weight_layout="(out, in)",
                model="Linear(20, 16) -> ReLU -> Linear(16, 3) -> cross_entropy(mean)")
    x = case.leaf("input", case.normal(8, 20))
    w1 = case.leaf("fc1.weight", case.uniform(16, 20, low=-0.3, high=0.3))
    b1 = case.leaf("fc1.bias", case.uniform(16, low=-0.3, high=0.3))
    w2 = case.leaf("fc2.weight", case.uniform(3, 16, low=-0.3, high=0.3))
    b2 = case.leaf("fc2.bias", case.uniform(3, low=-0.3, high=0.3))
    logits = F.linear(F.relu(F.linear(x, w1, b1)), w2, b2)
    case.store("logits", logits)
    loss = F.cross_entropy(logits, torch.tensor(labels))
    leaves = {"input": x, "fc1.weight": w1, "fc1.bias": b1, "fc2.weight": w2, "fc2.bias": b2}
    case.probe_backward(loss, leaves, probe=torch.tensor(1.0, dtype=DTYPE))
    write("mlp", [case])


def cnn():
    labels = [3, 1]
    case = Case("cnn_small", "cnn", labels=labels, weight_layout="(out, in)",
                model="Conv(1->4, 3x3, pad 1) -> ReLU -> MaxPool(2) -> Conv(4->8, 3x3, stride 2) -> ReLU"
                      " -> flatten -> Linear(8, 5) -> cross_entropy(mean)")
    x = case.leaf("input", case.normal(2, 1, 8, 8))
    c1w = case.leaf("conv1.weight", case.uniform(4, 1, 3, 3, low=-0.5, high=0.5))
    c1b = case.leaf("conv1.bias", case.uniform(4, low=-0.2, high=0.2))
    c2w = case.leaf("conv2.weight", case.uniform(8, 4, 3, 3, low=-0.3, high=0.3))
    c2b = case.leaf("conv2.bias", case.uniform(8, low=-0.2, high=0.2))
    fw = case.leaf("fc.weight", case.uniform(5, 8, low=-0.5, high=0.5))
    fb = case.leaf("fc.bias", case.uniform(5, low=-0.2, high=0.2))
    h = F.max_pool2d(F.relu(F.conv2d(x, c1w, c1b, padding=1)), 2)  # (2, 4, 4, 4)
    h = F.relu(F.conv2d(h, c2w, c2b, stride=2))                   # (2, 8, 1, 1)
    logits = F.linear(h.flatten(1), fw, fb)                       # (2, 5)
    case.store("logits", logits)
    loss = F.cross_entropy(logits, torch.tensor(labels))
    leaves = {"input": x, "conv1.weight": c1w, "conv1.bias": c1b, "conv2.weight": c2w, "conv2.bias": c2b,
              "fc.weight": fw, "fc.bias": fb}
    case.probe_backward(loss, leaves, probe=torch.tensor(1.0, dtype=DTYPE))
    write("cnn", [case])


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    os.makedirs(FIXTURES, exist_ok=True)
    for family in (elementwise, matmul, reduction, softmax, losses, conv2d, pool, batch_norm, mlp, cnn):
        family()


if __name__ == "__main__":
    main()
