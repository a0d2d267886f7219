"""What the reference benchmarks share with each other and with Strata's `strata-bench`.

The rows, batch sizes, timing rule and JSON-lines output are those of Benchmarks/Bench/main.swift,
so `bench/compare` can put the three frameworks side by side:

* a row's step is one full training step (forward, loss, backward, optimizer step) on a batch that
  is already in memory, or for `argmax` one inference batch;
* 3 warm-up steps are run and not timed (they also absorb tracing, graph building and compiling);
* then steps run until at least `minimum_seconds` (5 s, 1 s with --quick) and at least 5 steps have
  passed, and the result is that total time divided by the number of steps (a mean, as Strata's);
* the inference rows (`cnn-infer-b1`, `cnn-infer-b256`, …) time the forward pass of `mlp`, `cnn`,
  `vgg` and `resnet20` without autograd; at batch 1 each call is timed on its own (10 warm-up calls,
  then ≥ `minimum_seconds` and ≥ 100 calls) and the row reports the median call, a latency;
* beside the wall-clock time per step (`step_ms`) each row reports the process's CPU time per step
  (`cpu_ms`, all threads): with one thread, a measure that other programs on a shared machine
  disturb far less than the wall clock;
* and its memory, read from Linux's /proc/self/status as strata-bench reads it (ProcessMemory):
  `rss_before_mb`, the resident set size right before the first (warm-up) step, with the model and
  the batch already made, and `peak_rss_mb`, the peak resident set size (VmHWM) from then to the
  end of the timing; the peak is reset to the current size at the start (writing 5 to
  /proc/self/clear_refs), so that each row of a process has its own; `peak_reset` says whether
  that worked (if not, the peak is the process's since it started).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable

# Training row name → (batch, unit), as in strata-bench. `ranknet` counts pairs; `argmax` is inference.
TRAINING_ROWS = {
    "mlp-small": (64, "images/s"),
    "mlp512": (128, "images/s"),
    "dense128-b16": (16, "images/s"),
    "ranknet": (32, "pairs/s"),
    "vgg": (128, "images/s"),
    "resnet20": (128, "images/s"),
    "argmax": (500, "vectors/s"),
}

# The inference rows, as in strata-bench's InferenceRows.swift: `MODEL-infer-bBATCH` for each model
# (`mlp` is mlp512's network, 784 → 512 → 512 → 10) at the latency batch and at the throughput batch.
INFERENCE_MODELS = ("mlp", "cnn", "vgg", "resnet20")
LATENCY_BATCH, THROUGHPUT_BATCH = 1, 256
INFERENCE_ROWS = {f"{model}-infer-b{batch}": (batch, "images/s")
                  for model in INFERENCE_MODELS for batch in (LATENCY_BATCH, THROUGHPUT_BATCH)}

ROWS = {**TRAINING_ROWS, **INFERENCE_ROWS}


def inference_model(row: str) -> str | None:
    """The model of an inference row (`cnn` for `cnn-infer-b1`); None for a training row."""
    return row.split("-infer-b")[0] if row in INFERENCE_ROWS else None


def is_latency_row(row: str) -> bool:
    """Whether `row` reports the median call at batch 1 (a latency) rather than a mean step."""
    return row in INFERENCE_ROWS and ROWS[row][0] == LATENCY_BATCH


@dataclass
class Options:
    """The command line shared by both reference scripts."""

    threads: int
    minimum_seconds: float
    rows: list[str]
    extra: argparse.Namespace


def parse_options(description: str, add_arguments: Callable[[argparse.ArgumentParser], None] | None = None) -> Options:
    """Parses --quick, --only a,b and --threads N (default: STRATA_THREADS, else all cores, as Strata)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="time each row for at least 1 s instead of 5 s")
    parser.add_argument("--only", default="", help="comma-separated rows to run (default: all): " + ",".join(ROWS))
    default_threads = int(os.environ.get("STRATA_THREADS", "0")) or os.cpu_count() or 1
    parser.add_argument("--threads", type=int, default=default_threads,
                        help="intra-op threads (default: $STRATA_THREADS, else all cores)")
    if add_arguments:
        add_arguments(parser)
    arguments = parser.parse_args()
    rows = [name for name in arguments.only.split(",") if name] or list(ROWS)
    unknown = [name for name in rows if name not in ROWS]
    if unknown:
        parser.error(f"unknown row(s) {', '.join(unknown)}; choose from {', '.join(ROWS)}")
    return Options(threads=arguments.threads, minimum_seconds=1.0 if arguments.quick else 5.0, rows=rows,
                   extra=arguments)


def resident_megabytes() -> tuple[float, float] | None:
    """(VmRSS, VmHWM) of this process in MiB, from /proc/self/status; None where it is unreadable."""
    try:
        with open("/proc/self/status") as file:
            fields = dict(line.split(":", 1) for line in file.read().splitlines() if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        return None


def reset_peak_resident() -> bool:
    """Resets VmHWM to the current resident size (writes 5 to /proc/self/clear_refs); False if refused."""
    try:
        with open("/proc/self/clear_refs", "w") as file:
            file.write("5")
        return True
    except OSError:
        return False


def time_steps(step: Callable[[], None], minimum_seconds: float) -> tuple[float, float]:
    """(wall-clock, process CPU) seconds per step: 3 untimed warm-up steps, then ≥ `minimum_seconds`, ≥ 5 steps."""
    for _ in range(3):
        step()
    steps = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    elapsed = 0.0
    while elapsed < minimum_seconds or steps < 5:
        step()
        steps += 1
        elapsed = time.perf_counter() - start
    return elapsed / steps, (time.process_time() - cpu_start) / steps


def time_calls_median(call: Callable[[], None], minimum_seconds: float) -> tuple[float, float]:
    """(median wall-clock, mean process CPU) seconds per call: 10 untimed warm-up calls, then each call
    timed on its own for ≥ `minimum_seconds` and ≥ 100 calls (as strata-bench's timeCallsMedian)."""
    for _ in range(10):
        call()
    durations: list[float] = []
    start, cpu_start = time.perf_counter(), time.process_time()
    now = start
    while now - start < minimum_seconds or len(durations) < 100:
        call_start = time.perf_counter()
        call()
        now = time.perf_counter()
        durations.append(now - call_start)
    return statistics.median(durations), (time.process_time() - cpu_start) / len(durations)


def time_row(row: str, step: Callable[[], None], minimum_seconds: float) -> tuple[float, float, dict]:
    """The row's timing: the median call for a latency row, else the mean step (`time_steps`), and its
    memory: `rss_before_mb`, `peak_rss_mb` and `peak_reset` (empty where /proc is unreadable)."""
    before = resident_megabytes()
    reset = reset_peak_resident()
    seconds, cpu_seconds = (time_calls_median if is_latency_row(row) else time_steps)(step, minimum_seconds)
    after = resident_megabytes()
    memory = ({"rss_before_mb": before[0], "peak_rss_mb": after[1], "peak_reset": reset}
              if before and after else {})
    return seconds, cpu_seconds, memory


def emit(framework: str, row: str, timing: tuple[float, float, dict], threads: int, **extra: object) -> None:
    """Prints one JSON line: framework, row, unit, per_second (examples/s), step_ms, cpu_ms, threads,
    statistic ("mean", or "median" for a latency row), the memory of `time_row`, extras."""
    batch, unit = ROWS[row]
    seconds, cpu_seconds, memory = timing
    record = {"framework": framework, "row": row, "unit": unit, "per_second": batch / seconds,
              "step_ms": seconds * 1e3, "cpu_ms": cpu_seconds * 1e3, "threads": threads,
              "statistic": "median" if is_latency_row(row) else "mean", **memory, **extra}
    print(json.dumps(record), flush=True)


def log(message: str) -> None:
    """A progress line on standard error (standard output carries only the JSON lines)."""
    print(message, file=sys.stderr, flush=True)
