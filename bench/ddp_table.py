#!/usr/bin/env python3
"""The scaling table of bench/compare-ddp's JSON lines: images/s per configuration and the parallel
efficiency of 2 processes (throughput ÷ 2 × the 1-process, 1-thread throughput).

    python3 bench/ddp_table.py docs/performance-runs/ddp-….jsonl
"""
import json
import sys


def main() -> None:
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
    models = list(dict.fromkeys(row["row"] for row in rows))
    print("| model | framework | 1 process × 1 thread | 2 processes × 1 thread | efficiency | 1 process × 2 threads |"
          " 2 hosts, 1 Gbit/s | 2 hosts, 1 Gbit/s + 0.2 ms | 2 hosts, 10 Gbit/s | 10 Gbit/s efficiency |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for model in models:
        for framework in ["strata", "pytorch-ddp"]:
            def find(processes: int, threads: int, link: str | None = None) -> float | None:
                for row in rows:
                    if (row["row"], row["framework"], row["processes"], row["threads"], row.get("link")) == \
                            (model, framework, processes, threads, link):
                        return row["images_per_second"]
                return None
            one, two, threads = find(1, 1), find(2, 1), find(1, 2)
            slow, delayed, fast = find(2, 1, "1gbit"), find(2, 1, "1gbit+0.2ms"), find(2, 1, "10gbit")
            if one is None:
                continue
            cell = lambda value: f"{value:,.0f}" if value else "—"
            efficiency = f"{two / (2 * one):.0%}" if two else "—"
            fast_efficiency = f"{fast / (2 * one):.0%}" if fast else "—"
            print(f"| {model} | {framework} | {cell(one)} | {cell(two)} | {efficiency} | {cell(threads)} |"
                  f" {cell(slow)} | {cell(delayed)} | {cell(fast)} | {fast_efficiency} |")


if __name__ == "__main__":
    main()
