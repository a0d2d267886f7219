#!/usr/bin/env python3
"""Safetensors interoperability between Python and Strata, in both directions.

    python3 scripts/make-safetensors-fixture.py
        Writes Tests/StrataTrainTests/Fixtures/python-written.safetensors with Python's `safetensors`
        (through PyTorch, the most common writer) and prints every tensor's values as Float32, which
        is what SafeTensorsTests.testReadsTheFileWrittenByPython expects.

    python3 scripts/make-safetensors-fixture.py --check Tests/StrataTrainTests/Fixtures/strata-written.safetensors
        Loads a file that Strata wrote (SafeTensorsTests.testWriterReproducesTheCommittedFixture keeps
        the committed one in step with the writer; STRATA_UPDATE_FIXTURES=1 rewrites it) with Python's
        `safetensors`, which validates the layout as strictly as the Rust crate does, and checks every
        name, dtype, shape, value (bit for bit) and metadata entry against STRATA_WRITTEN below.
        Exits 0 and prints "OK" when everything matches.

Needs `safetensors`, `numpy` and `torch`. Swift tests never run Python.
"""
import argparse
import pathlib
import sys

import numpy as np

FIXTURE = pathlib.Path(__file__).resolve().parent.parent / "Tests/StrataTrainTests/Fixtures/python-written.safetensors"

# What Strata writes for the --check direction (keep in step with SafeTensorsTests.strataWritten).
STRATA_WRITTEN = {
    "layer.bias": ([3], [0.5, -1.25, 3.0]),
    "layer.kernel": ([2, 3], [0.1, -0.0, 1e-45, 3.4028235e38, -7.0, 1.0 / 3.0]),
    "step": ([], [1234.0]),
    "empty": ([0, 4], []),
}
STRATA_METADATA = {"epoch": "3", "note": 'ünïcode ✓ "quoted"\n'}

PYTHON_METADATA = {"format": "pt", "source": "scripts/make-safetensors-fixture.py", "note": 'ünïcode ✓ "quoted"'}


def python_tensors():
    import torch

    return {
        "matrix": torch.tensor([[1.5, -2.0, 0.25], [3.0, -0.0, 1e-3]], dtype=torch.float32),
        "vector": torch.tensor([0.1, 1e-45, 3.4028235e38, -7.0], dtype=torch.float32),
        "scalar": torch.tensor(42.5, dtype=torch.float32),
        "empty": torch.zeros((0, 3), dtype=torch.float32),
        "cube": torch.arange(1, 5, dtype=torch.float32).reshape(2, 1, 2),
        "double": torch.tensor([0.1, -2.5, 1.0 / 3.0], dtype=torch.float64),
        "counts": torch.tensor([-7, 0, 123456789], dtype=torch.int64),
        "half": torch.tensor([0.5, -65504.0, 2.0**-24], dtype=torch.float16),
        "bfloat": torch.tensor([1.0, -3.140625, 2.0**100], dtype=torch.bfloat16),
        "flags": torch.tensor([True, False, True], dtype=torch.bool),
        "bytes": torch.tensor([0, 255, 7], dtype=torch.uint8),
    }


def write_python_fixture():
    from safetensors.torch import save_file

    tensors = python_tensors()
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(FIXTURE), metadata=PYTHON_METADATA)
    print(f"wrote {FIXTURE} ({FIXTURE.stat().st_size} bytes); Strata reads these Float32 values:")
    for name in sorted(tensors):
        tensor = tensors[name]
        values = tensor.to(dtype=__import__("torch").float64).numpy().astype(np.float32).reshape(-1)
        shown = ", ".join(repr(float(v)) for v in values)
        bits = ", ".join(f"0x{int(b):08X}" for b in values.view(np.uint32))
        print(f"  {name}: {str(tensor.dtype).removeprefix('torch.')} {list(tensor.shape)} [{shown}]  bits [{bits}]")
    print(f"  metadata: {PYTHON_METADATA}")


def check_strata_file(path):
    from safetensors import safe_open

    failures = []
    with safe_open(path, framework="np") as file:
        metadata = file.metadata() or {}
        if metadata != STRATA_METADATA:
            failures.append(f"metadata {metadata!r} != {STRATA_METADATA!r}")
        names = set(file.keys())
        if names != set(STRATA_WRITTEN):
            failures.append(f"names {sorted(names)} != {sorted(STRATA_WRITTEN)}")
        for name in sorted(names & set(STRATA_WRITTEN)):
            array = file.get_tensor(name)
            shape, values = STRATA_WRITTEN[name]
            expected = np.array(values, dtype=np.float32).reshape(shape)
            if array.dtype != np.float32:
                failures.append(f"{name}: dtype {array.dtype}, expected float32")
            elif list(array.shape) != shape:
                failures.append(f"{name}: shape {list(array.shape)}, expected {shape}")
            elif not np.array_equal(array.view(np.uint32), expected.view(np.uint32)):
                failures.append(f"{name}: values {array.reshape(-1).tolist()}, expected {expected.reshape(-1).tolist()}")
            else:
                print(f"  {name}: float32 {shape} {array.reshape(-1).tolist()}")
    if failures:
        print(f"FAILED: {path}", *failures, sep="\n  ")
        return 1
    print(f"OK: {path} loads in Python's safetensors with the expected names, shapes, values and metadata")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", metavar="FILE", help="verify a safetensors file written by Strata")
    arguments = parser.parse_args()
    if arguments.check:
        return check_strata_file(arguments.check)
    write_python_fixture()
    return 0


if __name__ == "__main__":
    sys.exit(main())
