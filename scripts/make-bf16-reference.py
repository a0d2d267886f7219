#!/usr/bin/env python3
"""Writes Tests/StrataCoreTests/Fixtures/bf16_autocast.json: PyTorch's CPU autocast in bfloat16 on a
convolution, a linear layer and a matrix product, with gradients, for BFloat16ParityTests.

    bench/reference/.venv/bin/python scripts/make-bf16-reference.py

The format is make-reference.py's (see Fixtures/README.md): float32 inputs, a probe p of the
output's shape, the output y computed under torch.autocast("cpu", dtype=torch.bfloat16) (a bfloat16
tensor, stored as float32), and grad_<name> = the gradient of sum(y.float() * p) with respect to each
float32 input. Autocast casts every operand (bias included) to bfloat16 and rounds its outputs and
gradients to bfloat16, so Strata (bf16 operands, f32 accumulation, f32 results, f32 bias) agrees with
it within bfloat16 rounding, not exactly.
"""

import json
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PATH = os.path.join(ROOT, "Tests", "StrataCoreTests", "Fixtures", "bf16_autocast.json")


def normal(rng, *shape):
    """A float32 tensor of standard normal values."""
    return torch.tensor(rng.standard_normal(shape).astype(np.float32))


def case(name, op, params, inputs, function):
    """Runs `function` on leaves made from `inputs` under bfloat16 autocast; returns the case's dict."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    tensors = {key: normal(rng, *shape) for key, shape in inputs.items()}
    leaves = {key: value.clone().requires_grad_(True) for key, value in tensors.items()}
    with torch.autocast("cpu", dtype=torch.bfloat16):
        output = function(leaves)
    assert output.dtype == torch.bfloat16, f"{name}: autocast gave {output.dtype}"
    probe = normal(rng, *output.shape)
    (output.float() * probe).sum().backward()
    tensors["probe"] = probe
    tensors["output"] = output.float()
    for key, leaf in leaves.items():
        tensors["grad_" + key] = leaf.grad
    return {"name": name, "op": op, "params": params, "tensors": tensors}


def encode(value):
    """{"shape": [...], "data": [...]} with float32 values printed with 9 significant digits."""
    array = value.detach().to(torch.float32).numpy()
    return {"shape": list(array.shape), "data": [float("%.9g" % x) for x in array.reshape(-1).tolist()]}


def main():
    cases = [
        case("conv2d_bf16", "conv2d", {"stride": [1, 1], "padding": [1, 1]},
             {"input": (2, 3, 7, 7), "weight": (8, 3, 3, 3), "bias": (8,)},
             lambda t: F.conv2d(t["input"], t["weight"], t["bias"], stride=1, padding=1)),
        case("conv2d_stride2_bf16", "conv2d", {"stride": [2, 2], "padding": [0, 0]},
             {"input": (2, 4, 9, 9), "weight": (6, 4, 3, 3), "bias": (6,)},
             lambda t: F.conv2d(t["input"], t["weight"], t["bias"], stride=2)),
        # PyTorch's Linear weight is (out, in); Strata's linear takes (in, out), the transposed view.
        case("linear_bf16", "linear", {}, {"input": (5, 20), "weight": (12, 20), "bias": (12,)},
             lambda t: F.linear(t["input"], t["weight"], t["bias"])),
        case("matmul_bf16", "matmul", {}, {"input": (6, 16), "other": (16, 9)},
             lambda t: t["input"] @ t["other"]),
    ]
    lines = ["{", ' "generator": "scripts/make-bf16-reference.py",', f' "torch": {json.dumps(torch.__version__)},',
             ' "cases": [']
    for index, item in enumerate(cases):
        lines.append(f'  {{"name": {json.dumps(item["name"])}, "op": {json.dumps(item["op"])},')
        lines.append(f'   "params": {json.dumps(item["params"])},')
        lines.append('   "tensors": {')
        names = list(item["tensors"])
        for i, key in enumerate(names):
            comma = "," if i < len(names) - 1 else ""
            lines.append(f'    {json.dumps(key)}: {json.dumps(encode(item["tensors"][key]))}{comma}')
        lines.append("   }}" + ("," if index < len(cases) - 1 else ""))
    lines += [" ]", "}", ""]
    with open(PATH, "w") as f:
        f.write("\n".join(lines))
    print(f"{PATH}: {len(cases)} cases, {os.path.getsize(PATH)} bytes")


if __name__ == "__main__":
    main()
