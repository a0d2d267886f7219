#!/usr/bin/env python3
"""Reference values of StrataNN's losses, computed by PyTorch.

Writes Tests/StrataNNTests/Fixtures/losses.json:
  {"generator": ..., "torch": ..., "cases": [{"name", "params" (numbers; fromLogits 1 or 0), "predictions": {"shape", "data"},
   "targets": {...}, "loss": float, "grad_predictions": {...}}]}
Each case's loss is the batch mean PyTorch computes, and grad_predictions its gradient with respect to
the predictions. Regenerate with `python3 scripts/make-loss-reference.py`; the Swift tests never run Python.
"""
import json
import pathlib

import torch
import torch.nn.functional as F

torch.manual_seed(3)
OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/StrataNNTests/Fixtures/losses.json"


def tensor(t):
    return {"shape": list(t.shape), "data": [float(f"{x:.9g}") for x in t.detach().reshape(-1).tolist()]}


def case(name, params, predictions, targets, fn):
    p = predictions.clone().double().requires_grad_(True)
    loss = fn(p, targets.double())
    loss.backward()
    return {"name": name, "params": params, "predictions": tensor(predictions), "targets": tensor(targets),
            "loss": float(f"{loss.item():.12g}"), "grad_predictions": tensor(p.grad.float())}


logits = torch.randn(6, 5) * 2
labels = torch.tensor([0, 4, 2, 2, 1, 3])
one_hot = F.one_hot(labels, 5).float()
probabilities = torch.softmax(torch.randn(6, 5), dim=1)
scores = torch.randn(8, 1) * 3
binary = (torch.rand(8, 1) > 0.5).float()
regression = torch.randn(4, 3) * 2
truth = torch.randn(4, 3)

cases = [
    case("sparse_logits", {"fromLogits": 1, "labelSmoothing": 0}, logits, labels.float(),
         lambda p, t: F.cross_entropy(p, t.long())),
    case("sparse_logits_smoothing", {"fromLogits": 1, "labelSmoothing": 0.1}, logits, labels.float(),
         lambda p, t: F.cross_entropy(p, t.long(), label_smoothing=0.1)),
    case("categorical_logits_smoothing", {"fromLogits": 1, "labelSmoothing": 0.2}, logits, one_hot,
         lambda p, t: F.cross_entropy(p, t, label_smoothing=0.2)),
    # From probabilities: Keras renormalizes rows and clips to [1e-7, 1 - 1e-7] before the log.
    case("categorical_probabilities", {"fromLogits": 0, "labelSmoothing": 0}, probabilities, one_hot,
         lambda p, t: -(t * torch.log(torch.clamp(p / p.sum(1, keepdim=True), 1e-7, 1 - 1e-7))).sum(1).mean()),
    case("binary_logits", {"fromLogits": 1}, scores, binary,
         lambda p, t: F.binary_cross_entropy_with_logits(p, t)),
    case("binary_probabilities", {"fromLogits": 0}, torch.sigmoid(scores), binary,
         lambda p, t: F.binary_cross_entropy(torch.clamp(p, 1e-7, 1 - 1e-7), t)),
    case("mae", {}, regression, truth, lambda p, t: F.l1_loss(p, t)),
    case("huber", {"delta": 1.0}, regression, truth, lambda p, t: F.huber_loss(p, t, delta=1.0)),
    case("huber_delta_half", {"delta": 0.5}, regression, truth, lambda p, t: F.huber_loss(p, t, delta=0.5)),
    case("mse", {}, regression, truth, lambda p, t: F.mse_loss(p, t)),
]
OUT.write_text(json.dumps({"generator": "scripts/make-loss-reference.py", "torch": torch.__version__,
                           "cases": cases}, indent=1) + "\n")
print(f"wrote {OUT} ({len(cases)} cases)")
