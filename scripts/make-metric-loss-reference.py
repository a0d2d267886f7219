#!/usr/bin/env python3
"""Reference values of StrataNN's metric-learning losses and of L2 normalisation, computed by PyTorch.

    python3 scripts/make-metric-loss-reference.py   # rewrites Tests/StrataNNTests/Fixtures/metric-losses.json

The format is that of scripts/make-reference.py (read by Tests/StrataTestSupport/ReferenceFixture.swift):
each case has "name", "op", "params" (margin, scale, squared, integer "labels"...) and "tensors":
the inputs ("embeddings", and "weight" (C, D) for the angular-margin losses; "input" for normalize),
a "probe" of the output's shape (rank 0 for the losses), the "output" and "grad_<input>", the gradient
of sum(output * probe). Everything is
computed in float64 from float32 inputs and stored as float32 with 9 significant digits.

Each loss is written out from its reference definition, not from Strata's code:
  - triplet_batch_hard: Hermans et al. 2017, per anchor the farthest positive and the nearest negative,
    mean of relu(d_ap - d_an + margin) over anchors that have a positive and a negative;
  - triplet_semi_hard: TensorFlow Addons' triplet_semihard_loss, line for line (masked minimum and
    maximum, the mean over anchor-positive pairs);
  - contrastive: TensorFlow Addons' contrastive_loss over the pairs i < j, no 1/2 factors;
  - arcface / cosface: insightface's ArcMarginProduct (th / mm form) and AddMarginProduct, then
    F.cross_entropy.
Inputs are drawn again (deterministically) until no loss term sits within 1e-3 of a kink and no
mining choice within 1e-3 of a tie, so the gradients are well defined.
"""

import json
import math
import os
import zlib

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "StrataNNTests", "Fixtures", "metric-losses.json")
DTYPE = torch.float64
GAP = 1e-3


class Case:
    """One fixture case: a named generator of float32-representable inputs and the stored tensors."""

    def __init__(self, name, op, **params):
        self.name, self.op, self.params, self.tensors = name, op, params, {}
        self.rng = np.random.default_rng(zlib.crc32(name.encode()))

    def normal(self, *shape, scale=1.0):
        return torch.tensor(self.rng.standard_normal(shape).astype(np.float32) * np.float32(scale), dtype=DTYPE)

    def float32(self, value):
        """`value` rounded to float32 (what the fixture can store exactly)."""
        return value.to(torch.float32).to(DTYPE)

    def finish(self, inputs, function):
        """Stores the inputs, a probe, the output and grad_<name> of sum(output * probe)."""
        leaves = {name: value.clone().requires_grad_(True) for name, value in inputs.items()}
        output = function(**leaves)
        if output.dim() == 0:  # a loss: a scalar probe in [0.5, 1.5)
            probe = torch.tensor(float(np.float32(self.rng.uniform(0.5, 1.5))), dtype=DTYPE)
        else:
            probe = self.normal(*output.shape)
        output.backward(probe)
        for name, value in inputs.items():
            self.tensors[name] = value
        self.tensors["probe"], self.tensors["output"] = probe, output.detach()
        for name, leaf in leaves.items():
            self.tensors["grad_" + name] = leaf.grad
        return self


def encode_tensor(value):
    array = value.detach().to(torch.float32).numpy()
    return {"shape": list(array.shape), "data": [float("%.9g" % x) for x in array.reshape(-1).tolist()]}


def write(cases):
    lines = ["{", ' "generator": "scripts/make-metric-loss-reference.py",',
             f' "torch": {json.dumps(torch.__version__)},', ' "cases": [']
    for index, case in enumerate(cases):
        lines.append(f'  {{"name": {json.dumps(case.name)}, "op": {json.dumps(case.op)},')
        lines.append(f'   "params": {json.dumps(case.params)},')
        lines.append('   "tensors": {')
        names = list(case.tensors)
        for i, name in enumerate(names):
            comma = "," if i < len(names) - 1 else ""
            lines.append(f'    {json.dumps(name)}: {json.dumps(encode_tensor(case.tensors[name]))}{comma}')
        lines.append("   }}" + ("," if index < len(cases) - 1 else ""))
    lines += [" ]", "}", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(lines))
    print(f"{OUT}: {len(cases)} cases, {os.path.getsize(OUT)} bytes")


# --- Reference definitions ----------------------------------------------------------------------

def pairwise_distance(x, squared):
    """(N, N) distances from the differences themselves; the diagonal is 0 with zero gradient."""
    d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    if squared:
        return d2
    eye = torch.eye(len(x), dtype=x.dtype)
    return torch.sqrt(d2 + eye) - eye


def triplet_batch_hard(x, labels, margin, squared):
    d = pairwise_distance(x, squared)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    positive, negative = same & ~eye, ~same
    valid = positive.any(1) & negative.any(1)
    hardest_positive = torch.where(positive, d, torch.full_like(d, -math.inf)).max(1).values
    hardest_negative = torch.where(negative, d, torch.full_like(d, math.inf)).min(1).values
    return F.relu(hardest_positive - hardest_negative + margin)[valid].mean()


def masked_maximum(data, mask, dim=1):
    axis_minimums = data.min(dim, keepdim=True).values
    return ((data - axis_minimums) * mask).max(dim, keepdim=True).values + axis_minimums


def masked_minimum(data, mask, dim=1):
    axis_maximums = data.max(dim, keepdim=True).values
    return ((data - axis_maximums) * mask).min(dim, keepdim=True).values + axis_maximums


def triplet_semi_hard(x, labels, margin, squared):
    """tfa.losses.triplet_semihard_loss, translated to PyTorch."""
    pdist = pairwise_distance(x, squared)
    n = len(labels)
    adjacency = (labels[:, None] == labels[None, :])
    adjacency_not = ~adjacency
    pdist_tile = pdist.repeat(n, 1)
    mask = adjacency_not.repeat(n, 1) & (pdist_tile > pdist.t().reshape(-1, 1))
    mask_final = (mask.to(DTYPE).sum(1, keepdim=True) > 0).reshape(n, n).t()
    negatives_outside = masked_minimum(pdist_tile, mask.to(DTYPE)).reshape(n, n).t()
    negatives_inside = masked_maximum(pdist, adjacency_not.to(DTYPE)).repeat(1, n)
    semi_hard_negatives = torch.where(mask_final, negatives_outside, negatives_inside)
    loss_mat = margin + pdist - semi_hard_negatives
    mask_positives = adjacency.to(DTYPE) - torch.eye(n, dtype=DTYPE)
    return torch.clamp(loss_mat * mask_positives, min=0).sum() / mask_positives.sum()


def contrastive(x, labels, margin):
    d = pairwise_distance(x, False)
    i, j = torch.triu_indices(len(labels), len(labels), offset=1)
    same = (labels[i] == labels[j]).to(DTYPE)
    pair = d[i, j]
    return (same * pair ** 2 + (1 - same) * F.relu(margin - pair) ** 2).mean()


def angular_logits(x, weight, labels, kind, scale, margin):
    cosine = F.linear(F.normalize(x), F.normalize(weight))
    one_hot = F.one_hot(labels, weight.shape[0]).to(DTYPE)
    if kind == "arcface":
        sine = torch.sqrt((1.0 - cosine ** 2).clamp(0, 1))
        phi = cosine * math.cos(margin) - sine * math.sin(margin)
        th, mm = math.cos(math.pi - margin), math.sin(math.pi - margin) * margin
        phi = torch.where(cosine > th, phi, cosine - mm)
    else:
        phi = cosine - margin
    return scale * (one_hot * phi + (1 - one_hot) * cosine)


# --- Cases ----------------------------------------------------------------------------------------

def clustered(case, labels, dimension, spread):
    """Unit-length embeddings around one random centre per label."""
    centres = case.normal(int(labels.max()) + 1, dimension)
    return case.float32(F.normalize(centres[labels] + case.normal(len(labels), dimension, scale=spread)))


def second_gap(values):
    """The gap between the smallest and the second smallest of `values` (inf with fewer than two)."""
    ordered = sorted(values)
    return ordered[1] - ordered[0] if len(ordered) > 1 else math.inf


def triplets_well_defined(x, labels, margin, squared, mining, need_farthest):
    """No tie in the mining and no hinge within GAP of its kink; with `need_farthest`, some
    anchor-positive pair of the semi-hard mining has no negative farther than the positive."""
    d = pairwise_distance(x, squared).tolist()
    n = len(labels)
    farthest_used = False
    for a in range(n):
        positives = [d[a][j] for j in range(n) if j != a and labels[j] == labels[a]]
        negatives = [d[a][j] for j in range(n) if labels[j] != labels[a]]
        if not positives or not negatives:
            continue
        if mining == "batch_hard":
            if second_gap([-p for p in positives]) < GAP or second_gap(negatives) < GAP:
                return False
            if abs(max(positives) - min(negatives) + margin) < GAP:
                return False
        else:
            if second_gap(negatives) < GAP:
                return False
            for p in positives:
                if min(abs(m - p) for m in negatives) < GAP:
                    return False
                farther = [m for m in negatives if m > p]
                chosen = min(farther) if farther else max(negatives)
                farthest_used = farthest_used or not farther
                if abs(p - chosen + margin) < GAP:
                    return False
    return farthest_used or not need_farthest


def triplet_case(name, mining, labels, margin, squared, spread, need_farthest=False):
    case = Case(name, "triplet_" + mining, labels=labels, margin=margin, squared=squared)
    t = torch.tensor(labels)
    for _ in range(100):
        x = clustered(case, t, 8, spread)
        if triplets_well_defined(x, labels, margin, squared, mining, need_farthest):
            break
    else:
        raise RuntimeError(f"{name}: no well-spread draw")
    function = triplet_batch_hard if mining == "batch_hard" else triplet_semi_hard
    return case.finish({"embeddings": x}, lambda embeddings: function(embeddings, t, margin, squared))


def contrastive_case(name, labels, margin):
    case = Case(name, "contrastive", labels=labels, margin=margin)
    t = torch.tensor(labels)
    for _ in range(100):
        x = clustered(case, t, 6, 0.8)
        d = pairwise_distance(x, False)
        if (d - margin).abs().add(torch.eye(len(labels), dtype=DTYPE)).min() >= GAP:
            break
    else:
        raise RuntimeError(f"{name}: no well-spread draw")
    return case.finish({"embeddings": x}, lambda embeddings: contrastive(embeddings, t, margin))


def angular_case(name, kind, scale, margin, opposite_row=None):
    labels = [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]
    case = Case(name, kind, labels=labels, scale=scale, margin=margin)
    t = torch.tensor(labels)
    weight = case.normal(5, 8)
    x = case.normal(len(labels), 8, scale=2.0)
    if opposite_row is not None:
        # An embedding almost opposite its centre: cos θ < cos(π − m), ArcFace's fallback branch.
        x[opposite_row] = -weight[labels[opposite_row]] * 3 + case.normal(8, scale=0.05)
    x = case.float32(x)
    return case.finish({"embeddings": x, "weight": weight},
                       lambda embeddings, weight: F.cross_entropy(angular_logits(embeddings, weight, t, kind, scale, margin), t))


def normalize_case(name, epsilon, rows):
    case = Case(name, "normalize", epsilon=epsilon)
    x = case.float32(rows(case))
    return case.finish({"input": x}, lambda input: F.normalize(input, p=2, dim=-1, eps=epsilon))


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    pk = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]      # P = 4 people × K = 3 photos
    lonely = [0, 0, 0, 1, 1, 2, 2, 2, 3, 4]        # people 3 and 4 have one photo: anchors without a positive
    cases = [
        normalize_case("normalize_rows", 1e-12, lambda c: c.normal(5, 7, scale=2.0)),
        normalize_case("normalize_short_row", 0.5,
                       lambda c: torch.cat([c.normal(2, 4), c.normal(1, 4, scale=0.05)])),
        triplet_case("triplet_batch_hard", "batch_hard", pk, 0.2, False, 0.9),
        triplet_case("triplet_batch_hard_squared", "batch_hard", pk, 0.5, True, 0.9),
        triplet_case("triplet_batch_hard_lonely", "batch_hard", lonely, 0.3, False, 0.9),
        triplet_case("triplet_semi_hard", "semi_hard", pk, 0.2, False, 0.9),
        triplet_case("triplet_semi_hard_squared", "semi_hard", pk, 0.5, True, 0.9),
        triplet_case("triplet_semi_hard_lonely", "semi_hard", lonely, 1.0, False, 2.0, need_farthest=True),
        contrastive_case("contrastive", pk, 1.0),
        contrastive_case("contrastive_margin_1.5", lonely, 1.5),
        angular_case("arcface", "arcface", 16.0, 0.5),
        angular_case("arcface_fallback", "arcface", 30.0, 0.5, opposite_row=3),
        angular_case("cosface", "cosface", 16.0, 0.35),
        angular_case("cosface_scale_30", "cosface", 30.0, 0.4, opposite_row=3),
    ]
    write(cases)


if __name__ == "__main__":
    main()
