#!/usr/bin/env python3
"""A random sweep of ONNX normalizations with symbolic sizes (not part of
`make check`: it needs onnx and torch-mlir, see generate.py): draws the op
(LayerNormalization over a random trailing axis, GroupNormalization,
InstanceNormalization, BatchNormalization), the rank, which sizes are
symbolic, an Add before and a Relu after, imports the model to linalg the
way IREE's ONNX path does, runs it and its --norm-raise
--norm-fuse-elementwise form through norm-run on the same random inputs at
concrete sizes drawn for the symbolic ones (--expect), and reports the cases
that differ, fail, or were not raised (InstanceNormalization with dynamic
spatial sizes is expected to stay unraised: torch-mlir leaves its variance
undivided, docs/fusion.md; so is one over 1x1 planes). Imports that
torch-mlir itself fails on are reported and skipped.

    build/torch-venv/bin/python test/Transforms/Inputs/onnx/random_dynamic.py \\
        --bin build/bin --seed 1 --cases 40 DIR
"""

import argparse
import os
import random
import subprocess
import sys

from onnx import TensorProto, helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate  # noqa: E402


def run(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True)


def spec(shape):
    return "x".join(str(d) for d in shape) + "xf32=random"


def draw(rng):
    """(op, nodes' builder inputs, symbolic shapes, concrete shapes)."""
    op = rng.choice(["ln", "gn", "in", "bn"])
    if op == "ln":
        rank = rng.randint(2, 4)
        concrete = [rng.choice([1, 2, 3, 5]) for _ in range(rank - 1)]
        concrete.append(rng.choice([8, 16, 33]))
        axis = rng.randint(1, rank - 1) if rng.random() < 0.3 else rank - 1
        params = concrete[axis:]
    else:
        groups = rng.choice([1, 2, 4])
        c = groups * rng.choice([1, 2]) if op == "gn" else rng.choice([3, 8])
        concrete = [rng.choice([1, 2, 3]), c] + [
            rng.choice([1, 3, 4, 5]) for _ in range(rng.randint(1, 2))]
        axis, params = None, [c]
    # Each size but the normalized / channel ones may be symbolic.
    fixed = set(range(axis, len(concrete))) if op == "ln" else {1}
    symbolic = [f"d{i}" if i not in fixed and rng.random() < 0.7 else s
                for i, s in enumerate(concrete)]
    if op == "ln":
        node = helper.make_node("LayerNormalization", ["h", "g", "b"], ["y"],
                                axis=axis, epsilon=1e-5)
        extra = [("g", params), ("b", params)]
    elif op == "gn":
        node = helper.make_node("GroupNormalization", ["h", "g", "b"], ["y"],
                                num_groups=groups, epsilon=1e-5)
        extra = [("g", params), ("b", params)]
    elif op == "in":
        node = helper.make_node("InstanceNormalization", ["h", "g", "b"],
                                ["y"], epsilon=1e-5)
        extra = [("g", params), ("b", params)]
    else:
        node = helper.make_node("BatchNormalization",
                                ["h", "g", "b", "m", "v"], ["y"], epsilon=1e-5)
        extra = [("g", params), ("b", params), ("m", params), ("v", params)]
    return op, node, extra, symbolic, concrete


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir")
    parser.add_argument("--bin", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=40)
    a = parser.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.workdir, exist_ok=True)
    generate.HERE = a.workdir
    t = generate.t
    ok = raised = 0
    for case in range(a.cases):
        op, node, extra, symbolic, concrete = draw(rng)
        residual, relu = rng.random() < 0.5, rng.random() < 0.5
        nodes = [helper.make_node("Add", ["x", "r"], ["h"]) if residual
                 else helper.make_node("Identity", ["x"], ["h"]), node]
        out = "y"
        if relu:
            nodes.append(helper.make_node("Relu", ["y"], ["z"]))
            out = "z"
        inputs = [t("x", symbolic)] + ([t("r", symbolic)] if residual else [])
        inputs += [t(name, shape) for name, shape in extra]
        name = f"case{case}"
        opset = 21 if op == "gn" else 17
        try:
            generate.write(name, nodes, inputs, [t(out, symbolic)],
                           opset=opset, doc=f"{op} {symbolic}")
        except Exception as e:  # noqa: BLE001
            print(f"case {case}: {op} {symbolic}: import failed: "
                  f"{str(e)[:100]}")
            continue
        path = os.path.join(a.workdir, name + ".mlir")
        args = [spec(concrete)] * (2 if residual else 1)
        for pname, shape in extra:
            args.append(spec(shape).replace("random", "random(0.5,2)")
                        if pname == "v" else spec(shape))
        flags = " ".join(f"'--input={x}'" for x in args)
        ref = os.path.join(a.workdir, name + ".npy")
        fused = os.path.join(a.workdir, name + ".fused.mlir")
        # Not raised to one op: dynamic spatial sizes (torch-mlir's
        # variance is undivided), and 1x1 planes (the mean is a sum over
        # one element with the division folded away: an RMSNorm of
        # x - sum(x) comes out, with the sum left beside it).
        expected_unraised = op == "in" and (
            any(isinstance(s, str) for s in symbolic[2:])
            or all(s == 1 for s in concrete[2:]))
        first = run(f"{a.bin}/norm-run {path} {flags} --output=@{ref}")
        second = run(f"{a.bin}/norm-opt {path} --norm-raise "
                     f"--norm-fuse-elementwise -o {fused}")
        # --check evaluates norm ops and elementwise ops, not the
        # reductions of what stays unraised.
        third = run(f"{a.bin}/norm-run {fused} {flags} --expect=@{ref}"
                    + ("" if expected_unraised else " --check"))
        text = open(fused).read() if second.returncode == 0 else ""
        is_raised = "norm." in text and "linalg.generic" not in text
        raised += is_raised
        good = (first.returncode == 0 and third.returncode == 0 and
                (is_raised or expected_unraised))
        ok += good
        status = "ok" if good else "FAILED"
        print(f"case {case}: {op} {symbolic} -> {concrete} residual="
              f"{residual} relu={relu} raised={is_raised}: {status}")
        if not good:
            print((first.stderr + second.stderr + third.stdout +
                   third.stderr)[-600:])
    print(f"{ok}/{a.cases} ok, {raised} raised")


if __name__ == "__main__":
    main()
