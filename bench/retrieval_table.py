#!/usr/bin/env python3
"""Prints the Markdown tables of a bench/compare-retrieval run (its JSON-lines file).

    python3 bench/retrieval_table.py docs/performance-runs/DATE-retrieval-COMMIT.jsonl

One table per data set and thread count. k-means: seconds per iteration (lower is better) with the
final inertia; exact and IVF search: queries per second (higher is better), IVF with its recall@10
against the same framework's exact top-10. The last column is Strata's speed over the fastest peer's
(above 1: Strata is faster). Only the standard library.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

PEERS = ["strata", "faiss", "sklearn"]
TITLES = {"strata": "Strata", "faiss": "FAISS", "sklearn": "scikit-learn"}


def rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def rows(records: list[dict]) -> list[tuple[str, dict[str, str], float | None]]:
    """(row name, cell per framework, Strata over fastest peer) for one data set and thread count."""
    by = {}
    for record in records:
        key = (record["task"], record.get("k"), record.get("nprobe"))
        by.setdefault(key, {})[record["framework"]] = record
    table = []

    def add(name: str, found: dict, cell, speed) -> None:
        cells = {peer: cell(found[peer]) for peer in PEERS if peer in found}
        peers = [speed(found[peer]) for peer in PEERS[1:] if peer in found]
        ratio = speed(found["strata"]) / max(peers) if "strata" in found and peers else None
        table.append((name, cells, ratio))

    for (task, k, _), found in sorted(((key, value) for key, value in by.items() if key[0] == "kmeans"),
                                      key=lambda item: item[0][1]):
        add(f"k-means k={k}: s/iteration (inertia)", found,
            lambda r: f"{r['seconds_per_iteration']:.3g} s ({r['inertia']:.5g}, {r['iterations']} it.)",
            lambda r: 1 / r["seconds_per_iteration"])
    for key, found in by.items():
        if key[0] == "flat":
            add("exact top-10, batched: queries/s", found, lambda r: rate(r["batched_qps"]), lambda r: r["batched_qps"])
            add("exact top-10, one at a time: queries/s", found, lambda r: rate(r["single_qps"]),
                lambda r: r["single_qps"])
    for key, found in by.items():
        if key[0] == "ivf-build":
            add("IVF 1,024 lists: build s (10 it. + add)", found, lambda r: f"{r['seconds']:.3g} s",
                lambda r: 1 / r["seconds"])
    ivf = sorted(((key, value) for key, value in by.items() if key[0] == "ivf"), key=lambda item: item[0][2])
    for mode in ("batched", "single"):
        for (_, _, nprobe), found in ivf:
            add(f"IVF nprobe={nprobe}, {'batched' if mode == 'batched' else 'one at a time'}: queries/s (recall@10)",
                found, lambda r: f"{rate(r[mode + '_qps'])} ({r['recall_at_10']:.3f})", lambda r: r[mode + "_qps"])
    return table


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: retrieval_table.py RUN.jsonl")
    lines = [json.loads(line) for line in Path(sys.argv[1]).read_text().splitlines() if line.strip()]
    run = next((line["run"] for line in lines if "run" in line), {})
    end = next((line["run_end"] for line in lines if "run_end" in line), {})
    records = [line for line in lines if "framework" in line]
    versions = {r["framework"]: r.get("version") for r in records if r.get("version")}
    print(f"Date: {run.get('date', '?')} to {end.get('date', '?')}  \nMachine: {run.get('machine', '?')}  \n"
          f"Load average before/after: {run.get('load_before', '?')} / {end.get('load_after', '?')}  \n"
          f"Versions: Strata {run.get('strata', '?')}; FAISS {versions.get('faiss', '?')}; "
          f"scikit-learn {versions.get('sklearn', '?')}  \n"
          f"k-means: {run.get('iterations', '?')} iterations from the first k base vectors, no subsampling, time "
          f"includes a final assignment; searches: ≥{run.get('min_seconds', '?')} s each, "
          f"{run.get('single_queries', '?')} queries one at a time; L2 metric; "
          f"OMP_WAIT_POLICY={run.get('omp_wait_policy', '?')}")
    groups = []
    for record in records:
        key = (record["dataset"], record["threads"])
        if key not in groups:
            groups.append(key)
    for dataset, threads in groups:
        chosen = [r for r in records if r["dataset"] == dataset and r["threads"] == threads]
        first = chosen[0]
        print(f"\n**{dataset}**, {first['count']:,} × {first['dimension']} base, {first['queries']:,} queries, "
              f"{threads} thread{'s' if threads > 1 else ''}\n")
        print("| row | Strata | FAISS | scikit-learn | Strata / fastest peer |")
        print("|---|---:|---:|---:|---:|")
        for name, cells, ratio in rows(chosen):
            print(f"| {name} | " + " | ".join(cells.get(peer, "—") for peer in PEERS)
                  + f" | {f'{ratio:.2f}×' if ratio else '—'} |")


if __name__ == "__main__":
    main()
