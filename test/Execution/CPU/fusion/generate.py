#!/usr/bin/env python3
"""Writes the execution tests of fusion: each block below is written unfused,
in linalg on tensors the way torch-mlir writes it, for f32, f16 and bf16. Each
test runs the unfused program and the program after --norm-fuse-elementwise
on the CPU pipeline (and the fused one on the reference pipeline), each
checked against the float64 reference on the same random inputs, checks that
the fused program's results are the unfused one's (--expect, within the
dtype's tolerance) and that the fused program has no linalg op left. The .mlir files are committed
so that the tests need no Python; rerun the script after changing it."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = ["f32", "f16", "bf16"]


def t(shape, dtype):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + dtype + ">"


def maps(rank, *operands):
    """indexing_maps for operands given as lists of loop dims."""
    dims = ", ".join(f"d{i}" for i in range(rank))
    out = []
    for o in operands:
        out.append(f"affine_map<({dims}) -> ({', '.join(f'd{i}' for i in o)})>")
    return "[" + ", ".join(out) + "]"


def generic(result, ins, outs, body, rank):
    """ins: list of (value, type, dims); body: lines using %a0.. and %o."""
    names = [f"%a{i}" for i in range(len(ins))]
    elem = lambda ty: ty.split("x")[-1].rstrip(">")
    args = ", ".join(f"{n}: {elem(ty)}" for n, (_, ty, _) in zip(names, ins))
    iters = ", ".join(['"parallel"'] * rank)
    m = maps(rank, *[d for (_, _, d) in ins], list(range(rank)))
    lines = [
        f"  {result} = linalg.generic {{indexing_maps = {m}, iterator_types = [{iters}]}}"
        f" ins({', '.join(v for v, _, _ in ins)} : {', '.join(ty for _, ty, _ in ins)})"
        f" outs({outs[0]} : {outs[1]}) {{",
        f"  ^bb0({args}, %o: {elem(outs[1])}):",
    ]
    lines += ["    " + l for l in body]
    lines.append(f"  }} -> {outs[1]}")
    return "\n".join(lines)


def to_f32(v, dtype, name):
    if dtype == "f32":
        return [], v
    return [f"{name} = arith.extf {v} : {dtype} to f32"], name


def from_f32(v, dtype, name):
    if dtype == "f32":
        return [], v
    return [f"{name} = arith.truncf {v} : f32 to {dtype}"], name


def gelu_erf(v):
    return [
        "%c_half = arith.constant 0.5 : f32",
        "%c_one = arith.constant 1.0 : f32",
        "%c_rsqrt2 = arith.constant 0.70710678118654752 : f32",
        f"%g0 = arith.mulf {v}, %c_rsqrt2 : f32",
        "%g1 = math.erf %g0 : f32",
        "%g2 = arith.addf %g1, %c_one : f32",
        f"%g3 = arith.mulf {v}, %c_half : f32",
        "%gelu = arith.mulf %g3, %g2 : f32",
    ], "%gelu"


def gelu_tanh(v):
    return [
        "%c_half = arith.constant 0.5 : f32",
        "%c_one = arith.constant 1.0 : f32",
        "%c_k = arith.constant 0.7978845608028654 : f32",
        "%c_a = arith.constant 0.044715 : f32",
        f"%g0 = arith.mulf {v}, {v} : f32",
        f"%g1 = arith.mulf %g0, {v} : f32",
        "%g2 = arith.mulf %g1, %c_a : f32",
        f"%g3 = arith.addf {v}, %g2 : f32",
        "%g4 = arith.mulf %g3, %c_k : f32",
        "%g5 = math.tanh %g4 : f32",
        "%g6 = arith.addf %g5, %c_one : f32",
        f"%g7 = arith.mulf {v}, %c_half : f32",
        "%gelu = arith.mulf %g7, %g6 : f32",
    ], "%gelu"


def transformer(dtype):
    """Pre-norm transformer block: h = x + r (kept), y = LayerNorm(h) * g +
    b, then + bias and GELU (erf) per element."""
    s = [8, 768]
    T, P = t(s, dtype), t([768], dtype)
    body1 = ["%s = arith.addf %a0, %a1 : " + dtype, "linalg.yield %s : " + dtype]
    pre, v = to_f32("%z0", dtype, "%zf")
    act, a = gelu_erf(v)
    post, r = from_f32(a, dtype, "%zt")
    body2 = ["%z0 = arith.addf %a0, %a1 : " + dtype] + pre + act + post + [
        f"linalg.yield {r} : {dtype}"]
    return f"""func.func @transformer_{dtype}(%x: {T}, %r: {T}, %g: {P}, %b: {P}, %bias: {P}) -> ({T}, {T}) {{
  %e = tensor.empty() : {T}
{generic("%h", [("%x", T, [0, 1]), ("%r", T, [0, 1])], ("%e", T), body1, 2)}
  %y = norm.layer_norm %h gamma(%g : {P}) beta(%b : {P}) {{axes = array<i64: 1>}} : {T} -> {T}
{generic("%z", [("%y", T, [0, 1]), ("%bias", P, [1])], ("%e", T), body2, 2)}
  return %z, %h : {T}, {T}
}}""", ["8x768x" + dtype] * 2 + ["768x" + dtype] * 3, 2, "norm.layer_norm"


def llm(dtype):
    """LLM block: h = x + r with linalg.add (kept for the next block),
    RMSNorm(h) * g."""
    s = [6, 1024]
    T, P = t(s, dtype), t([1024], dtype)
    return f"""func.func @llm_{dtype}(%x: {T}, %r: {T}, %g: {P}) -> ({T}, {T}) {{
  %e = tensor.empty() : {T}
  %h = linalg.add ins(%x, %r : {T}, {T}) outs(%e : {T}) -> {T}
  %y = norm.rms_norm %h gamma(%g : {P}) {{axes = array<i64: 1>}} : {T} -> {T}
  return %y, %h : {T}, {T}
}}""", ["6x1024x" + dtype] * 2 + ["1024x" + dtype], 2, "norm.rms_norm"


def silu(dtype):
    """RMSNorm then SiLU written as arith/math ops on tensors, the bias added
    through linalg.broadcast."""
    s = [4, 1000]
    T, P = t(s, dtype), t([1000], dtype)
    return f"""func.func @silu_{dtype}(%x: {T}, %bias: {P}) -> {T} {{
  %y = norm.rms_norm %x {{axes = array<i64: 1>}} : {T} -> {T}
  %e = tensor.empty() : {T}
  %bb = linalg.broadcast ins(%bias : {P}) outs(%e : {T}) dimensions = [0]
  %yb = arith.addf %y, %bb : {T}
  %n = arith.negf %yb : {T}
  %ex = math.exp %n : {T}
  %one = arith.constant dense<1.0> : {T}
  %den = arith.addf %ex, %one : {T}
  %z = arith.divf %yb, %den : {T}
  return %z : {T}
}}""", ["4x1000x" + dtype, "1000x" + dtype], 1, "norm.rms_norm"


def cnn(dtype):
    """ResNet block tail: BatchNorm (inference, NCHW), + per-channel bias,
    ReLU."""
    s = [4, 32, 14, 14]
    T, C, S = t(s, dtype), t([32], dtype), t([32], "f32")
    body = [
        "%c0 = arith.constant 0.0 : " + dtype,
        "%s = arith.addf %a0, %a1 : " + dtype,
        "%m = arith.maximumf %s, %c0 : " + dtype,
        "linalg.yield %m : " + dtype,
    ]
    return f"""func.func @cnn_{dtype}(%x: {T}, %mean: {S}, %var: {S}, %g: {C}, %bias: {C}) -> {T} {{
  %y = norm.batch_norm_inference %x, %mean, %var gamma(%g : {C}) : {T}, {S}, {S} -> {T}
  %e = tensor.empty() : {T}
{generic("%z", [("%y", T, [0, 1, 2, 3]), ("%bias", C, [1])], ("%e", T), body, 4)}
  return %z : {T}
}}""", ["4x32x14x14x" + dtype, "32xf32=random", "32xf32=random(0.5,2)", "32x" + dtype, "32x" + dtype], 1, "norm.batch_norm_inference"


def convnext(dtype):
    """ConvNeXt channels-first LayerNorm (over C of NCHW) and GELU (tanh)."""
    s = [2, 64, 7, 7]
    T, P = t(s, dtype), t([64], dtype)
    pre, v = to_f32("%a0", dtype, "%xf")
    act, a = gelu_tanh(v)
    post, r = from_f32(a, dtype, "%zt")
    body = pre + act + post + [f"linalg.yield {r} : {dtype}"]
    return f"""func.func @convnext_{dtype}(%x: {T}, %g: {P}, %b: {P}) -> {T} {{
  %y = norm.layer_norm %x gamma(%g : {P}) beta(%b : {P}) {{axes = array<i64: 1>}} : {T} -> {T}
  %e = tensor.empty() : {T}
{generic("%z", [("%y", T, [0, 1, 2, 3])], ("%e", T), body, 4)}
  return %z : {T}
}}""", ["2x64x7x7x" + dtype, "64x" + dtype, "64x" + dtype], 1, "norm.layer_norm"


def groupnorm(dtype):
    """Diffusion U-Net: GroupNorm, a per-channel scale, leaky ReLU, sigmoid
    gate."""
    s = [2, 32, 5, 5]
    T, P = t(s, dtype), t([32], dtype)
    pre, v = to_f32("%s0", dtype, "%sf")
    post, r = from_f32("%z3", dtype, "%zt")
    body = ["%s0 = arith.mulf %a0, %a1 : " + dtype] + pre + [
        "%c0 = arith.constant 0.0 : f32",
        "%c_slope = arith.constant 0.01 : f32",
        "%c1 = arith.constant 1.0 : f32",
        f"%pos = arith.cmpf ogt, {v}, %c0 : f32",
        f"%neg = arith.mulf {v}, %c_slope : f32",
        f"%z0 = arith.select %pos, {v}, %neg : f32",
        "%z1 = arith.negf %z0 : f32",
        "%z2 = math.exp %z1 : f32",
        "%z4 = arith.addf %z2, %c1 : f32",
        "%z3 = arith.divf %c1, %z4 : f32",
    ] + post + [f"linalg.yield {r} : {dtype}"]
    return f"""func.func @groupnorm_{dtype}(%x: {T}, %scale: {P}) -> {T} {{
  %y = norm.group_norm %x {{num_groups = 8}} : {T} -> {T}
  %e = tensor.empty() : {T}
{generic("%z", [("%y", T, [0, 1, 2, 3]), ("%scale", P, [1])], ("%e", T), body, 4)}
  return %z : {T}
}}""", ["2x32x5x5x" + dtype, "32x" + dtype], 1, "norm.group_norm"


def casts(dtype):
    """Mixed precision: the input cast to f32, LayerNorm in f32, the result
    cast back (fused: a prologue and an epilogue that only cast)."""
    if dtype == "f32":
        return None
    s = [16, 512]
    T, F = t(s, dtype), t(s, "f32")
    return f"""func.func @casts_{dtype}(%x: {T}) -> {T} {{
  %e = tensor.empty() : {F}
{generic("%xf", [("%x", T, [0, 1])], ("%e", F), ["%v = arith.extf %a0 : " + dtype + " to f32", "linalg.yield %v : f32"], 2)}
  %y = norm.layer_norm %xf {{axes = array<i64: 1>}} : {F} -> {F}
  %e2 = tensor.empty() : {T}
{generic("%z", [("%y", F, [0, 1])], ("%e2", T), ["%v = arith.truncf %a0 : f32 to " + dtype, "linalg.yield %v : " + dtype], 2)}
  return %z : {T}
}}""", ["16x512x" + dtype], 1, "norm.layer_norm"


def transpose(result, value, source, permutation, dtype):
    """linalg.transpose of `value` (shape `source`) as torch-mlir writes
    x.permute(...)."""
    shape = [source[p] for p in permutation]
    S, R = t(source, dtype), t(shape, dtype)
    perm = ", ".join(str(p) for p in permutation)
    return (f"  {result}_init = tensor.empty() : {R}\n"
            f"  {result} = linalg.transpose ins({value} : {S}) outs({result}_init : {R})"
            f" permutation = [{perm}]"), R


def layernorm2d(dtype):
    """timm's LayerNorm2d: NCHW permuted to NHWC, LayerNorm over the last axis
    and its affine, permuted back, GELU (erf). Fused: one LayerNorm over C of
    NCHW, no transpose left."""
    s = [2, 48, 7, 7]
    P = t([48], dtype)
    to_nhwc, N = transpose("%t", "%x", s, [0, 2, 3, 1], dtype)
    back, _ = transpose("%u", "%a", [2, 7, 7, 48], [0, 3, 1, 2], dtype)
    pre, v = to_f32("%a0", dtype, "%uf")
    act, a = gelu_erf(v)
    post, r = from_f32(a, dtype, "%zt")
    T = t(s, dtype)
    affine = [f"%m = arith.mulf %a0, %a1 : {dtype}",
              f"%ab = arith.addf %m, %a2 : {dtype}",
              f"linalg.yield %ab : {dtype}"]
    return f"""func.func @layernorm2d_{dtype}(%x: {T}, %g: {P}, %b: {P}) -> {T} {{
{to_nhwc}
  %y = norm.layer_norm %t {{axes = array<i64: 3>, epsilon = 1.0e-6}} : {N} -> {N}
  %e = tensor.empty() : {N}
{generic("%a", [("%y", N, [0, 1, 2, 3]), ("%g", P, [3]), ("%b", P, [3])], ("%e", N), affine, 4)}
{back}
  %e2 = tensor.empty() : {T}
{generic("%z", [("%u", T, [0, 1, 2, 3])], ("%e2", T), pre + act + post + [f"linalg.yield {r} : {dtype}"], 4)}
  return %z : {T}
}}""", ["2x48x7x7x" + dtype, "48x" + dtype, "48x" + dtype], 1, ["norm.layer_norm %arg0 epilogue", "axes = array<i64: 1>"]


def nhwc_batchnorm(dtype):
    """tf2onnx: an NHWC tensor transposed to NCHW for BatchNormalization
    (inference) and back, then ReLU. Fused: one batch norm over the last
    axis."""
    s = [4, 6, 6, 40]
    C, S = t([40], dtype), t([40], "f32")
    to_nchw, N = transpose("%t", "%x", s, [0, 3, 1, 2], dtype)
    back, _ = transpose("%u", "%y", [4, 40, 6, 6], [0, 2, 3, 1], dtype)
    T = t(s, dtype)
    body = ["%c0 = arith.constant 0.0 : " + dtype,
            "%m = arith.maximumf %a0, %c0 : " + dtype,
            "linalg.yield %m : " + dtype]
    return f"""func.func @nhwc_batchnorm_{dtype}(%x: {T}, %mean: {S}, %var: {S}, %g: {C}, %b: {C}) -> {T} {{
{to_nchw}
  %y = norm.batch_norm_inference %t, %mean, %var gamma(%g : {C}) beta(%b : {C}) : {N}, {S}, {S} -> {N}
{back}
  %e = tensor.empty() : {T}
{generic("%z", [("%u", T, [0, 1, 2, 3])], ("%e", T), body, 4)}
  return %z : {T}
}}""", ["4x6x6x40x" + dtype, "40xf32=random", "40xf32=random(0.5,2)", "40x" + dtype, "40x" + dtype], 1, ["norm.batch_norm_inference %arg0", "channel_axis = 3"]


def nhwc_groupnorm(dtype):
    """A channels-last U-Net block: NHWC transposed to NCHW for GroupNorm
    with its affine and back, then SiLU. Fused: one group norm over the last
    axis (the channel groups of docs/cpu.md)."""
    s = [2, 6, 6, 64]
    P = t([64], dtype)
    to_nchw, N = transpose("%t", "%x", s, [0, 3, 1, 2], dtype)
    back, _ = transpose("%u", "%y", [2, 64, 6, 6], [0, 2, 3, 1], dtype)
    T = t(s, dtype)
    pre, v = to_f32("%a0", dtype, "%uf")
    post, r = from_f32("%silu", dtype, "%zt")
    body = pre + ["%c1 = arith.constant 1.0 : f32",
                  f"%n = arith.negf {v} : f32",
                  "%ex = math.exp %n : f32",
                  "%den = arith.addf %ex, %c1 : f32",
                  f"%silu = arith.divf {v}, %den : f32"] + post + [
                      f"linalg.yield {r} : {dtype}"]
    return f"""func.func @nhwc_groupnorm_{dtype}(%x: {T}, %g: {P}, %b: {P}) -> {T} {{
{to_nchw}
  %y = norm.group_norm %t gamma(%g : {P}) beta(%b : {P}) {{num_groups = 8}} : {N} -> {N}
{back}
  %e = tensor.empty() : {T}
{generic("%z", [("%u", T, [0, 1, 2, 3])], ("%e", T), body, 4)}
  return %z : {T}
}}""", ["2x6x6x64x" + dtype, "64x" + dtype, "64x" + dtype], 1, ["norm.group_norm %arg0", "channel_axis = 3"]


BLOCKS = [transformer, llm, silu, cnn, convnext, groupnorm, casts, layernorm2d,
          nhwc_batchnorm, nhwc_groupnorm]


def inputs_args(inputs):
    args = []
    for i in inputs:
        i = i if "=" in i else i + "=random"
        args.append(f"--input='{i}'" if "(" in i else f"--input={i}")
    return " ".join(args)


def main():
    for block in BLOCKS:
        name = block.__name__
        funcs, runs = [], []
        for dtype in DTYPES:
            made = block(dtype)
            if made is None:
                continue
            text, inputs, results, op = made
            fn = f"{name}_{dtype}"
            args = inputs_args(inputs)
            prefix = f"R{results}"
            outputs = " ".join(f"--output=@%t.{fn}.{k}.npy"
                               for k in range(results))
            expects = " ".join(f"--expect=@%t.{fn}.{k}.npy"
                               for k in range(results))
            runs.append(
                f"// RUN: norm-run %s --function={fn} {args} --check {outputs} | FileCheck %s --check-prefix={prefix}\n"
                f"// RUN: norm-opt %s --norm-fuse-elementwise > %t.{fn}.mlir\n"
                f"// RUN: FileCheck %s --check-prefix=FUSED-{dtype.upper()} < %t.{fn}.mlir\n"
                f"// RUN: norm-run %t.{fn}.mlir --function={fn} {args} --check {expects} | FileCheck %s --check-prefixes=SAME{results},{prefix}\n"
                f"// RUN: norm-run %t.{fn}.mlir --pipeline=reference --function={fn} {args} --check | FileCheck %s --check-prefix={prefix}\n"
                f"// FUSED-{dtype.upper()}-LABEL: func.func @{fn}(\n"
                f"// FUSED-{dtype.upper()}-NOT: linalg.\n"
                + "".join(f"// FUSED-{dtype.upper()}: {c}\n"
                          for c in ([op] if isinstance(op, str) else op))
                + 
                f"// FUSED-{dtype.upper()}-NOT: linalg.\n"
                f"// FUSED-{dtype.upper()}: return\n")
            funcs.append(text)
        # norm-run prints the --expect comparisons before the --check ones.
        checks = "".join(f"// SAME{results}: expect result[{k}]: {{{{.*}}}}: ok\n"
                         for k in range(results))
        checks += "".join(f"// R{results}: check result[{k}]: {{{{.*}}}}: ok\n"
                          for k in range(results))
        doc = block.__doc__.replace("\n", "\n// ").replace("    ", "")
        with open(os.path.join(HERE, name + ".mlir"), "w") as f:
            f.write("// Generated by generate.py; do not edit, rerun the script.\n")
            f.write("// " + doc + "\n")
            f.write("".join(runs))
            f.write(checks + "\n")
            f.write("\n\n".join(funcs) + "\n")


if __name__ == "__main__":
    main()
