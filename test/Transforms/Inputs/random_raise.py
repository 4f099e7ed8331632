#!/usr/bin/env python3
"""Randomized test of --norm-raise: draws a LayerNorm or RMSNorm written out
in linalg on tensors the way torch-mlir imports it (reductions into kept
unit dimensions, elementwise generics with broadcasting maps), in one of the
forms models use (the mean as a sum divided by n or multiplied by 1 / n;
the variance as the mean of centered squares, torch.var's n - 1, or
E[x^2] - E[x]^2; epsilon inside the root or added to the standard
deviation; a division by the root or a multiplication by its inverse; with
or without gamma and beta), or a near miss (epsilon added after the
inverse, a variance divided by n + 1, a mean of another tensor, a root of
the mean without epsilon), with an epsilon large enough (0.25, 1) that the
placements differ by more than the tolerance. Checks that the program after
--norm-raise gives the original program's results (norm-run --expect on the
same random inputs): a raise may only map a form to the op that computes
it. Reports every failure with the files that reproduce it.

    random_raise.py --norm-run build/bin/norm-run \\
        --norm-opt build/bin/norm-opt --seed 1 --cases 40 DIR
"""

import argparse
import os
import random
import subprocess
import sys


def ttype(shape, dtype="f32"):
    return "tensor<" + "x".join([str(d) for d in shape] + [dtype]) + ">"


class Program:
    def __init__(self, rng, shape, axes):
        self.rng = rng
        self.shape = shape
        self.rank = len(shape)
        self.axes = axes
        self.kept = [1 if a in axes else d for a, d in enumerate(shape)]
        self.n = 1
        for a in axes:
            self.n *= shape[a]
        self.args, self.inputs, self.lines = [], [], []
        self.count = 0

    def fresh(self):
        self.count += 1
        return f"%v{self.count}"

    def arg(self, shape, value="random", dtype="f32"):
        name = f"%a{len(self.args)}"
        self.args.append(f"{name}: {ttype(shape, dtype)}")
        self.inputs.append("--input=" + "x".join(map(str, shape)) +
                           f"x{dtype}={value}")
        return name

    def cast(self, v, src, dst):
        """A widening or narrowing generic, as torch-mlir writes .to()."""
        op = "extf" if src == "bf16" else "truncf"
        empty, out = self.fresh(), self.fresh()
        full = self.full_map()
        iters = ", ".join(['"parallel"'] * self.rank)
        self.lines.append(f"{empty} = tensor.empty() : {ttype(self.shape, dst)}")
        self.lines.append(
            f"{out} = linalg.generic {{indexing_maps = [{full}, {full}], "
            f"iterator_types = [{iters}]}} ins({v} : "
            f"{ttype(self.shape, src)}) outs({empty} : "
            f"{ttype(self.shape, dst)}) {{\n  ^bb0(%in: {src}, %out: {dst}):\n"
            f"    %r = arith.{op} %in : {src} to {dst}\n"
            f"    linalg.yield %r : {dst}\n  }} -> {ttype(self.shape, dst)}")
        return out

    def dims(self):
        return ", ".join(f"d{i}" for i in range(self.rank))

    def full_map(self):
        return f"affine_map<({self.dims()}) -> ({self.dims()})>"

    def kept_map(self):
        return (f"affine_map<({self.dims()}) -> (" +
                ", ".join("0" if a in self.axes else f"d{a}"
                          for a in range(self.rank)) + ")>")

    def param_map(self, axes):
        return (f"affine_map<({self.dims()}) -> (" +
                ", ".join(f"d{a}" for a in axes) + ")>")

    def generic(self, operands, out_shape, body, reduction=False):
        """operands: (value, map, shape); body(names) -> (lines, result)."""
        out_map = self.kept_map() if reduction else self.full_map()
        empty = self.fresh()
        out = self.fresh()
        if reduction:
            self.lines.append(f"{empty} = tensor.empty() : {ttype(out_shape)}")
            zero = self.fresh()
            self.lines.append(f"{zero} = arith.constant 0.0 : f32")
            filled = self.fresh()
            self.lines.append(
                f"{filled} = linalg.fill ins({zero} : f32) outs({empty} : "
                f"{ttype(out_shape)}) -> {ttype(out_shape)}")
            init = filled
        else:
            self.lines.append(f"{empty} = tensor.empty() : {ttype(out_shape)}")
            init = empty
        iters = ", ".join('"reduction"' if reduction and a in self.axes
                          else '"parallel"' for a in range(self.rank))
        names = [f"%in{i}" for i in range(len(operands))]
        lines, result = body(names)
        text = (f"{out} = linalg.generic {{indexing_maps = ["
                f"{', '.join(m for _, m, _ in operands)}, {out_map}], "
                f"iterator_types = [{iters}]}} ins("
                f"{', '.join(v for v, _, _ in operands)} : "
                f"{', '.join(ttype(s) for _, _, s in operands)}) outs({init} : "
                f"{ttype(out_shape)}) {{\n  ^bb0("
                + ", ".join(f"{n}: f32" for n in names) + ", %out: f32):\n")
        for line in lines:
            text += f"    {line}\n"
        text += f"    linalg.yield {result} : f32\n  }} -> {ttype(out_shape)}"
        self.lines.append(text)
        return out

    # Building blocks, each one generic as torch-mlir writes it.
    def full(self, v):
        return (v, self.full_map(), self.shape)

    def sum(self, v):
        return self.generic([self.full(v)], self.kept,
                            lambda n: ([f"%s = arith.addf {n[0]}, %out : f32"],
                                       "%s"), reduction=True)

    def on_kept(self, v, fn):
        """An elementwise op on a kept-shape value (identity maps on it)."""
        ident = f"affine_map<({self.dims()}) -> ({self.dims()})>"
        return self.generic([(v, ident, self.kept)], self.kept, fn)

    def on_kept2(self, a, b, fn):
        ident = f"affine_map<({self.dims()}) -> ({self.dims()})>"
        return self.generic([(a, ident, self.kept), (b, ident, self.kept)],
                            self.kept, fn)

    def scale_kept(self, v, divisor):
        """v / divisor, written as a division or as a product by 1 / d."""
        if self.rng.random() < 0.5:
            return self.on_kept(v, lambda n: (
                [f"%c = arith.constant {float(divisor):.9e} : f32",
                 f"%r = arith.divf {n[0]}, %c : f32"], "%r"))
        return self.on_kept(v, lambda n: (
            [f"%c = arith.constant {1.0 / divisor:.9e} : f32",
             f"%r = arith.mulf {n[0]}, %c : f32"], "%r"))

    def mean(self, v, divisor=None):
        return self.scale_kept(self.sum(v), divisor or self.n)

    def binary_full_kept(self, a, b, op):
        return self.generic([self.full(a), (b, self.kept_map(), self.kept)],
                            self.shape,
                            lambda n: ([f"%r = arith.{op} {n[0]}, {n[1]} : "
                                        "f32"], "%r"))

    def square(self, v):
        return self.generic([self.full(v), self.full(v)], self.shape,
                            lambda n: ([f"%r = arith.mulf {n[0]}, {n[1]} : "
                                        "f32"], "%r"))


def draw(rng):
    rank = rng.choice([2, 3])
    shape = [rng.choice([2, 3, 4]) for _ in range(rank)]
    shape[-1] = rng.choice([8, 33, 64])
    # Trailing axes, as torch's normalized_shape, or any other set (a
    # channels-first LayerNorm over axis 1).
    axes = list(range(rank - rng.randint(1, rank - 1), rank))
    if rng.random() < 0.3:
        axes = sorted(rng.sample(range(rank), rng.randint(1, rank - 1)))
    p = Program(rng, shape, axes)
    # bf16 activations are widened first and the result narrowed last.
    dtype = rng.choice(["f32", "f32", "bf16"])
    x = p.arg(shape, dtype=dtype)
    if dtype == "bf16":
        x = p.cast(x, "bf16", "f32")
    eps = rng.choice([0.25, 1.0, 1e-5])
    center = rng.random() < 0.7
    form = rng.choice(["plain", "plain", "plain", "unbiased", "moments",
                       "eps_std", "eps_std", "near_eps_after", "near_count",
                       "near_other_mean", "near_no_eps"])
    if form == "unbiased" and p.n == 1:
        form = "plain"
    source = x
    if form == "near_other_mean":
        # The mean of 2 x, subtracted from x.
        source = p.generic([p.full(x)], shape, lambda n: (
            ["%c = arith.constant 2.0 : f32",
             f"%r = arith.mulf {n[0]}, %c : f32"], "%r"))
    if center:
        m = p.mean(source)
        d = p.binary_full_kept(x, m, "subf")
        if form == "moments":
            ex2 = p.mean(p.square(x))
            var = p.on_kept2(ex2, m, lambda n: (
                [f"%q = arith.mulf {n[1]}, {n[1]} : f32",
                 f"%r = arith.subf {n[0]}, %q : f32"], "%r"))
        else:
            divisor = {"unbiased": p.n - 1, "near_count": p.n + 1}.get(form)
            var = p.mean(p.square(d), divisor)
    else:
        d = x
        divisor = {"near_count": p.n + 1}.get(form)
        var = p.mean(p.square(x), divisor)
    c = f"{eps:.9e}"
    divide = rng.random() < 0.5
    if form == "eps_std":
        # 1 / (sqrt(var) + eps): a division by the sum or a product by its
        # inverse.
        denom = p.on_kept(var, lambda n: (
            [f"%e = arith.constant {c} : f32", f"%s = math.sqrt {n[0]} : f32",
             "%r = arith.addf %s, %e : f32"], "%r"))
        op = "divf"
        if not divide:
            denom = p.on_kept(denom, lambda n: (
                ["%one = arith.constant 1.0 : f32",
                 f"%r = arith.divf %one, {n[0]} : f32"], "%r"))
            op = "mulf"
    elif form == "near_eps_after":
        # rsqrt(var) + eps: epsilon after the inverse.
        denom = p.on_kept(var, lambda n: (
            [f"%e = arith.constant {c} : f32", f"%s = math.rsqrt {n[0]} : f32",
             "%r = arith.addf %s, %e : f32"], "%r"))
        op = "mulf"
    elif form == "near_no_eps":
        denom = p.on_kept(var, lambda n: (
            [f"%r = math.rsqrt {n[0]} : f32"], "%r"))
        op = "mulf"
    elif divide:
        denom = p.on_kept(var, lambda n: (
            [f"%e = arith.constant {c} : f32",
             f"%s = arith.addf {n[0]}, %e : f32",
             "%r = math.sqrt %s : f32"], "%r"))
        op = "divf"
    else:
        denom = p.on_kept(var, lambda n: (
            [f"%e = arith.constant {c} : f32",
             f"%s = arith.addf {n[0]}, %e : f32",
             "%r = math.rsqrt %s : f32"], "%r"))
        op = "mulf"
    y = p.binary_full_kept(d, denom, op)
    # gamma and beta along the normalized axes (LayerNorm), or a third of
    # the time along one kept axis (a channel: batch or instance norm).
    paxes = axes
    kept_axes = [a for a in range(rank) if a not in axes]
    if kept_axes and rng.random() < 1 / 3:
        paxes = [rng.choice(kept_axes)]
    pshape = [shape[a] for a in paxes]
    for name, arith in (("gamma", "mulf"), ("beta", "addf")):
        if rng.random() < 0.5:
            w = p.arg(pshape)
            y = p.generic([p.full(y), (w, p.param_map(paxes), pshape)], shape,
                          lambda n, arith=arith: (
                              [f"%r = arith.{arith} {n[0]}, {n[1]} : f32"],
                              "%r"))
    if rng.random() < 0.2:  # a constant scale after the affine
        y = p.generic([p.full(y)], shape, lambda n: (
            ["%c = arith.constant 5.0e-01 : f32",
             f"%r = arith.mulf {n[0]}, %c : f32"], "%r"))
    if dtype == "bf16":
        y = p.cast(y, "f32", "bf16")
    body = "\n".join("    " + line.replace("\n", "\n    ")
                     for line in p.lines)
    rtype = ttype(shape, dtype)
    text = (f"func.func @f({', '.join(p.args)}) -> {rtype} {{\n"
            f"{body}\n    return {y} : {rtype}\n}}\n")
    return text, p.inputs, form


def run(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir")
    parser.add_argument("--norm-run", required=True)
    parser.add_argument("--norm-opt", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=40)
    a = parser.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    passed = raised = 0
    forms = {}
    for case in range(a.cases):
        rng = random.Random(a.seed * 100003 + case)
        text, inputs, form = draw(rng)
        base = os.path.join(a.workdir, f"case{a.seed}-{case}")
        with open(base + ".mlir", "w") as f:
            f.write(text)
        ins = " ".join(f"'{i}'" for i in inputs) + f" --seed={case}"
        steps = [
            f"{a.norm_run} {base}.mlir {ins} --output=@{base}.npy --check",
            f"{a.norm_opt} {base}.mlir --norm-raise -o {base}.raised.mlir",
            f"{a.norm_run} {base}.raised.mlir {ins} --expect=@{base}.npy",
        ]
        for step in steps:
            r = run(step)
            if r.returncode:
                print(f"FAILED case {case} ({form}): {step}\n"
                      f"{r.stdout[-600:]}{r.stderr[-600:]}")
                break
        else:
            passed += 1
            with open(base + ".raised.mlir") as f:
                hit = "norm." in f.read()
            raised += hit
            forms.setdefault(form, [0, 0])
            forms[form][0] += hit
            forms[form][1] += 1
    print(f"raise cases: {passed} of {a.cases} passed, {raised} raised")
    for form, (hit, total) in sorted(forms.items()):
        print(f"  {form}: {hit} of {total} raised")
    return 0 if passed == a.cases else 1


if __name__ == "__main__":
    sys.exit(main())
