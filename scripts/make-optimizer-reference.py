#!/usr/bin/env python3
"""Writes the PyTorch golden values that Tests/StrataNNTests checks Strata's optimizers and
learning-rate schedules against.

Run from the repository root (needs torch and numpy):

    python3 scripts/make-optimizer-reference.py

Output (float32 values are written as their shortest decimal form, which parses back exactly):

Tests/StrataNNTests/Fixtures/optimizers.json
    {
      "torch": "<torch version>",
      "initial":   {"<param>": {"shape": [..], "values": [..]}},     two parameters: a (4, 5) and b (4)
      "gradients": [{"<param>": [..] | null}, ...],                 one entry per step (null: no grad)
      "cases": [{
          "name": "adam", "optimizer": "Adam",                       Strata type name
          "options": {"learningRate": 0.01, ...},                    Strata initializer labels
          "clipping": null | {"norm": 1.0} | {"value": 0.5},         clip_grad_norm_ / clip_grad_value_
          "steps": [{"<param>": [..]}, ...]                          parameters after each step
      }]
    }

Tests/StrataNNTests/Fixtures/schedules.json
    {
      "torch": "<torch version>", "epochs": E, "stepsPerEpoch": S,
      "cases": [{
          "name": ..., "schedule": "StepDecay" | "ExponentialDecay" | "CosineDecay" | "OneCycle" | "LinearWarmup",
          "options": {...},                                          Strata initializer labels; for LinearWarmup
                                                                     also "then": the schedule after the warm-up,
                                                                     whose options sit beside the warm-up's
          "per": "epoch" | "step",
          "learningRates": [..]     lr of epoch e (per epoch) or of global step s (per step), from 0
      }],
      "plateaus": [{
          "name": ..., "options": {...}, "initialLearningRate": lr,
          "metrics": [..], "learningRates": [..]                     lr after each ReduceLROnPlateau.step
      }]
    }

Parameter a has 20 elements so that Strata's eight-lane kernels run whole groups and a partial one.
Every step uses the same fixed gradients for every optimizer, so a failing case points at one rule.
Parameter b has no gradient at step 2 (it must be skipped, and Adam's per-parameter step count must not
advance for it). Gradient sizes vary across steps so that AMSGrad's maximum and clipping both act.
"""

import json
import math
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "StrataNNTests" / "Fixtures"
STEPS = 5
GRADIENT_SCALES = [1.0, 0.3, 2.0, 0.1, 1.5]
SKIPPED = {2: "b"}  # step index -> parameter without a gradient at that step


def floats(tensor):
    """Shortest decimal form of each float32 value (exact round trip)."""
    return [float(str(np.float32(x))) for x in tensor.detach().reshape(-1).tolist()]


def make_problem():
    generator = torch.Generator().manual_seed(20240611)
    initial = {
        "a": torch.randn(4, 5, generator=generator),
        "b": torch.randn(4, generator=generator),
    }
    gradients = []
    for step, scale in enumerate(GRADIENT_SCALES):
        gradients.append({name: None if SKIPPED.get(step) == name else
                          torch.randn(value.shape, generator=generator) * scale
                          for name, value in initial.items()})
    return initial, gradients


OPTIMIZER_CASES = [
    ("sgd", "SGD", {"learningRate": 0.1}, None),
    ("sgd_momentum", "SGD", {"learningRate": 0.1, "momentum": 0.9}, None),
    ("sgd_nesterov_weight_decay", "SGD",
     {"learningRate": 0.1, "momentum": 0.9, "nesterov": True, "weightDecay": 0.01}, None),
    ("adam", "Adam", {"learningRate": 0.01}, None),
    # A large epsilon makes its placement visible: PyTorch adds it to the bias-corrected root.
    ("adam_large_epsilon", "Adam", {"learningRate": 0.01, "epsilon": 0.1}, None),
    ("adam_amsgrad_weight_decay", "Adam", {"learningRate": 0.01, "amsgrad": True, "weightDecay": 0.1}, None),
    ("adamw", "AdamW", {"learningRate": 0.01, "weightDecay": 0.1}, None),
    ("rmsprop", "RMSprop", {"learningRate": 0.01}, None),
    ("rmsprop_centered_momentum", "RMSprop",
     {"learningRate": 0.01, "momentum": 0.9, "centered": True, "weightDecay": 0.01, "epsilon": 0.01}, None),
    ("adagrad", "Adagrad", {"learningRate": 0.1, "initialAccumulator": 0.1}, None),
    ("adagrad_epsilon_weight_decay", "Adagrad", {"learningRate": 0.1, "epsilon": 0.01, "weightDecay": 0.1}, None),
    ("sgd_momentum_clip_norm", "SGD", {"learningRate": 0.1, "momentum": 0.9}, {"norm": 1.0}),
    ("adam_clip_value", "Adam", {"learningRate": 0.01}, {"value": 0.5}),
]


def torch_optimizer(kind, options, params):
    lr = options["learningRate"]
    wd = options.get("weightDecay", 0.0)
    eps = {"eps": options["epsilon"]} if "epsilon" in options else {}
    if kind == "SGD":
        return torch.optim.SGD(params, lr=lr, momentum=options.get("momentum", 0.0),
                               nesterov=options.get("nesterov", False), weight_decay=wd)
    if kind == "Adam":
        return torch.optim.Adam(params, lr=lr, amsgrad=options.get("amsgrad", False), weight_decay=wd, **eps)
    if kind == "AdamW":
        return torch.optim.AdamW(params, lr=lr, amsgrad=options.get("amsgrad", False), weight_decay=wd, **eps)
    if kind == "RMSprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=options.get("momentum", 0.0),
                                   centered=options.get("centered", False), weight_decay=wd, **eps)
    if kind == "Adagrad":
        return torch.optim.Adagrad(params, lr=lr, initial_accumulator_value=options.get("initialAccumulator", 0.0),
                                   weight_decay=wd, **eps)
    raise ValueError(kind)


def run_optimizer(kind, options, clipping, initial, gradients):
    params = {name: value.clone().requires_grad_(True) for name, value in initial.items()}
    optimizer = torch_optimizer(kind, options, list(params.values()))
    steps = []
    for step_gradients in gradients:
        for name, param in params.items():
            gradient = step_gradients[name]
            param.grad = None if gradient is None else gradient.clone()
        present = [p for p in params.values() if p.grad is not None]
        if clipping and "norm" in clipping:
            torch.nn.utils.clip_grad_norm_(present, clipping["norm"])
        if clipping and "value" in clipping:
            torch.nn.utils.clip_grad_value_(present, clipping["value"])
        optimizer.step()
        steps.append({name: floats(param) for name, param in params.items()})
    return steps


def make_optimizers():
    initial, gradients = make_problem()
    cases = []
    for name, kind, options, clipping in OPTIMIZER_CASES:
        cases.append({"name": name, "optimizer": kind, "options": options, "clipping": clipping,
                      "steps": run_optimizer(kind, options, clipping, initial, gradients)})
    return {
        "torch": torch.__version__,
        "initial": {name: {"shape": list(value.shape), "values": floats(value)} for name, value in initial.items()},
        "gradients": [{name: None if g is None else floats(g) for name, g in step.items()} for step in gradients],
        "cases": cases,
    }


EPOCHS = 10
STEPS_PER_EPOCH = 3
TOTAL_STEPS = EPOCHS * STEPS_PER_EPOCH

SCHEDULE_CASES = [
    ("step_decay", "StepDecay", {"initial": 0.1, "factor": 0.5, "everyEpochs": 3}, "epoch",
     lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5), EPOCHS),
    ("exponential_decay", "ExponentialDecay", {"initial": 0.1, "factorPerEpoch": 0.98}, "epoch",
     lambda opt: torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.98), EPOCHS),
    ("cosine_decay", "CosineDecay", {"initial": 0.1, "totalSteps": TOTAL_STEPS, "minimum": 0.001}, "step",
     lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=TOTAL_STEPS, eta_min=0.001),
     TOTAL_STEPS + 1),
    ("one_cycle", "OneCycle", {"maxLearningRate": 0.1, "totalSteps": TOTAL_STEPS}, "step",
     lambda opt: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=TOTAL_STEPS,
                                                     cycle_momentum=False), TOTAL_STEPS),
    ("one_cycle_custom", "OneCycle",
     {"maxLearningRate": 0.05, "totalSteps": TOTAL_STEPS, "warmupFraction": 0.25, "initialDivisor": 10,
      "finalDivisor": 100}, "step",
     lambda opt: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=TOTAL_STEPS, pct_start=0.25,
                                                     div_factor=10, final_div_factor=100, cycle_momentum=False),
     TOTAL_STEPS),
]

# LinearWarmup: PyTorch's LinearLR then the main schedule, chained by SequentialLR and stepped once per step.
# The main schedule restarts at the milestone, so decays are built over the steps left after the warm-up; an
# epoch-wise Strata schedule (StepDecay every 3 epochs, ExponentialDecay per epoch) is a StepLR counted in steps.
WARMUP_STEPS = 2 * STEPS_PER_EPOCH
MAIN_STEPS = TOTAL_STEPS - WARMUP_STEPS


def warmup(main):
    def make(opt):
        linear = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=WARMUP_STEPS)
        return torch.optim.lr_scheduler.SequentialLR(opt, [linear, main(opt)], milestones=[WARMUP_STEPS])
    return make


WARMUP_OPTIONS = {"startFactor": 0.01, "warmupSteps": WARMUP_STEPS}
SCHEDULE_CASES += [
    ("warmup_constant", "LinearWarmup", {**WARMUP_OPTIONS, "then": "ConstantSchedule", "value": 0.1}, "step",
     warmup(lambda opt: torch.optim.lr_scheduler.ConstantLR(opt, factor=1.0, total_iters=0)), TOTAL_STEPS),
    ("warmup_cosine", "LinearWarmup",
     {**WARMUP_OPTIONS, "then": "CosineDecay", "initial": 0.1, "totalSteps": MAIN_STEPS, "minimum": 0.001}, "step",
     warmup(lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=MAIN_STEPS, eta_min=0.001)),
     TOTAL_STEPS + 1),
    ("warmup_one_cycle", "LinearWarmup",
     {**WARMUP_OPTIONS, "then": "OneCycle", "maxLearningRate": 0.1, "totalSteps": MAIN_STEPS}, "step",
     warmup(lambda opt: torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=MAIN_STEPS,
                                                            cycle_momentum=False)), TOTAL_STEPS),
    ("warmup_step_decay", "LinearWarmup",
     {**WARMUP_OPTIONS, "then": "StepDecay", "initial": 0.1, "factor": 0.5, "everyEpochs": 3}, "step",
     warmup(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=3 * STEPS_PER_EPOCH, gamma=0.5)),
     TOTAL_STEPS),
    ("warmup_exponential_decay", "LinearWarmup",
     {**WARMUP_OPTIONS, "then": "ExponentialDecay", "initial": 0.1, "factorPerEpoch": 0.98}, "step",
     warmup(lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=STEPS_PER_EPOCH, gamma=0.98)), TOTAL_STEPS),
]

# Metrics keep clear of the improvement thresholds, so float32 (Strata) and float64 (PyTorch) agree.
PLATEAU_CASES = [
    # Relative threshold (PyTorch's default): 0.79995 is not better than 0.8 by 1e-4 relatively.
    ("min_relative_cooldown", {"factor": 0.5, "patience": 2, "minDelta": 1e-4, "cooldown": 1,
                               "minimumLearningRate": 0.02, "mode": "min", "thresholdMode": "relative"}, 0.1,
     [1.0, 0.9, 0.8, 0.8, 0.79995, 0.85, 0.81, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.69, 0.7, 0.7, 0.7, 0.7, 0.7,
      0.7, 0.7, 0.7]),
    ("max_absolute", {"factor": 0.1, "patience": 1, "minDelta": 0.01, "cooldown": 0,
                      "minimumLearningRate": 0.0, "mode": "max", "thresholdMode": "absolute"}, 0.01,
     [0.5, 0.6, 0.605, 0.612, 0.7, 0.7, 0.705, 0.72, 0.72, 0.72, 0.8, 0.79]),
    ("defaults", {}, 0.001, [1.0] + [0.99995] * 12 + [0.5, 0.49999]),
]


def make_schedules():
    cases = []
    for name, kind, options, per, make, count in SCHEDULE_CASES:
        initial = options.get("initial", options.get("value", 0.1))
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=initial)
        scheduler = make(optimizer)
        rates = []
        for _ in range(count):
            rates.append(scheduler.get_last_lr()[0])
            optimizer.step()
            if len(rates) < count:
                scheduler.step()
        cases.append({"name": name, "schedule": kind, "options": options, "per": per, "learningRates": rates})
    plateaus = []
    for name, options, initial_lr, metrics in PLATEAU_CASES:
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=initial_lr)
        threshold_mode = {"relative": "rel", "absolute": "abs"}[options.get("thresholdMode", "relative")]
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode=options.get("mode", "min"), factor=options.get("factor", 0.1),
            patience=options.get("patience", 10), threshold=options.get("minDelta", 1e-4),
            threshold_mode=threshold_mode, cooldown=options.get("cooldown", 0),
            min_lr=options.get("minimumLearningRate", 0.0))
        rates = []
        for metric in metrics:
            optimizer.step()
            scheduler.step(metric)
            rates.append(optimizer.param_groups[0]["lr"])
        plateaus.append({"name": name, "options": options, "initialLearningRate": initial_lr,
                         "metrics": metrics, "learningRates": rates})
    assert all(math.isfinite(r) for case in cases for r in case["learningRates"])
    return {"torch": torch.__version__, "epochs": EPOCHS, "stepsPerEpoch": STEPS_PER_EPOCH,
            "cases": cases, "plateaus": plateaus}


def write(name, content):
    FIXTURES.mkdir(parents=True, exist_ok=True)
    path = FIXTURES / name
    path.write_text(json.dumps(content, indent=1) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    torch.set_num_threads(1)
    write("optimizers.json", make_optimizers())
    write("schedules.json", make_schedules())
