#!/usr/bin/env python3
"""Checks ONNX models exported by Strata against Strata's own outputs, with onnx and ONNX Runtime.

    scripts/onnx-check-venv                                   # once: .venv-onnx with onnx, onnxruntime
    .venv-onnx/bin/python scripts/onnx_check.py CASE.json... [--tolerance 1e-5] [--threads N] [--json]

Each CASE.json (paths relative to it) names a model and one input with Strata's output for it:

    {"model": "cnn.onnx", "input": "cnn.input.f32", "input_shape": [8, 1, 28, 28],
     "expected": "cnn.expected.f32", "expected_shape": [8, 10]}

where the .f32 files hold raw little-endian float32 values in row-major order. For every case it runs
onnx.checker.check_model(full_check=True), then ONNX Runtime on the input, and prints the maximum
absolute error. A case passes when max |ort - strata| <= tolerance * max(1, max |strata|): an
absolute tolerance for outputs within [-1, 1] (probabilities, unit embeddings), relative to the
largest output for larger logits. --json prints one JSON object a case instead of a table line.
Exits 1 when any case fails (checker error, wrong shape, or error above the tolerance).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort


def read_f32(path: Path, shape: list[int]) -> np.ndarray:
    values = np.fromfile(path, dtype="<f4")
    expected = int(np.prod(shape))
    if values.size != expected:
        raise ValueError(f"{path}: {values.size} float32 values, but the shape {shape} needs {expected}")
    return values.reshape(shape)


def check(case_path: Path, tolerance: float, threads: int | None) -> dict:
    case = json.loads(case_path.read_text())
    folder = case_path.parent
    model_path = folder / case["model"]
    result = {"case": case_path.name, "model": case["model"], "ok": False}
    try:
        onnx.checker.check_model(onnx.load(str(model_path)), full_check=True)
    except Exception as error:  # the checker raises several kinds
        result["error"] = f"onnx.checker: {error}"
        return result
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    inputs = read_f32(folder / case["input"], case["input_shape"])
    expected = read_f32(folder / case["expected"], case["expected_shape"])
    (actual,) = session.run(["output"], {"input": inputs})
    if list(actual.shape) != list(expected.shape):
        result["error"] = f"ONNX Runtime gave shape {list(actual.shape)}, Strata {list(expected.shape)}"
        return result
    error = float(np.max(np.abs(actual.astype(np.float64) - expected))) if expected.size else 0.0
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    result.update(max_abs_error=error, max_abs_expected=scale, allowed=tolerance * scale,
                  ok=error <= tolerance * scale)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="+", type=Path, help="case files (JSON) written beside the models")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--threads", type=int, default=None, help="ONNX Runtime's intra_op_num_threads")
    parser.add_argument("--json", action="store_true", help="one JSON object per case")
    arguments = parser.parse_args()
    failures = 0
    for case_path in arguments.cases:
        try:
            result = check(case_path, arguments.tolerance, arguments.threads)
        except Exception as error:
            result = {"case": case_path.name, "ok": False, "error": str(error)}
        failures += 0 if result["ok"] else 1
        if arguments.json:
            print(json.dumps(result), flush=True)
        elif "error" in result:
            print(f"{result['case']}: FAIL: {result['error']}", flush=True)
        else:
            verdict = "ok" if result["ok"] else "FAIL"
            print(f"{result['case']}: checker ok, max abs error {result['max_abs_error']:.3g} "
                  f"(allowed {result['allowed']:.3g}): {verdict}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
