#!/usr/bin/env python3
"""Writes 64-dimensional embeddings of MNIST's 70,000 images in strata-retrievalbench's file layout.

    bench/reference/.venv/bin/python bench/reference/mnist_embeddings.py --out DIR [--kmeans-k 6,256,1024]

The embedding is PCA-64, computed by NumPy: pixels scaled to [0, 1], the principal axes of the
60,000 training images (eigenvectors of their covariance), every image centred by the training
mean and projected on the first 64 axes. DIR receives base.f32 (the 60,000 training images, (60000, 64)),
queries.f32 (the 10,000 test images, (10000, 64)) and centres_<k>.f32 (the first k base vectors) for
each k of --kmeans-k and for the IVF list count 1024: raw little-endian float32, as
`strata-retrievalbench --write` saves them. The IDX files come from $STRATA_DATA/mnist (or --mnist).
"""
from __future__ import annotations

import argparse
import gzip
import os
import sys
from pathlib import Path

import numpy as np


def read_idx_images(path: Path) -> np.ndarray:
    """(count, rows × columns) uint8 images from an IDX3 file, gzipped or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as file:
        data = file.read()
    magic, count, rows, columns = (int.from_bytes(data[i:i + 4], "big") for i in range(0, 16, 4))
    if magic != 2051 or len(data) != 16 + count * rows * columns:
        sys.exit(f"mnist_embeddings.py: {path} is not an IDX3 image file (magic {magic}, {len(data)} bytes)")
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows * columns)


def find(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        if (folder / name).exists():
            return folder / name
    sys.exit(f"mnist_embeddings.py: no {stem}[.gz] in {folder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    default = Path(os.environ["STRATA_DATA"]) / "mnist" if "STRATA_DATA" in os.environ else None
    parser.add_argument("--mnist", type=Path, default=default, help="folder of the IDX files ($STRATA_DATA/mnist)")
    parser.add_argument("--dimension", type=int, default=64)
    parser.add_argument("--kmeans-k", default="6,256,1024")
    parser.add_argument("--lists", type=int, default=1024)
    arguments = parser.parse_args()
    if arguments.mnist is None:
        sys.exit("mnist_embeddings.py: set STRATA_DATA or pass --mnist")

    train = read_idx_images(find(arguments.mnist, "train-images-idx3-ubyte")).astype(np.float64) / 255
    test = read_idx_images(find(arguments.mnist, "t10k-images-idx3-ubyte")).astype(np.float64) / 255
    mean = train.mean(axis=0)
    covariance = (train - mean).T @ (train - mean) / len(train)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)  # ascending
    axes = eigenvectors[:, ::-1][:, :arguments.dimension]
    explained = eigenvalues[::-1][:arguments.dimension].sum() / eigenvalues.sum()
    base = np.ascontiguousarray(((train - mean) @ axes).astype("<f4"))
    queries = np.ascontiguousarray(((test - mean) @ axes).astype("<f4"))

    arguments.out.mkdir(parents=True, exist_ok=True)
    base.tofile(arguments.out / "base.f32")
    queries.tofile(arguments.out / "queries.f32")
    for k in {int(k) for k in arguments.kmeans_k.split(",") if k} | {arguments.lists}:
        base[:k].tofile(arguments.out / f"centres_{k}.f32")
    print(f"mnist_embeddings.py: PCA-{arguments.dimension} of MNIST ({100 * explained:.1f}% of the variance): "
          f"{len(base)} training images → base.f32, {len(queries)} test images → queries.f32, in {arguments.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
