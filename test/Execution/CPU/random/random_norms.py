#!/usr/bin/env python3
"""Randomized execution test of the CPU pipeline: draws an op, a rank, a
shape, an axis set, a dtype, attributes and sometimes a fused prologue or
epilogue (and, in a quarter of the cases, rows of 256 to 2048 elements with
the kernels for outputs that leave the cache: --streaming-threshold=0),
writes the function, runs it through norm-run --check (float64 reference,
NaN-poisoned outputs) and reports every failure with a command that
reproduces it.

    random_norms.py --norm-run build/bin/norm-run --seed 1 --cases 40 DIR

(--norm-run-arg=--pipeline=reference sweeps the decomposition instead.)

`make check` runs a fixed seed; NORM_RANDOM_CASES=N (and NORM_RANDOM_SEED)
run a longer sweep."""

import argparse
import os
import random
import subprocess
import sys

DTYPES = ["f32", "f16", "bf16"]


def ttype(shape, dtype, dynamic):
    dims = ["?" if dynamic else str(d) for d in shape]
    return "tensor<" + "x".join(dims + [dtype]) + ">"


def spec(shape, dtype, value="random"):
    return "x".join([str(d) for d in shape] + [dtype]) + "=" + value


def draw_shape(rng, rank):
    shape = [rng.choice([1, 2, 3, 5, 7, 8]) for _ in range(rank)]
    if rng.random() < 0.5:  # one long axis: vector bodies and remainders
        shape[rng.randrange(rank)] = rng.choice([17, 64, 130, 257, 1025])
    if rank > 1 and rng.random() < 0.2:  # large: threads, split column slots
        shape[rng.randrange(rank)] = rng.choice([96, 300])
    return shape


def draw_case(rng):
    op = rng.choice(["layer_norm", "rms_norm", "l2_normalize", "batch_norm",
                     "batch_norm_inference", "instance_norm", "group_norm"])
    dtype = rng.choice(DTYPES)
    dynamic = rng.random() < 0.3
    min_rank = {"instance_norm": 3, "batch_norm": 2,
                "batch_norm_inference": 2, "group_norm": 2}.get(op, 1)
    rank = rng.randint(min_rank, 4)
    shape = draw_shape(rng, rank)
    # A quarter of the cases run the kernels for outputs that leave the
    # cache (norm-run --streaming-threshold=0: non-temporal stores, rows
    # pipelined with the next row's statistics), on rows of whole 64-byte
    # lines long enough for the pipeline (and one with a remainder).
    streamed = rng.random() < 0.25
    if streamed:
        shape = [min(d, 5) for d in shape]
        shape[-1] = rng.choice([256, 512, 1024, 1040, 2048])
    x_t = ttype(shape, dtype, dynamic)
    # One NaN in x a tenth of the time: its row, channel or group (and the
    # statistics over it) must come out NaN, and nothing else.
    args = [("%x", x_t, spec(shape, dtype,
                             "random+nan" if rng.random() < 0.1
                             else "random"))]
    attrs, operands, results = [], "", [x_t]
    param_dtype = rng.choice([dtype, "f32"])

    def param(name, axes):
        pshape = [shape[a] for a in axes]
        t = ttype(pshape, param_dtype, dynamic)
        args.append((f"%{name}", t, spec(pshape, param_dtype)))
        return f" {name}(%{name} : {t})", t

    eps = rng.choice([1e-5, 1e-3, 0.1])
    attrs.append(f"epsilon = {eps:e} : f64")
    # The conventions every op spells as attributes (docs/design.md), each
    # drawn on its own.
    if rng.random() < 0.15:
        attrs.append("compute_type = " + rng.choice(["f64", "f32"]))
    if rng.random() < 0.2 and op != "l2_normalize":
        attrs.append("zero_centered_gamma")
    if op in ("layer_norm", "rms_norm", "l2_normalize"):
        axes = sorted(rng.sample(range(rank), rng.randint(1, rank)))
        attrs.append(f"axes = array<i64: {', '.join(map(str, axes))}>")
        paxes = axes
        if rng.random() < 0.2:  # per-example (or any other) parameters
            paxes = sorted(rng.sample(range(rank), rng.randint(1, rank)))
            attrs.append(
                f"param_axes = array<i64: {', '.join(map(str, paxes))}>")
        if op == "l2_normalize":
            if rng.random() < 0.5:
                operands += param("scale", paxes)[0]
        else:
            if rng.random() < 0.7:
                operands += param("gamma", paxes)[0]
            if rng.random() < 0.5:
                operands += param("beta", paxes)[0]
            if rng.random() < 0.25:
                attrs.append("epsilon_placement = #norm.epsilon<std>")
        n = 1
        for a in axes:
            n *= shape[a]
        if op == "layer_norm" and rng.random() < 0.25 and (dynamic or n > 1):
            attrs.append("variance_estimator = #norm.variance<unbiased>")
        kept = [d for a, d in enumerate(shape) if a not in axes]
        st = ttype(kept, "f32", dynamic)
        if op == "layer_norm" and rng.random() < 0.3:
            results += [st, st]
            if rng.random() < 0.5:
                attrs.append("stats = #norm.stats<mean_var>")
        if op == "rms_norm" and rng.random() < 0.3:
            results += [st]
    else:
        c = rng.randrange(1 if op in ("instance_norm", "group_norm") else 0,
                          rank)
        if op in ("instance_norm", "group_norm") and c == 0:
            c = 1
        # Channels last half the time: channels-last group norm with a
        # static channel count runs as column slots merged per group.
        if op in ("instance_norm", "group_norm") and rng.random() < 0.5:
            c = rank - 1
        attrs.append(f"channel_axis = {c}")
        if op == "group_norm":
            groups = rng.choice([g for g in range(1, shape[c] + 1)
                                 if shape[c] % g == 0])
            attrs.append(f"num_groups = {groups}")
        if op == "batch_norm_inference":
            ct = ttype([shape[c]], "f32", dynamic)
            args.append(("%m", ct, spec([shape[c]], "f32")))
            args.append(("%v", ct, spec([shape[c]], "f32", "random(0.5,2)")))
        if rng.random() < 0.7:
            operands += param("gamma", [c])[0]
        if rng.random() < 0.5:
            operands += param("beta", [c])[0]
        if op == "batch_norm":
            ct = ttype([shape[c]], "f32", dynamic)
            results += [ct, ct]
            if rng.random() < 0.3:
                attrs.append("stats = #norm.stats<mean_rstd>")
            n = 1
            for a in range(rank):
                n *= shape[a] if a != c else 1
            if rng.random() < 0.5:  # running statistics updated
                args.append(("%rm", ct, spec([shape[c]], "f32")))
                args.append(("%rv", ct,
                             spec([shape[c]], "f32", "random(0.5,2)")))
                operands += f" running(%rm, %rv : {ct}, {ct})"
                results += [ct, ct]
                convention = rng.choice(["torch", "onnx"])
                if convention == "onnx":
                    attrs.append("momentum_convention = #norm.momentum<onnx>")
                if rng.random() < 0.5:
                    attrs.append(f"momentum = {rng.choice([0.0, 0.1, 0.9, 1.0]):e}"
                                 " : f64")
                if rng.random() < 0.4 or (n == 1 and not dynamic):
                    attrs.append(
                        "running_var_estimator = #norm.running_var<biased>")
    # Fusion: a residual before, an activation and a bias after.
    prologue = epilogue = ""
    if rng.random() < 0.3:
        args.append(("%r", x_t, spec(shape, dtype)))
        prologue = (f" prologue(%r : {x_t}) {{\n  ^bb0(%a: {dtype}, %b: {dtype}):\n"
                    f"    %s = arith.addf %a, %b : {dtype}\n"
                    f"    norm.yield %s : {dtype}\n  }}")
    if rng.random() < 0.3:
        baxes = sorted(rng.sample(range(rank), rng.randint(0, rank)))
        bshape = [shape[a] for a in baxes]
        bt = ttype(bshape, "f32", dynamic)
        args.append(("%bias", bt, spec(bshape, "f32")))
        dims = ", ".join(f"d{i}" for i in range(rank))
        sel = ", ".join(f"d{a}" for a in baxes)
        attrs.append(f"epilogue_maps = [affine_map<({dims}) -> ({sel})>]")
        # Activations as importers write them: single ops, and GELU (erf
        # and tanh forms), SiLU, sigmoid and leaky ReLU spelled out (%y is
        # the activation of %t).
        act = rng.choice([
            "%y = math.tanh %t : f32", "%y = arith.maximumf %t, %z : f32",
            "%y = arith.mulf %t, %t : f32", "%y = math.erf %t : f32",
            "%y = math.exp %t : f32",
            # GELU, erf form: t * 0.5 * (1 + erf(t / sqrt(2))).
            "%h = arith.constant 0.5 : f32\n"
            "    %k = arith.constant 0.70710678 : f32\n"
            "    %one = arith.constant 1.0 : f32\n"
            "    %s = arith.mulf %t, %k : f32\n"
            "    %f = math.erf %s : f32\n"
            "    %p = arith.addf %f, %one : f32\n"
            "    %q = arith.mulf %t, %h : f32\n"
            "    %y = arith.mulf %q, %p : f32",
            # GELU, tanh form.
            "%h = arith.constant 0.5 : f32\n"
            "    %one = arith.constant 1.0 : f32\n"
            "    %k = arith.constant 0.7978845608 : f32\n"
            "    %c3 = arith.constant 0.044715 : f32\n"
            "    %t2 = arith.mulf %t, %t : f32\n"
            "    %t3 = arith.mulf %t2, %t : f32\n"
            "    %u = arith.mulf %t3, %c3 : f32\n"
            "    %in = arith.addf %t, %u : f32\n"
            "    %w = arith.mulf %in, %k : f32\n"
            "    %th = math.tanh %w : f32\n"
            "    %p = arith.addf %th, %one : f32\n"
            "    %q = arith.mulf %t, %h : f32\n"
            "    %y = arith.mulf %q, %p : f32",
            # SiLU: t * sigmoid(t); sigmoid alone.
            "%one = arith.constant 1.0 : f32\n"
            "    %n = arith.negf %t : f32\n"
            "    %e1 = math.exp %n : f32\n"
            "    %d = arith.addf %e1, %one : f32\n"
            "    %y = arith.divf %t, %d : f32",
            "%one = arith.constant 1.0 : f32\n"
            "    %n = arith.negf %t : f32\n"
            "    %e1 = math.exp %n : f32\n"
            "    %d = arith.addf %e1, %one : f32\n"
            "    %y = arith.divf %one, %d : f32",
            # Leaky ReLU, slope 0.01.
            "%sl = arith.constant 0.01 : f32\n"
            "    %neg = arith.cmpf olt, %t, %z : f32\n"
            "    %lk = arith.mulf %t, %sl : f32\n"
            "    %y = arith.select %neg, %lk, %t : f32",
        ])
        back = "" if dtype == "f32" else f"\n    %o = arith.truncf %y : f32 to {dtype}"
        out = "%y" if dtype == "f32" else "%o"
        ext = "%a" if dtype == "f32" else "%e"
        widen = "" if dtype == "f32" else f"\n    %e = arith.extf %a : {dtype} to f32"
        epilogue = (f" epilogue(%bias : {bt}) {{\n  ^bb0(%a: {dtype}, %c: f32):{widen}\n"
                    f"    %t = arith.addf {ext}, %c : f32\n"
                    f"    %z = arith.constant 0.0 : f32\n"
                    f"    {act}{back}\n"
                    f"    norm.yield {out} : {dtype}\n  }}")
    mlir_op = op
    head = "%x"
    if op == "batch_norm_inference":
        head = f"%x, %m, %v"
    sig = ", ".join(f"{n}: {t}" for n, t, _ in args)
    names = ", ".join(f"%r{i}" for i in range(len(results)))
    rtypes = ", ".join(results)
    if op == "batch_norm_inference":
        types = f"{x_t}, {args[1][1]}, {args[2][1]} -> {x_t}"
    else:
        types = f"{x_t} -> {rtypes}"
    text = (f"func.func @case({sig}) -> ({rtypes}) {{\n"
            f"  {names} = norm.{mlir_op} {head}{operands}{prologue}{epilogue}"
            f" {{{', '.join(attrs)}}} : {types}\n"
            f"  return {names} : {rtypes}\n}}\n")
    return text, [s for _, _, s in args], streamed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir")
    parser.add_argument("--norm-run", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--norm-run-arg", action="append", default=[],
                        help="an extra norm-run argument, e.g. "
                        "--norm-run-arg=--pipeline=reference")
    args = parser.parse_args()
    cases = int(os.environ.get("NORM_RANDOM_CASES", args.cases))
    seed = int(os.environ.get("NORM_RANDOM_SEED", args.seed))
    os.makedirs(args.workdir, exist_ok=True)
    failures = 0
    for i in range(cases):
        rng = random.Random(seed * 100003 + i)
        text, inputs, streamed = draw_case(rng)
        path = os.path.join(args.workdir, f"case-{seed}-{i}.mlir")
        with open(path, "w") as f:
            f.write(text)
        cmd = [args.norm_run, path, "--check", f"--seed={i}"] + [
            f"--input={s}" for s in inputs]
        if streamed:
            cmd.append("--streaming-threshold=0")
        cmd += args.norm_run_arg
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0 or "FAILED" in out.stdout:
            failures += 1
            print(f"case {i} failed: {out.stderr.strip() or out.stdout}")
            print("reproduce: " + " ".join(
                f"'{c}'" if "(" in c else c for c in cmd))
    print(f"random cases: {cases - failures} of {cases} passed (seed {seed})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
