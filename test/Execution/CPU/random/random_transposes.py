#!/usr/bin/env python3
"""Randomized test of the transpose folding of --norm-fuse-elementwise: draws
a shape, a permutation, an op (LayerNorm or RMSNorm over a random axis set,
with or without gamma; batch norm, training or inference; instance norm;
group norm) and a dtype, writes x (or, a third of the time, x + r) ->
linalg.transpose -> op -> the inverse transpose, and checks that the program after --norm-fuse-elementwise gives
the unfused program's results (norm-run --expect, the same random inputs)
and the float64 reference (--check), whether or not the transposes were
folded. Reports every failure with the files that reproduce it.

    random_transposes.py --norm-run build/bin/norm-run \\
        --norm-opt build/bin/norm-opt --seed 1 --cases 24 DIR
"""

import random
import sys

from fusion_sweep import spec, sweep, ttype


def draw(rng):
    """The function's text, its inputs and its result count."""
    rank = rng.choice([3, 4])
    xs = [rng.choice([1, 2, 3, 4, 6, 8]) for _ in range(rank)]
    perm = list(range(rank))
    while perm == list(range(rank)):
        rng.shuffle(perm)
    inv = [perm.index(i) for i in range(rank)]
    ts = [xs[p] for p in perm]
    dt = rng.choice(["f32", "f16", "bf16"])
    T, X = ttype(ts, dt), ttype(xs, dt)
    args, inputs = [f"%x: {X}"], [spec(xs, dt)]
    # A third of the time a residual add before the transpose (merged with
    # it by the fusion pass: the transpose of a sum).
    source = "%x"
    residual = ""
    if rng.random() < 1 / 3:
        args.append(f"%r: {X}")
        inputs.append(spec(xs, dt))
        residual = (f"  %h = arith.addf %x, %r : {X}\n")
        source = "%h"
    extra = []  # per-channel statistics results
    op = rng.choice(["layer_norm", "rms_norm", "batch_norm",
                     "batch_norm_inference", "instance_norm", "group_norm"])
    if op in ("layer_norm", "rms_norm"):
        axes = sorted(rng.sample(range(rank), rng.randint(1, rank - 1)))
        text = f"norm.{op} %t"
        if rng.random() < 0.6:
            w = ttype([ts[a] for a in axes], dt)
            args.append(f"%g: {w}")
            inputs.append(spec([ts[a] for a in axes], dt))
            text += f" gamma(%g : {w})"
        text += f" {{axes = array<i64: {', '.join(map(str, axes))}>}}"
        text += f" : {T} -> {T}"
    else:
        lowest = 1 if op in ("instance_norm", "group_norm") else 0
        ch = rng.randint(lowest, rank - 1)
        c = ts[ch]
        S = ttype([c], "f32")
        if op == "group_norm":
            groups = rng.choice([d for d in range(1, c + 1) if c % d == 0])
            text = (f"norm.group_norm %t {{num_groups = {groups}, "
                    f"channel_axis = {ch}}} : {T} -> {T}")
        elif op == "instance_norm":
            text = f"norm.instance_norm %t {{channel_axis = {ch}}} : {T} -> {T}"
        elif op == "batch_norm_inference":
            args += [f"%m: {S}", f"%v: {S}"]
            inputs += [spec([c], "f32"), spec([c], "f32", "random(0.5,2)")]
            text = (f"norm.batch_norm_inference %t, %m, %v "
                    f"{{channel_axis = {ch}}} : {T}, {S}, {S} -> {T}")
        else:
            extra = [S, S]
            text = (f"norm.batch_norm %t {{channel_axis = {ch}}} : {T} -> "
                    f"{T}, {S}, {S}")
    names = ["%y"] + [f"%s{i}" for i in range(len(extra))]
    results = ["%z"] + names[1:]
    types = [X] + extra
    body = f"""func.func @f({', '.join(args)}) -> ({', '.join(types)}) {{
{residual}  %e = tensor.empty() : {T}
  %t = linalg.transpose ins({source} : {X}) outs(%e : {T}) permutation = [{', '.join(map(str, perm))}]
  {', '.join(names)} = {text}
  %e2 = tensor.empty() : {X}
  %z = linalg.transpose ins(%y : {T}) outs(%e2 : {X}) permutation = [{', '.join(map(str, inv))}]
  return {', '.join(results)} : {', '.join(types)}
}}
"""
    return body, inputs, len(types)


def main():
    # One generator for all the cases, in order.
    rngs = {}

    def draw_case(seed, case):
        rng = rngs.setdefault(seed, random.Random(seed))
        text, inputs, results = draw(rng)
        return text, inputs, results, ""

    passed, cases, folded = sweep(__doc__, draw_case,
                                  lambda text: "linalg.generic" not in text)
    print(f"transposes cases: {passed} of {cases} passed, {folded} folded")
    return 0 if passed == cases else 1


if __name__ == "__main__":
    sys.exit(main())
