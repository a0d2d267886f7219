#!/usr/bin/env python3
"""MLflow's run store at scale: the peer of strata-trackbench (Benchmarks/TrackBench).

Makes the same runs as strata-trackbench (same seed, same parameters, same metric values: the
SyntheticRuns formulas below are Benchmarks/TrackBench/SyntheticRuns.swift line for line) in MLflow
with its SQLite backend (sqlite:///FILE), then times what Strata's side times:

- writing: MLflow's own logging, `MlflowClient.log_batch` (at most 1000 metrics a call, MLflow's limit)
  of every point of the first --logged-runs runs, as points/s. Logging all 50 M points through the
  client would take hours, so the rest of the database is then filled in bulk with SQL (sqlite3's
  executemany) in MLflow's own schema, which MLflow creates itself first; every run is created and its
  params logged through the client.
- searching: `MlflowClient.search_runs` with --where, ordered by --order-by; and `mlflow.search_runs`
  (a pandas DataFrame). MLflow's params are strings and take only =, !=, LIKE and ILIKE (no <, and
  IN only on run attributes), so Strata's numeric `params.learning_rate < 0.01` becomes
  `params.learning_rate LIKE '0.00%'`: of the seven rates the runs draw from (0.0001 … 0.1, written as
  plain decimals) exactly those below 0.01; both sides report their match count and the number the
  generator itself expects.
- listing every run (`search_runs`, max_results = --runs).
- a compare of --compare-runs runs: `get_metric_history` of one metric for each, and the store's
  `get_metric_history_bulk_interval` (what MLflow's UI charts use) with --max-points points per run.
- with --server: the same search and compare through `mlflow server`'s REST API on 127.0.0.1 (a free port),
  medians of --repeat requests each.

One JSON object per measurement goes to standard output; progress to standard error.

    bench/reference/.venv/bin/python bench/reference/mlflow_bench.py --runs 1000 --steps 10000 --metrics 5 \
        --db /tmp/trackbench/mlflow.sqlite [--server]
"""
import argparse
import itertools
import json
import math
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

MASK = (1 << 64) - 1


class SyntheticRuns:
    """The runs of Benchmarks/TrackBench/SyntheticRuns.swift: pure functions of (seed, run, step, metric)."""

    learning_rates = ["0.0001", "0.0003", "0.001", "0.003", "0.01", "0.03", "0.1"]
    batch_sizes = ["32", "64", "128", "256"]
    models = ["mlp", "cnn", "resnet18"]
    optimizers = ["sgd", "adam", "adamw"]
    dropouts = ["0.0", "0.1", "0.3", "0.5"]
    metric_names = ["val_accuracy", "loss", "accuracy", "val_loss", "grad_norm"]

    def __init__(self, seed, runs, steps, metrics):
        self.seed, self.runs, self.steps, self.metrics = seed, runs, steps, metrics
        self.steps_per_epoch = max(1, steps // 10)

    @staticmethod
    def mix(x):
        z = (x + 0x9E3779B97F4A7C15) & MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def hash(self, run, step, slot):
        mix = self.mix
        return mix((mix((mix((self.seed + run) & MASK) + step) & MASK) + slot) & MASK)

    def uniform(self, run, step, slot):
        return (self.hash(run, step, slot) >> 11) / 9007199254740992.0

    @property
    def names(self):
        return [self.metric_names[m] if m < len(self.metric_names) else f"metric_{m}" for m in range(self.metrics)]

    def params(self, run):
        def pick(choices, slot):
            return choices[self.hash(run, 0, slot) % len(choices)]
        return {"learning_rate": pick(self.learning_rates, 100), "batch_size": pick(self.batch_sizes, 101),
                "model": pick(self.models, 102), "optimizer": pick(self.optimizers, 103),
                "dropout": pick(self.dropouts, 104), "seed": str(run), "epochs": "10"}

    def final_accuracy(self, run):
        return 0.5 + 0.49 * float(self.hash(run, 0, 200) % 10000) / 10000

    def value(self, run, step, metric):
        tau = float(self.steps) / 5
        decay = math.exp(-float(step) / tau)
        noise = self.uniform(run, step, metric)
        if metric == 0:
            return self.final_accuracy(run) * ((1 - decay) / (1 - math.exp(-float(self.steps) / tau)))
        if metric == 1:
            return 2.3 * decay + 0.05 + 0.02 * noise
        if metric == 2:
            return min(1.0, self.final_accuracy(run) + 0.03) * (1 - decay) + 0.01 * noise
        if metric == 3:
            return 2.3 * decay + 0.1 + 0.02 * noise
        if metric == 4:
            return 1 + noise
        return noise

    def series(self, run, metric):
        """`value(run, step, metric)` for steps 1…steps as a NumPy array, the same numbers computed at once
        (the decay through math.exp, as `value` does; uint64 arithmetic wraps as SplitMix64 wants)."""
        import numpy as np
        steps = np.arange(1, self.steps + 1, dtype=np.uint64)

        def mix(x):
            z = x + np.uint64(0x9E3779B97F4A7C15)
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            return z ^ (z >> np.uint64(31))
        start = np.full(self.steps, self.mix((self.seed + run) & MASK), dtype=np.uint64)
        noise = (mix(mix(start + steps) + np.uint64(metric)) >> np.uint64(11)).astype(np.float64) / 9007199254740992.0
        tau = float(self.steps) / 5
        decay = np.array([math.exp(-float(step) / tau) for step in range(1, self.steps + 1)])
        final = self.final_accuracy(run)
        if metric == 0:
            return final * ((1 - decay) / (1 - math.exp(-float(self.steps) / tau)))
        if metric == 1:
            return 2.3 * decay + 0.05 + 0.02 * noise
        if metric == 2:
            return min(1.0, final + 0.03) * (1 - decay) + 0.01 * noise
        if metric == 3:
            return 2.3 * decay + 0.1 + 0.02 * noise
        if metric == 4:
            return 1 + noise
        return noise

    def started_ms(self, run):
        return (1767225600 + run * 3600) * 1000

    def time_ms(self, run, step):
        return self.started_ms(run) + step * 100

    def expected_matches(self, below, above):
        """The runs with learning_rate < below and final val_accuracy > above (the default filter)."""
        return sum(1 for r in range(self.runs)
                   if float(self.params(r)["learning_rate"]) < below and self.final_accuracy(r) > above)


def median_seconds(repeats, body):
    body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def emit(common, task, **fields):
    record = dict(common, task=task, **fields)
    print(json.dumps(record, sort_keys=True), flush=True)
    shown = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in fields.items()}
    print(f"mlflow_bench: {task}: {shown}", file=sys.stderr, flush=True)


def fill(client, synthetic, experiment_id, logged_runs, common):
    """Creates every run through the client; logs the first `logged_runs` runs' points with log_batch
    (timed) and writes the others' in bulk with SQL. Returns the run ids in run order."""
    from mlflow.entities import Metric, Param, RunStatus
    names = synthetic.names
    ids = []
    start = time.perf_counter()
    for run in range(synthetic.runs):
        created = client.create_run(experiment_id, start_time=synthetic.started_ms(run), run_name=f"run-{run:05d}")
        ids.append(created.info.run_id)
        client.log_batch(created.info.run_id, params=[Param(k, v) for k, v in synthetic.params(run).items()])
    emit(common, "create_runs", seconds=time.perf_counter() - start, runs=synthetic.runs,
         note="create_run and log_batch of the params, per run")

    logged = min(logged_runs, synthetic.runs)
    logged_points, logging_time = 0, 0.0
    for run in range(logged):
        batch = []
        values = [synthetic.series(run, metric).tolist() for metric in range(synthetic.metrics)]
        for step in range(1, synthetic.steps + 1):
            timestamp = synthetic.time_ms(run, step)
            for metric in range(synthetic.metrics):
                batch.append(Metric(names[metric], values[metric][step - 1], timestamp, step))
        start = time.perf_counter()
        for offset in range(0, len(batch), 1000):
            client.log_batch(ids[run], metrics=batch[offset:offset + 1000])
        logging_time += time.perf_counter() - start
        logged_points += len(batch)
        client.set_terminated(ids[run], RunStatus.to_string(RunStatus.FINISHED),
                              end_time=synthetic.time_ms(run, synthetic.steps))
    if logged:
        emit(common, "write", points=logged_points, seconds=logging_time, runs_logged=logged,
             points_per_second=logged_points / logging_time, method="MlflowClient.log_batch, 1000 metrics a call")

    # The rest in bulk, in MLflow's schema (metrics, latest_metrics, the runs' status and end time).
    start = time.perf_counter()
    database = sqlite3.connect(common["db"])
    database.execute("PRAGMA cache_size = -400000")
    database.execute("PRAGMA synchronous = OFF")
    # MLflow's two secondary indexes on metrics are dropped for the fill and made again from MLflow's own SQL
    # after it (one sort each, faster than growing them row by row); the table and its primary key stay.
    indexes = database.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'metrics' "
                               "AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        database.execute(f'DROP INDEX "{name}"')
    database.execute("BEGIN")
    steps = range(1, synthetic.steps + 1)
    for run in range(logged, synthetic.runs):
        times = [synthetic.time_ms(run, step) for step in steps]
        last = synthetic.steps
        for metric in range(synthetic.metrics):
            values = synthetic.series(run, metric).tolist()
            database.executemany(
                "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)",
                zip(itertools.repeat(names[metric]), values, times, itertools.repeat(ids[run]), steps,
                    itertools.repeat(False)))
            database.execute(
                "INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)",
                (names[metric], values[-1], times[-1], last, False, ids[run]))
        database.execute("UPDATE runs SET status = 'FINISHED', end_time = ?, lifecycle_stage = 'active' WHERE run_uuid = ?",
                         (synthetic.time_ms(run, last), ids[run]))
        if (run + 1) % max(1, synthetic.runs // 10) == 0:
            print(f"mlflow_bench: bulk-filled {run + 1} of {synthetic.runs} runs", file=sys.stderr, flush=True)
    database.commit()
    for _, sql in indexes:
        database.execute(sql)
    database.commit()
    database.close()
    emit(common, "bulk_fill", seconds=time.perf_counter() - start, runs=synthetic.runs - logged,
         method="sqlite3 executemany into MLflow's own tables (not MLflow's logging speed)")
    return ids


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def time_server(args, common, experiment_id, filter_string, order_by, compare_ids, metric):
    """Starts `mlflow server` on 127.0.0.1 and times the search and the bulk-interval history over REST."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="mlflow-server-", suffix=".log", delete=False)
    # Its own process group, so that the uvicorn worker goes with it; no background job runners (huey).
    environment = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
    server = subprocess.Popen([sys.executable, "-m", "mlflow", "server", "--backend-store-uri", f"sqlite:///{args.db}",
                               "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                              stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.perf_counter() - started > 300:
                raise RuntimeError(f"mlflow server did not start within 300 s (log: {log.name})")
            time.sleep(0.5)
        emit(common, "server_start", seconds=time.perf_counter() - started)

        def post(path, body):
            request = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read())

        def get(path):
            with urllib.request.urlopen(base + path, timeout=120) as response:
                return json.loads(response.read())

        search_body = {"experiment_ids": [experiment_id], "filter": filter_string, "order_by": [order_by],
                       "max_results": args.runs}
        found = {}
        def search():
            found["runs"] = post("/api/2.0/mlflow/runs/search", search_body).get("runs", [])
        emit(common, "rest_search", seconds=median_seconds(args.repeat, search), matches=len(found["runs"]))

        def list_all():
            found["all"] = post("/api/2.0/mlflow/runs/search",
                                {"experiment_ids": [experiment_id], "max_results": args.runs}).get("runs", [])
        emit(common, "rest_list_all", seconds=median_seconds(args.repeat, list_all), listed=len(found["all"]))

        query = "&".join([f"run_ids={run_id}" for run_id in compare_ids]
                         + [f"metric_key={metric}", f"max_results={min(args.max_points, 2500)}"])
        def compare():
            found["points"] = len(get("/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?" + query).get("metrics", []))
        emit(common, "rest_compare_downsampled", seconds=median_seconds(args.repeat, compare), points=found["points"],
             compare_runs=len(compare_ids), max_points=min(args.max_points, 2500))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10000)
    parser.add_argument("--metrics", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", default="/tmp/trackbench/mlflow.sqlite")
    parser.add_argument("--logged-runs", type=int, default=2, help="runs logged through MlflowClient.log_batch (timed)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--compare-runs", type=int, default=10)
    parser.add_argument("--max-points", type=int, default=2000)
    parser.add_argument("--where", default="params.learning_rate LIKE '0.00%' and metrics.val_accuracy > 0.9")
    parser.add_argument("--order-by", default="metrics.val_accuracy DESC")
    parser.add_argument("--server", action="store_true", help="also time mlflow server's REST API on 127.0.0.1")
    args = parser.parse_args()

    os.environ.setdefault("MLFLOW_ENABLE_ASYNC_LOGGING", "false")
    import mlflow
    from mlflow import MlflowClient
    from mlflow.tracking._tracking_service.utils import _get_store

    synthetic = SyntheticRuns(args.seed, args.runs, args.steps, args.metrics)
    for metric in range(args.metrics):   # the NumPy series are the formulas' numbers
        assert synthetic.series(0, metric).tolist() == [synthetic.value(0, step, metric) for step in range(1, args.steps + 1)]
    os.makedirs(os.path.dirname(os.path.abspath(args.db)), exist_ok=True)
    for suffix in ["", "-wal", "-shm", "-journal"]:
        if os.path.exists(args.db + suffix):
            os.remove(args.db + suffix)
    uri = f"sqlite:///{os.path.abspath(args.db)}"
    args.db = os.path.abspath(args.db)
    mlflow.set_tracking_uri(uri)
    common = {"framework": "mlflow", "version": mlflow.__version__, "runs": args.runs, "steps": args.steps,
              "metrics": args.metrics, "db": args.db}
    client = MlflowClient(tracking_uri=uri)
    artifacts = os.path.join(os.path.dirname(args.db), "mlflow-artifacts")   # stays empty: no artifacts are logged
    experiment_id = client.create_experiment("trackbench", artifact_location="file://" + artifacts)
    fill(client, synthetic, experiment_id, args.logged_runs, common)
    emit(common, "store_size", bytes=os.path.getsize(args.db))

    expected = synthetic.expected_matches(0.01, 0.9)
    found = {}
    def search():
        found["runs"] = client.search_runs([experiment_id], filter_string=args.where, order_by=[args.order_by],
                                           max_results=args.runs)
    seconds = median_seconds(args.repeat, search)
    emit(common, "search_with_data", seconds=seconds, matches=len(found["runs"]), expected_default_filter=expected,
         where=args.where, order_by=args.order_by, method="MlflowClient.search_runs")
    def search_frame():
        found["frame"] = mlflow.search_runs([experiment_id], filter_string=args.where, order_by=[args.order_by],
                                            max_results=args.runs)
    emit(common, "search_dataframe", seconds=median_seconds(args.repeat, search_frame), matches=len(found["frame"]),
         method="mlflow.search_runs (pandas DataFrame)")
    def list_all():
        found["all"] = client.search_runs([experiment_id], max_results=args.runs)
    emit(common, "list_all", seconds=median_seconds(args.repeat, list_all), listed=len(found["all"]),
         method="MlflowClient.search_runs, no filter")

    compare_ids = [run.info.run_id for run in found["runs"][:args.compare_runs]]
    metric = synthetic.names[min(1, args.metrics - 1)]
    def compare_full():
        found["points"] = sum(len(client.get_metric_history(run_id, metric)) for run_id in compare_ids)
    emit(common, "compare_full", seconds=median_seconds(args.repeat, compare_full), points=found["points"],
         compare_runs=len(compare_ids), metric=metric, method="MlflowClient.get_metric_history per run")
    store = _get_store()
    max_results = min(args.max_points, 2500)
    def compare_sampled():
        found["sampled"] = len(store.get_metric_history_bulk_interval(compare_ids, metric, max_results, None, None))
    emit(common, "compare_downsampled", seconds=median_seconds(args.repeat, compare_sampled), points=found["sampled"],
         compare_runs=len(compare_ids), metric=metric, max_points=max_results,
         method="SqlAlchemyStore.get_metric_history_bulk_interval (the UI's sampled charts)")

    if args.server:
        time_server(args, common, experiment_id, args.where, args.order_by, compare_ids, metric)


if __name__ == "__main__":
    main()
