#!/usr/bin/env python3
"""Markdown tables of a bench/compare-tracking run: Strata's run store against MLflow's (SQLite backend).

    python3 bench/tracking_table.py docs/performance-runs/DATE-tracking-COMMIT.jsonl

Reads the JSON lines strata-trackbench, bench/reference/mlflow_bench.py and bench/compare-tracking's
strata-serve timings wrote; prints the side-by-side table, the check that both sides found the same
runs, and the issue's targets as met / not met.
"""
import json
import sys


def load(path):
    run, end, records = {}, {}, {}
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            if "run" in record:
                run = record["run"]
            elif "run_end" in record:
                end = record["run_end"]
            else:
                records[(record["framework"], record["task"])] = record
    return run, end, records


def ms(record):
    return f"{record['seconds'] * 1000:,.1f} ms" if record else "—"


def main():
    run, end, records = load(sys.argv[1])
    get = lambda framework, task: records.get((framework, task))
    write = get("strata", "write")
    scale = write or get("strata", "search") or {}
    print(f"### Run store at scale: {scale.get('runs', '?'):,} runs × {scale.get('steps', '?'):,} steps × "
          f"{scale.get('metrics', '?')} metrics\n")
    if run:
        print(f"{run.get('date', '')}, {run.get('machine', '')}, Strata {run.get('strata', '')}, "
              f"load {run.get('load_before', '?')} before and {end.get('load_after', '?')} after.\n")
    mlflow_version = next((r.get("version") for (f, _), r in records.items() if f == "mlflow"), "?")
    print(f"| measurement | Strata | MLflow {mlflow_version} (SQLite) | Strata's speed-up |")
    print("| --- | ---: | ---: | ---: |")

    def row(label, strata, mlflow, shown=ms):
        ratio = "—"
        if strata and mlflow and strata.get("seconds") and mlflow.get("seconds"):
            ratio = f"{mlflow['seconds'] / strata['seconds']:,.1f}×"
        print(f"| {label} | {shown(strata)} | {shown(mlflow)} | {ratio} |")

    mlflow_write = get("mlflow", "write")
    if write or mlflow_write:
        strata_rate = write["points_per_second"] if write else None
        mlflow_rate = mlflow_write["points_per_second"] if mlflow_write else None
        ratio = f"{strata_rate / mlflow_rate:,.0f}×" if strata_rate and mlflow_rate else "—"
        print(f"| writing, points/s (Strata: every point, {write['flush_steps'] if write else '?'} steps a transaction; "
              f"MLflow: log_batch of {mlflow_write['runs_logged'] if mlflow_write else '?'} runs) | "
              f"{strata_rate or 0:,.0f} | {mlflow_rate or 0:,.0f} | {ratio} |")
    row("search with the filter, sorted, with params and metrics", get("strata", "search_with_data"),
        get("mlflow", "search_with_data"))
    row("the same search, as a pandas DataFrame (mlflow.search_runs)", get("strata", "search_with_data"),
        get("mlflow", "search_dataframe"))
    row("list every run with params and metrics", get("strata", "list_all"), get("mlflow", "list_all"))
    row("10-run compare, full series", get("strata", "compare_full"), get("mlflow", "compare_full"))
    row("10-run compare, downsampled (Strata: over HTTP only, below)", get("strata", "compare_downsampled"),
        get("mlflow", "compare_downsampled"))
    row("HTTP: search (`/api/runs` / `runs/search`)", get("strata", "api_runs"), get("mlflow", "rest_search"))
    row("HTTP: list every run (`/api/runs` / `runs/search`)", get("strata", "api_runs_all"), get("mlflow", "rest_list_all"))
    row("HTTP: 10-run compare, downsampled (`/api/compare` / `get-history-bulk-interval`)", get("strata", "api_compare"),
        get("mlflow", "rest_compare_downsampled"))
    sizes = get("strata", "store_size"), get("mlflow", "store_size")
    if all(sizes):
        print(f"| store size | {sizes[0]['bytes'] / 1e9:.2f} GB | {sizes[1]['bytes'] / 1e9:.2f} GB | |")
    fill = get("mlflow", "bulk_fill")
    if fill:
        print(f"\nMLflow's other {fill['runs']:,} runs' points were written with SQL into MLflow's own schema "
              f"in {fill['seconds']:,.0f} s (not MLflow's logging speed).")

    strata_search, mlflow_search = get("strata", "search"), get("mlflow", "search_with_data")
    if strata_search and mlflow_search:
        same = strata_search["matches"] == mlflow_search["matches"] == mlflow_search["expected_default_filter"]
        print(f"\nBoth sides found the same runs: Strata {strata_search['matches']}, MLflow {mlflow_search['matches']}, "
              f"expected {mlflow_search['expected_default_filter']} — {'yes' if same else 'NO'}.")

    print("\n| target | measured | met |\n| --- | --- | --- |")

    def target(label, record, limit, fallback=None):
        if record:
            print(f"| {label} | {ms(record)} | {'met' if record['seconds'] < limit else 'not met'} |")
        elif fallback:
            print(f"| {label} | no strata-serve: library call {ms(fallback)} | "
                  f"{'met (library only)' if fallback['seconds'] < limit else 'not met'} |")
        else:
            print(f"| {label} | not measured | — |")
    target("runs API under 300 ms", get("strata", "api_runs"), 0.3, get("strata", "search_with_data"))
    target("10-run compare under 500 ms", get("strata", "api_compare"), 0.5, get("strata", "compare_full"))
    for label, strata, mlflow in [("faster than MLflow at listing", get("strata", "list_all"), get("mlflow", "list_all")),
                                  ("faster than MLflow at searching", get("strata", "search_with_data"),
                                   get("mlflow", "search_with_data"))]:
        if strata and mlflow:
            met = strata["seconds"] < mlflow["seconds"]
            print(f"| {label} | {ms(strata)} against {ms(mlflow)} | {'met' if met else 'not met'} |")
        else:
            print(f"| {label} | not measured | — |")


if __name__ == "__main__":
    main()
