#!/usr/bin/env python3
"""PyTorch DistributedDataParallel reference for `strata-ddpbench`: the same models, optimizers, global
batch of 128 split over the processes, and timing (3 warm-up steps, then steps for at least --seconds).

    python3 bench/reference/ddp_bench.py --processes 2 --threads 1 [--only vgg,resnet20,mlp512] [--seconds 10]

Starts --processes worker processes (torch.multiprocessing) joined by the gloo backend over TCP on
127.0.0.1 (PyTorch's CPU backend) — or, when RANK and WORLD_SIZE are set (scripts/mpi-two-hosts
--each), runs that one rank, reaching rank 0 at MASTER_ADDR:MASTER_PORT; each takes its part of every global batch, DDP averages the
gradients in buckets during backward (25 MB, its default). With --processes 1 the model is trained
without DDP. Rank 0 prints one JSON line per row: framework "pytorch-ddp", images per second of the
whole job, milliseconds per step, processes and threads.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_bench import CLASSIFIERS  # noqa: E402  (the models and optimizers of strata-bench)

GLOBAL_BATCH = 128


def worker(rank: int, processes: int, threads: int, rows: list[str], seconds: float, port: int) -> None:
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    if processes > 1:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ.setdefault("MASTER_PORT", str(port))
        dist.init_process_group("gloo", rank=rank, world_size=processes)
    for row in rows:
        make, shape, make_optimizer = CLASSIFIERS[row]
        torch.manual_seed(1)
        model = make().train()
        net = nn.parallel.DistributedDataParallel(model) if processes > 1 else model
        optimizer = make_optimizer(net.parameters())
        per_rank = GLOBAL_BATCH // processes
        generator = torch.Generator().manual_seed(1 + rank)
        inputs = torch.rand((per_rank, *shape), generator=generator)
        labels = torch.arange(per_rank) % 10
        loss_function = nn.CrossEntropyLoss()

        def step() -> None:
            optimizer.zero_grad()
            loss_function(net(inputs), labels).backward()
            optimizer.step()

        for _ in range(3):
            step()
        steps, start = 0, time.perf_counter()
        while True:
            step()
            steps += 1
            done = torch.tensor([1.0 if time.perf_counter() - start >= seconds else 0.0])
            if processes > 1:
                dist.broadcast(done, 0)  # every rank stops after the same step, as strata-ddpbench does
            if done.item() > 0:
                break
        elapsed = time.perf_counter() - start
        if rank == 0:
            per_step = elapsed / steps
            link = os.environ.get("STRATA_LINK")
            print(json.dumps({"framework": "pytorch-ddp", "row": row, **({"link": link} if link else {}), "processes": processes, "threads": threads,
                              "images_per_second": GLOBAL_BATCH / per_step, "step_ms": per_step * 1e3,
                              "global_batch": GLOBAL_BATCH}, sort_keys=True), flush=True)
    if processes > 1:
        dist.destroy_process_group()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", default="mlp512,vgg,resnet20")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=29517)
    options = parser.parse_args()
    rows = options.only.split(",")
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        worker(int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"]), options.threads, rows, options.seconds, options.port)
    elif options.processes == 1:
        worker(0, 1, options.threads, rows, options.seconds, options.port)
    else:
        mp.spawn(worker, args=(options.processes, options.threads, rows, options.seconds, options.port),
                 nprocs=options.processes, join=True)


if __name__ == "__main__":
    main()
