#!/usr/bin/env python3
"""The GPU benchmark (docs/gpu.md): norm's kernels (libnormgpu_bench.so from
bench/gpu/cases.py) against PyTorch eager, torch.compile, Liger-Kernel and
Quack (each if importable) and a device-to-device copy of the same bytes,
all in one run,
timed with CUDA events (triton.testing.do_bench, median). Bytes moved = every
input read once + every output written once. Writes a CSV.

    run_bench.py DIR OUT.csv [--only SUBSTRING] [--no-compile] [--no-liger]
                 [--no-quack] [--variant NAME=DIR ...]

A variant is the same cases compiled with other options (a bundle directory
of gpu-bundle.sh): its time goes in column norm_NAME, measured next to
norm's, to compare code generation choices in one run.
"""

import argparse
import csv
import ctypes
import glob
import json
import os

import torch
import torch.nn.functional as F
from triton.testing import do_bench

TORCH = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}


def liger_ops():
    try:
        from liger_kernel.ops.layer_norm import LigerLayerNormFunction
        from liger_kernel.ops.rms_norm import LigerRMSNormFunction
    except Exception as e:  # noqa: BLE001 - any import failure: no Liger
        print(f"# Liger-Kernel not available: {e}")
        return None, None
    return (lambda x, g, b: LigerLayerNormFunction.apply(x, g, b, 1e-5),
            lambda x, g: LigerRMSNormFunction.apply(x, g, 1e-5))


def quack_op():
    """Quack's fused RMSNorm/LayerNorm forward (CUTLASS DSL), writing into a
    preallocated output like norm's kernels: fn(x, gamma, beta, out, ln)."""
    try:
        from quack.rmsnorm import _rmsnorm_fwd
    except Exception as e:  # noqa: BLE001 - any import failure: no Quack
        print(f"# Quack not available: {e}")
        return None
    return lambda x, g, b, out, ln: _rmsnorm_fwd(
        x, g, out, b, None, None, None, None, 1e-5, ln)


def timed(fn):
    return do_bench(fn, warmup=10, rep=60, return_mode="median")


def latency_us(fn, calls=2000):
    for _ in range(50):
        fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(True), torch.cuda.Event(True)
    start.record()
    for _ in range(calls):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) * 1000.0 / calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("csv")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-compile", action="store_true")
    ap.add_argument("--no-liger", action="store_true")
    ap.add_argument("--no-quack", action="store_true")
    ap.add_argument("--variant", action="append", default=[])
    args = ap.parse_args()
    lib = ctypes.CDLL(os.path.join(args.dir, "libnormgpu_bench.so"))
    lib.norm_cuda_error_message.restype = ctypes.c_char_p
    variants = []
    for v in args.variant:
        vname, vdir = v.split("=", 1)
        vlib = ctypes.CDLL(glob.glob(os.path.join(vdir, "libnormgpu_*.so"))[0])
        vlib.norm_cuda_error_message.restype = ctypes.c_char_p
        variants.append((vname, vlib))
    specs = json.load(open(os.path.join(args.dir, "spec.json")))
    liger_ln, liger_rms = (None, None) if args.no_liger else liger_ops()
    quack_fwd = None if args.no_quack else quack_op()
    rows = []
    gpu = torch.cuda.get_device_name()
    for spec in specs:
        name = spec["name"]
        if args.only and not any(o in name for o in args.only.split(",")):
            continue
        ins, ptrs = {}, []
        for t in spec["inputs"]:
            v = torch.randn(t["shape"], device="cuda").to(TORCH[t["dtype"]])
            if t["role"] in ("var", "running_var"):
                v = v.abs() + 0.5
            ins[t["role"]] = v
            ptrs.append(v.data_ptr())
        outs = [torch.empty(t["shape"], dtype=TORCH[t["dtype"]],
                            device="cuda") for t in spec["outputs"]]
        ptrs += [o.data_ptr() for o in outs]
        array = (ctypes.c_void_p * len(ptrs))(*ptrs)
        dims = [t["shape"][d] for t in spec["inputs"]
                for d in t.get("dynamic_dims", [])]
        sizes = (ctypes.c_int64 * max(1, len(dims)))(*dims)
        # The current stream as Triton's launcher reads it (a raw handle,
        # no Stream object per call), and fixed ctypes argument types.
        device = torch.cuda.current_device()
        raw_stream = torch._C._cuda_getCurrentRawStream
        addresses = (ctypes.addressof(array), ctypes.addressof(sizes))

        def launcher(lib, per_call_stream_object=False):
            entry = getattr(lib, "case_" + name)
            entry.restype = ctypes.c_int
            entry.argtypes = [ctypes.c_void_p] * 3

            def run():
                if per_call_stream_object:  # the harness before 2026-11-27
                    s = torch.cuda.current_stream().cuda_stream
                else:
                    s = raw_stream(device)
                rc = entry(*addresses, s)
                if rc:
                    raise RuntimeError(lib.norm_cuda_error_message().decode())
            return run

        ours = launcher(lib)

        nbytes = sum(v.numel() * v.element_size() for v in ins.values())
        nbytes += sum(o.numel() * o.element_size() for o in outs)
        x, g, b = ins["x"], ins.get("gamma"), ins.get("beta")
        op = spec["op"]
        quack = None
        if quack_fwd and op in ("layer_norm", "rms_norm"):
            qout = torch.empty_like(x)
            quack = lambda: quack_fwd(  # noqa: E731
                x, g, b, qout, op == "layer_norm")
        if op == "layer_norm":
            shape = [x.shape[-1]]
            eager = lambda: F.layer_norm(x, shape, g, b, 1e-5)  # noqa: E731
            liger = (lambda: liger_ln(x, g, b)) if liger_ln else None
        elif op == "rms_norm":
            shape = [x.shape[-1]]
            eager = lambda: F.rms_norm(x, shape, g, 1e-5)  # noqa: E731
            liger = (lambda: liger_rms(x, g)) if liger_rms else None
        elif op == "batch_norm_inference":
            m, v = ins["mean"], ins["var"]
            eager = lambda: F.batch_norm(  # noqa: E731
                x, m, v, g, b, False, 0.1, 1e-5)
            liger = None
        else:  # batch_norm training
            rm, rv = ins["running_mean"].clone(), ins["running_var"].clone()
            eager = lambda: F.batch_norm(  # noqa: E731
                x, rm, rv, g, b, True, 0.1, 1e-5)
            liger = None
        latency = x.numel() <= 8192
        measure = latency_us if latency else timed
        row = {"gpu": gpu, "case": name, "op": op, "dtype": spec["dtype"],
               "shape": "x".join(map(str, spec["shape"])), "bytes": nbytes,
               "unit": "us/call" if latency else "ms"}
        ours()
        torch.cuda.synchronize()
        row["norm"] = measure(ours)
        for vname, vlib in variants:
            row[f"norm_{vname}"] = measure(launcher(vlib))
        if latency:  # what the harness's own Python costs per call
            row["norm_stream_object"] = measure(launcher(lib, True))
        row["eager"] = measure(eager)
        if not args.no_compile:
            # Every case's lambda has the same code object: without a
            # reset, Dynamo stops recompiling it after its recompile limit
            # (8) and silently runs eager (the compile columns before
            # 2026-11-27 were eager from the 17th case on).
            torch._dynamo.reset()
            compiled = torch.compile(eager, dynamic=False)
            compiled()
            row["compile"] = measure(compiled)
        if liger:
            try:
                liger()
                row["liger"] = measure(liger)
            except Exception as e:  # noqa: BLE001
                print(f"# Liger failed on {name}: {e}")
        if quack:
            try:
                quack()
                # A contender that computes something else is no contender.
                ref = eager().float()
                err = ((qout.float() - ref).norm() / ref.norm()).item()
                if not err < 2e-2:
                    raise RuntimeError(f"relative error {err:.3g}")
                row["quack"] = measure(quack)
            except Exception as e:  # noqa: BLE001
                print(f"# Quack failed on {name}: {e}")
        if not latency:
            src = torch.empty(nbytes // 2, dtype=torch.uint8, device="cuda")
            dst = torch.empty_like(src)
            row["copy"] = timed(lambda: dst.copy_(src))
            row["norm_over_copy"] = row["copy"] / row["norm"]
        for k in ["eager", "compile", "liger", "quack",
                  "norm_stream_object"] + [f"norm_{v}" for v, _ in variants]:
            if k in row:
                row[f"speedup_vs_{k}"] = row[k] / row["norm"]
        rows.append(row)
        print(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in row.items() if k != "gpu"), flush=True)
        del ins, outs
        torch.cuda.empty_cache()
        write_csv(args.csv, rows)  # after every row: a cut-off run keeps some


def write_csv(path, rows):
    keys = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
