#!/usr/bin/env python3
"""FAISS and scikit-learn on the rows of strata-retrievalbench, reading the same float32 files.

    strata-retrievalbench --data blobs --count 50000 --metric l2 --write DATA --write-only
    bench/reference/.venv/bin/python bench/reference/retrieval_bench.py --data DATA --threads 1

DATA holds base.f32 (count, dimension), queries.f32 (queries, dimension) and centres_<k>.f32 (the
first k base vectors), raw little-endian float32 as `strata-retrievalbench --write` saves them.
The measurements and their definitions are Strata's (Benchmarks/RetrievalBench/main.swift):

* k-means (FAISS `faiss.Kmeans`, scikit-learn `KMeans(algorithm="lloyd", n_init=1, tol=0)`) from
  centres_<k>.f32, no subsampling (FAISS's max_points_per_centroid = count): seconds per iteration =
  (fit + one last assignment with the final centres) / iterations; inertia with the final centres.
  scikit-learn's fit makes that last assignment itself; for FAISS it is `index.search(x, 1)`.
* exact top-10 (FAISS IndexFlatL2/IP, scikit-learn NearestNeighbors(algorithm="brute")): queries/s
  batched (all queries in one call) and one query at a time (the first --single-queries queries).
* IVF (FAISS IndexIVFFlat): the coarse centres are FAISS k-means, --ivf-iterations Lloyd iterations
  from centres_<lists>.f32 (the start Strata's IVF uses); recall@10 against FAISS's exact top-10.
  scikit-learn has no IVF.

Every timed search runs at least once and again until --min-seconds have passed (queries/s is the
mean). The thread count goes to OMP_NUM_THREADS before FAISS and scikit-learn load, to
faiss.omp_set_num_threads and to threadpoolctl. One JSON object per measurement on standard output.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def log(message: str) -> None:
    """A progress line on standard error (standard output carries only the JSON lines)."""
    print(message, file=sys.stderr, flush=True)


def read_vectors(path: Path, dimension: int):
    import numpy as np
    values = np.fromfile(path, dtype="<f4")
    if values.size % dimension:
        sys.exit(f"retrieval_bench.py: {path}: {values.size} floats are not a whole number of {dimension}-vectors")
    return np.ascontiguousarray(values.reshape(-1, dimension))


def queries_per_second(queries: int, minimum_seconds: float, body) -> float:
    """Queries/s of `body`, which answers `queries` queries: at least one run, then until `minimum_seconds`."""
    runs, elapsed = 0, 0.0
    while True:
        start = time.perf_counter()
        body()
        elapsed += time.perf_counter() - start
        runs += 1
        if elapsed >= minimum_seconds:
            return queries * runs / elapsed


def recall_at_10(found, exact) -> float:
    """The mean fraction of each exact top-10 (rows of ids) found in the approximate top-10."""
    total = 0.0
    for hits, truth in zip(found, exact):
        truth_ids = {int(i) for i in truth if i >= 0}
        total += len(truth_ids.intersection(int(i) for i in hits)) / max(len(truth_ids), 1)
    return total / max(len(exact), 1)


def run_faiss(arguments, base, queries, emit) -> None:
    import faiss
    import numpy as np
    faiss.omp_set_num_threads(arguments.threads)
    n, d = base.shape
    singles = min(arguments.single_queries, len(queries))
    common = {"framework": "faiss", "version": faiss.__version__}

    def kmeans(k: int, iterations: int, centres):
        model = faiss.Kmeans(d, k, niter=iterations, max_points_per_centroid=n, min_points_per_centroid=1,
                             verbose=False)
        model.train(base, init_centroids=centres)
        return model

    for k in arguments.kmeans_k:
        if k > n:
            continue
        centres = read_vectors(arguments.data / f"centres_{k}.f32", d)
        start = time.perf_counter()
        model = kmeans(k, arguments.iterations, centres)
        distances, _ = model.index.search(base, 1)  # the last assignment, with the final centres
        seconds = time.perf_counter() - start
        inertia = float(distances.astype(np.float64).sum())
        log(f"faiss k-means k={k}: {seconds / arguments.iterations:.4f} s/iteration, inertia {inertia:.6g}")
        emit(common, task="kmeans", k=k, seconds_per_iteration=seconds / arguments.iterations,
             iterations=arguments.iterations, seconds=seconds, inertia=inertia)

    l2 = arguments.metric == "l2"
    flat = faiss.IndexFlatL2(d) if l2 else faiss.IndexFlatIP(d)
    flat.add(base)
    flat.search(queries[:10], 10)  # warm-up
    exact = None

    def flat_batched():
        nonlocal exact
        exact = flat.search(queries, 10)[1]

    batched = queries_per_second(len(queries), arguments.min_seconds, flat_batched)
    single = queries_per_second(singles, arguments.min_seconds,
                                lambda: [flat.search(queries[q:q + 1], 10) for q in range(singles)])
    log(f"faiss flat top-10: {batched:.0f} queries/s batched, {single:.0f} one at a time")
    emit(common, task="flat", batched_qps=batched, single_qps=single, single_queries=singles)

    lists = arguments.lists or min(1024, max(1, n // 39))
    start = time.perf_counter()
    model = kmeans(lists, arguments.ivf_iterations, read_vectors(arguments.data / f"centres_{lists}.f32", d))
    quantizer = faiss.IndexFlatL2(d) if l2 else faiss.IndexFlatIP(d)
    quantizer.add(model.centroids)
    ivf = faiss.IndexIVFFlat(quantizer, d, lists, faiss.METRIC_L2 if l2 else faiss.METRIC_INNER_PRODUCT)
    ivf.is_trained = True  # the quantiser holds the centres already; IVFFlat itself needs no training
    ivf.add(base)
    seconds = time.perf_counter() - start
    log(f"faiss IVF {lists} lists: trained ({arguments.ivf_iterations} iterations) and filled in {seconds:.2f} s")
    emit(common, task="ivf-build", lists=lists, iterations=arguments.ivf_iterations, seconds=seconds)
    for nprobe in arguments.nprobe:
        if nprobe > lists:
            continue
        ivf.nprobe = nprobe
        ivf.search(queries[:10], 10)  # warm-up
        found = None

        def ivf_batched():
            nonlocal found
            found = ivf.search(queries, 10)[1]

        batched = queries_per_second(len(queries), arguments.min_seconds, ivf_batched)
        single = queries_per_second(singles, arguments.min_seconds,
                                    lambda: [ivf.search(queries[q:q + 1], 10) for q in range(singles)])
        recall = recall_at_10(found, exact)
        log(f"faiss IVF nprobe={nprobe}: recall@10 {recall:.4f}, {batched:.0f} queries/s batched, "
            f"{single:.0f} one at a time")
        emit(common, task="ivf", lists=lists, nprobe=nprobe, recall_at_10=recall, batched_qps=batched,
             single_qps=single, single_queries=singles)


def run_sklearn(arguments, base, queries, emit) -> None:
    import sklearn
    from sklearn.cluster import KMeans
    from sklearn.neighbors import NearestNeighbors
    n, d = base.shape
    singles = min(arguments.single_queries, len(queries))
    common = {"framework": "sklearn", "version": sklearn.__version__}
    for k in arguments.kmeans_k:
        if k > n:
            continue
        centres = read_vectors(arguments.data / f"centres_{k}.f32", d)
        model = KMeans(n_clusters=k, init=centres, n_init=1, max_iter=arguments.iterations, tol=0,
                       algorithm="lloyd")
        start = time.perf_counter()
        model.fit(base)  # ends with an assignment to the final centres, which gives inertia_
        seconds = time.perf_counter() - start
        iterations = int(model.n_iter_)
        per_iteration = seconds / max(iterations, 1)
        log(f"sklearn k-means k={k}: {per_iteration:.4f} s/iteration ({iterations} iterations), "
            f"inertia {model.inertia_:.6g}")
        emit(common, task="kmeans", k=k, seconds_per_iteration=per_iteration, iterations=iterations,
             seconds=seconds, inertia=float(model.inertia_))

    # Exact search; on unit vectors the Euclidean ranking is the inner-product ranking.
    if arguments.metric != "l2":
        log("sklearn: NearestNeighbors has no inner-product metric; ranking by Euclidean distance")
    neighbours = NearestNeighbors(n_neighbors=10, algorithm="brute", metric="euclidean").fit(base)
    neighbours.kneighbors(queries[:10])  # warm-up
    batched = queries_per_second(len(queries), arguments.min_seconds, lambda: neighbours.kneighbors(queries))
    single = queries_per_second(singles, arguments.min_seconds,
                                lambda: [neighbours.kneighbors(queries[q:q + 1]) for q in range(singles)])
    log(f"sklearn flat top-10: {batched:.0f} queries/s batched, {single:.0f} one at a time")
    emit(common, task="flat", batched_qps=batched, single_qps=single, single_queries=singles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="folder of base.f32, queries.f32, centres_<k>.f32")
    parser.add_argument("--dataset", default="file", help="the name the JSON records carry")
    parser.add_argument("--dimension", type=int, default=64)
    parser.add_argument("--kmeans-k", default="6,256,1024")
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--lists", type=int, default=0, help="IVF lists (default min(1024, count / 39), as Strata)")
    parser.add_argument("--ivf-iterations", type=int, default=10)
    parser.add_argument("--nprobe", default="1,4,16,64")
    parser.add_argument("--metric", choices=["l2", "inner_product"], default="inner_product")
    parser.add_argument("--single-queries", type=int, default=100)
    parser.add_argument("--min-seconds", type=float, default=0.0)
    parser.add_argument("--frameworks", default="faiss,sklearn")
    default_threads = int(os.environ.get("STRATA_THREADS", "0")) or os.cpu_count() or 1
    parser.add_argument("--threads", type=int, default=default_threads)
    arguments = parser.parse_args()
    arguments.kmeans_k = [int(k) for k in arguments.kmeans_k.split(",") if k]
    arguments.nprobe = [int(p) for p in arguments.nprobe.split(",") if p]
    frameworks = [name for name in arguments.frameworks.split(",") if name]
    if unknown := [name for name in frameworks if name not in ("faiss", "sklearn")]:
        parser.error(f"unknown framework(s) {', '.join(unknown)}; choose from faiss, sklearn")

    # Before FAISS, NumPy's BLAS and scikit-learn's OpenMP runtime load.
    os.environ["OMP_NUM_THREADS"] = str(arguments.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(arguments.threads)
    os.environ["MKL_NUM_THREADS"] = str(arguments.threads)
    from threadpoolctl import threadpool_limits

    base = read_vectors(arguments.data / "base.f32", arguments.dimension)
    queries = read_vectors(arguments.data / "queries.f32", arguments.dimension)
    log(f"retrieval_bench.py: {arguments.dataset} {base.shape[0]} × {base.shape[1]} base, {len(queries)} queries, "
        f"{arguments.threads} threads, metric {arguments.metric}")
    shared = {"dataset": arguments.dataset, "threads": arguments.threads, "count": int(base.shape[0]),
              "dimension": int(base.shape[1]), "queries": int(len(queries)), "metric": arguments.metric}

    def emit(common: dict, **fields) -> None:
        print(json.dumps({**shared, **common, **fields}, sort_keys=True), flush=True)

    with threadpool_limits(limits=arguments.threads):
        if "faiss" in frameworks:
            run_faiss(arguments, base, queries, emit)
        if "sklearn" in frameworks:
            run_sklearn(arguments, base, queries, emit)


if __name__ == "__main__":
    main()
