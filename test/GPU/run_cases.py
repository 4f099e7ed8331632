#!/usr/bin/env python3
"""Runs the GPU execution matrix (cases.py) on a GPU: every case through
libnormgpu_cases.so on fresh random data, outputs poisoned with NaN first,
compared with a float64 reference computed by PyTorch from the same inputs.
Every case also runs with its buffers one element off 16-byte alignment
(`misaligned`: all of them; `gamma_off`: gamma alone), which the C
wrapper must route to its scalar kernel. Needs torch with CUDA; no MLIR.
Prints one line per case and mode, and a summary; exits non-zero on any
failure.

    run_cases.py DIR [--only SUBSTRING,...] [--repeat N]
"""

import argparse
import ctypes
import glob
import json
import math
import os
import sys

import torch

TORCH = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16,
         "f8E4M3FN": torch.float8_e4m3fn, "i8": torch.int8}
# |out - ref| <= ATOL + RTOL * |ref| for the normalized outputs, by dtype:
# the output rounding (f16 2^-11, bf16 2^-8 relative) plus f32 arithmetic.
TOL = {"f32": (2e-5, 2e-5), "f16": (2e-3, 2e-3), "bf16": (1.6e-2, 1.6e-2),
       # Quantized outputs: one step of the format (the value quantized
       # may sit on the other side of a rounding boundary): an f8E4M3FN
       # ulp is at most 1/8 of the value, 2^-9 below the normal range.
       "f8E4M3FN": (2.0**-9, 0.126), "i8": (1.0, 0.0)}
STAT_TOL = (1e-5, 1e-4)  # f32 statistics


def draw(shape, dtype, mode, role, gen):
    t = torch.randn(shape, dtype=torch.float64, generator=gen, device="cuda")
    if role in ("gamma",):
        t = 1.0 + 0.5 * t
    if role in ("var", "running_var"):
        t = torch.rand(shape, dtype=torch.float64, generator=gen,
                       device="cuda") + 0.5
    if role == "x":
        if mode == "constant":
            t = torch.full(shape, 3.25, dtype=torch.float64, device="cuda")
        elif mode == "offset":
            t = 1e4 + 1e-2 * t
        elif mode == "large":
            t = 6e4 * torch.tanh(t)
        elif mode == "nan":
            t = t.clone()
            t.view(-1, shape[-1])[1, shape[-1] // 2] = float("nan")
    return t.to(TORCH[dtype])


def bshape(shape, axes):
    return [d if i in axes else 1 for i, d in enumerate(shape)]


def normalize(x, axes, eps, center=True, eps_std=False, unbiased=False):
    mean = x.mean(dim=axes, keepdim=True) if center else 0.0
    d = x - mean
    var = (d * d).mean(dim=axes, keepdim=True)
    if unbiased:
        n = d.numel() // var.numel()
        var = var * n / (n - 1)
    return d * inverse_std(var, eps, eps_std), mean, var


def inverse_std(var, eps, eps_std=False):
    """rsqrt(var + eps), or 1 / (sqrt(var) + eps) with epsilon on the
    standard deviation."""
    if eps_std:
        return 1.0 / (torch.sqrt(var) + eps)
    return 1.0 / torch.sqrt(var + eps)


def reference(spec, ins):
    """float64 outputs, by role."""
    op, a = spec["op"], spec["attrs"]
    x = ins["x"].double()
    shape = spec["shape"]
    eps = 1e-5
    out = {}
    if op in ("rms_f8", "ln_i8"):
        axes = a["axes"]
        y, _, _ = normalize(x, axes, eps, center=op == "ln_i8")
        y = y * ins["gamma"].double().reshape(bshape(shape, axes))
        if op == "rms_f8":
            # The epilogue's argument is the bf16 output, scaled in f32.
            w = y.to(torch.bfloat16).float()
            s = w * ins["scale"].float().reshape(bshape(shape, axes))
            out["y"] = s.to(torch.float8_e4m3fn).float().double()
        else:
            out["y"] = torch.clamp(torch.round(y.float() * 32.0), -128.0,
                                   127.0).double()
        return out
    if op in ("layer_norm", "rms_norm", "add_rms_norm", "prenorm_gelu",
              "l2_normalize"):
        axes = a["axes"]
        if op == "add_rms_norm":
            h = (ins["x"].float() + ins["residual"].float()).to(
                ins["x"].dtype)
            out["h"] = h.double()
            x = h.double()
        if op == "prenorm_gelu":
            x = ins["x"].double() + ins["residual"].double()
            out["h"] = x
        if op == "l2_normalize":
            norm = torch.sqrt((x * x).sum(dim=axes, keepdim=True))
            out["y"] = x / torch.clamp(norm, min=1e-12)
            return out
        y, mean, var = normalize(x, axes, eps,
                                 center=op in ("layer_norm", "prenorm_gelu"),
                                 eps_std=a.get("eps_std", False),
                                 unbiased=a.get("unbiased", False))
        g = bshape(shape, axes)
        if "gamma" in ins:
            y = y * ins["gamma"].double().reshape(g)
        if "beta" in ins:
            y = y + ins["beta"].double().reshape(g)
        if op == "prenorm_gelu":
            y = y.float().double()  # the epilogue's argument is f32
            y = y + ins["bias"].double().reshape(g)
            y = 0.5 * y * (1.0 + torch.erf(y / math.sqrt(2.0)))
        out["y"] = y
        if a.get("stats"):
            kept = [d for i, d in enumerate(shape) if i not in axes]
            out["mean"] = mean.reshape(kept)
            out["rstd"] = inverse_std(var, eps,
                                      a.get("eps_std", False)).reshape(kept)
        return out
    c = a["channel"]
    rank = len(shape)
    cshape = [shape[c] if i == c else 1 for i in range(rank)]
    if op == "batch_norm_inference":
        m = ins["mean"].double().reshape(cshape)
        v = ins["var"].double().reshape(cshape)
        y = (x - m) / torch.sqrt(v + eps)
    elif op == "batch_norm":
        axes = [i for i in range(rank) if i != c]
        y, mean, var = normalize(x, axes, eps)
        n = x.numel() // shape[c]
        out["mean"] = mean.reshape(-1)
        out["var"] = var.reshape(-1)
        out["new_running_mean"] = (0.9 * ins["running_mean"].double() +
                                   0.1 * mean.reshape(-1))
        out["new_running_var"] = (0.9 * ins["running_var"].double() + 0.1 *
                                  var.reshape(-1) * n / max(n - 1, 1))
    elif op == "instance_norm":
        axes = [i for i in range(1, rank) if i != c]
        y, _, _ = normalize(x, axes, eps)
    elif op == "group_norm":
        gcount = a["groups"]
        xs = x.movedim(c, 1)
        s = xs.shape
        xg = xs.reshape(s[0], gcount, -1)
        yg, _, _ = normalize(xg, [2], eps)
        y = yg.reshape(s).movedim(1, c)
    else:
        raise ValueError(op)
    y = y * ins["gamma"].double().reshape(cshape)
    y = y + ins["beta"].double().reshape(cshape)
    out["y"] = y
    return out


def check(name, got, ref, dtype):
    atol, rtol = TOL.get(dtype, STAT_TOL) if dtype != "f32-stat" else STAT_TOL
    g = got.float().double()
    nan_ref = torch.isnan(ref)
    if not torch.equal(torch.isnan(g), nan_ref):
        return f"{name}: NaN where the reference has none (or the reverse)"
    ok = ~nan_ref
    err = (g[ok] - ref[ok]).abs()
    bound = atol + rtol * ref[ok].abs()
    if err.numel() and bool((err > bound).any()):
        i = int(torch.argmax(err - bound))
        return (f"{name}: max excess error {float((err - bound).max()):.3g} "
                f"(got {float(g[ok][i]):.8g}, want {float(ref[ok][i]):.8g})")
    return None


def offset(t):
    """A copy of `t` one element past a fresh allocation's start (so not
    16-byte aligned)."""
    buf = torch.empty(t.numel() + 1, dtype=t.dtype, device=t.device)
    view = buf[1:].view(t.shape)
    view.copy_(t)
    return view


# Modes that move buffers off alignment, and which roles they move.
MISALIGNED = {"misaligned": None, "gamma_off": ("gamma",)}


def poisoned(shape, dtype, second):
    """An output filled with NaN, or for integers with a value (two in
    turn, so that an element left unwritten differs between runs)."""
    if dtype == "i8":
        return torch.full(shape, -86 if second else 85, dtype=torch.int8,
                          device="cuda")
    return torch.full(shape, float("nan"), dtype=torch.float32,
                      device="cuda").to(TORCH[dtype])


def run_case(lib, spec, mode, seed, second=False):
    gen = torch.Generator(device="cuda")
    gen.manual_seed(seed)
    moved = MISALIGNED.get(mode, ())

    def place(t, role):
        return offset(t) if moved is None or role in moved else t

    ins, ptrs = {}, []
    for t in spec["inputs"]:
        v = draw(t["shape"], t["dtype"], mode, t["role"], gen).contiguous()
        v = place(v, t["role"])
        ins[t["role"]] = v
        ptrs.append(v.data_ptr())
    outs = []
    for t in spec["outputs"]:
        o = place(poisoned(t["shape"], t["dtype"], second), t["role"])
        outs.append(o)
        ptrs.append(o.data_ptr())
    array = (ctypes.c_void_p * len(ptrs))(*ptrs)
    # Dynamic sizes, in the order of the C function's size arguments.
    dims = [t["shape"][d] for t in spec["inputs"] for d in t["dynamic_dims"]]
    sizes = (ctypes.c_int64 * max(1, len(dims)))(*dims)
    stream = ctypes.c_void_p(torch.cuda.current_stream().cuda_stream)
    status = getattr(lib, "case_" + spec["name"])(array, sizes, stream)
    if status != 0:
        msg = lib.norm_cuda_error_message().decode()
        return [f"status {status}: {msg}"], outs
    torch.cuda.synchronize()
    ref = reference(spec, ins)
    problems = []
    for t, o in zip(spec["outputs"], outs):
        r = ref[t["role"]].reshape(o.shape)
        dtype = t["dtype"] if t["role"] in ("y", "h") else "f32-stat"
        why = check(t["role"], o, r, dtype)
        if why:
            problems.append(why)
    return problems, outs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--only", default="")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    (path,) = glob.glob(os.path.join(args.dir, "libnormgpu_*.so"))
    lib = ctypes.CDLL(path)
    lib.norm_cuda_error_message.restype = ctypes.c_char_p
    specs = json.load(open(os.path.join(args.dir, "spec.json")))
    torch.cuda.init()
    failures = 0
    total = 0
    for i, spec in enumerate(specs):
        if args.only and not any(o in spec["name"]
                                 for o in args.only.split(",")):
            continue
        getattr(lib, "case_" + spec["name"]).restype = ctypes.c_int
        roles = [t["role"] for t in spec["inputs"]]
        modes = spec["modes"] + ["misaligned"] + (["gamma_off"]
                                                  if "gamma" in roles else [])
        for mode in modes:
            for r in range(args.repeat):
                total += 1
                problems, outs = run_case(lib, spec, mode, 1000 * i + r)
                # Run to run: the same inputs give the same bits.
                if not problems and r == 0 and mode == "random":
                    again, outs2 = run_case(lib, spec, mode, 1000 * i,
                                            second=True)
                    for a, b in zip(outs, outs2):
                        if not torch.equal(a.view(torch.uint8) if a.dtype !=
                                           torch.float32 else a.view(
                                               torch.int32),
                                           b.view(torch.uint8) if b.dtype !=
                                           torch.float32 else b.view(
                                               torch.int32)):
                            problems.append("results differ between runs")
                            break
                status = "ok" if not problems else "FAIL " + "; ".join(
                    problems)
                if problems:
                    failures += 1
                print(f"{spec['name']:28s} {mode:9s} {status}", flush=True)
    print(f"{total - failures} of {total} passed on "
          f"{torch.cuda.get_device_name()}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
