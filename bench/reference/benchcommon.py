"""What the reference benchmarks share with each other and with Strata's `strata-bench`.

The rows, batch sizes, timing rule and JSON-lines output are those of Benchmarks/Bench/main.swift,
so `bench/compare` can put the three frameworks side by side:

* a row's step is one full training step (forward, loss, backward, optimizer step) on a batch that
  is already in memory, or for `argmax` one inference batch;
* 3 warm-up steps are run and not timed (they also absorb tracing, graph building and compiling);
* then steps run until at least `minimum_seconds` (5 s, 1 s with --quick) and at least 5 steps have
  passed, and the result is that total time divided by the number of steps (a mean, as Strata's);
* beside the wall-clock time per step (`step_ms`) each row reports the process's CPU time per step
  (`cpu_ms`, all threads): with one thread, a measure that other programs on a shared machine
  disturb far less than the wall clock.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Callable

# Row name → (batch, unit), as in strata-bench. `ranknet` counts pairs; `argmax` is inference.
ROWS = {
    "mlp-small": (64, "images/s"),
    "mlp512": (128, "images/s"),
    "dense128-b16": (16, "images/s"),
    "ranknet": (32, "pairs/s"),
    "vgg": (128, "images/s"),
    "resnet20": (128, "images/s"),
    "argmax": (500, "vectors/s"),
}


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


def emit(framework: str, row: str, timing: tuple[float, float], threads: int, **extra: object) -> None:
    """Prints one JSON line: framework, row, unit, per_second (examples/s), step_ms, cpu_ms, threads, extras."""
    batch, unit = ROWS[row]
    seconds, cpu_seconds = timing
    record = {"framework": framework, "row": row, "unit": unit, "per_second": batch / seconds,
              "step_ms": seconds * 1e3, "cpu_ms": cpu_seconds * 1e3, "threads": threads, **extra}
    print(json.dumps(record), flush=True)


def log(message: str) -> None:
    """A progress line on standard error (standard output carries only the JSON lines)."""
    print(message, file=sys.stderr, flush=True)
