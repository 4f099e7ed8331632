#!/usr/bin/env python3
"""The CPU benchmark: norm's kernels against oneDNN, onnxruntime, IREE, a
plain scalar loop and the machine's own copy bandwidth, measured side by
side.

    make bench            # or: python3 bench/run.py [--quick] [--rounds N]
    make bench BENCH_ARGS=--isa=avx2

Every contender runs with the same thread count. With --isa=avx2 every
contender that can be held to AVX2 is: norm's kernels, the copy and the
scalar loop compiled for haswell (build/bench/norm-bench-avx2), oneDNN
with ONEDNN_MAX_CPU_ISA=AVX2, IREE with --iree-llvmcpu-target-cpu=haswell,
the fusion blocks through norm-run --target-cpu=haswell; onnxruntime picks
its kernels at run time and cannot be held to AVX2, so it is left out;
results go to bench/results/cpu-avx2.csv and cpu-avx2.png.

Contenders are interleaved case by case and the whole sweep is repeated
(--rounds); the table reports medians. Prints a table, writes
bench/results/cpu.csv (kernel, dtype, shape, impl, seconds, gbps) and draws
bench/results/cpu.png when matplotlib is available. onnxruntime, IREE and
matplotlib come from PyPI into a virtualenv under build/ (never a build or
test dependency); oneDNN from Debian's libdnnl-dev.
"""

import argparse
import csv
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
BENCH_BIN = os.path.join(BUILD, "bench")
RESULTS = os.path.join(ROOT, "bench", "results")

ROWS = ["4096x768", "8192x1024", "2048x4096", "16384x4096", "1024x8192",
        "32768x1024"]
LATENCY = ["1x768", "1x4096", "8x1024"]
IMAGES = ["32x64x56x56", "32x256x14x14"]
# The same batch norms over NHWC images, and one with 16 channels.
IMAGES_NHWC = ["32x56x56x64", "32x14x14x256", "32x56x56x16"]
# Group norm, 32 groups, at two of the Stable Diffusion UNet's shapes
# (batch 2), over NCHW and NHWC.
GROUPS = ["2x320x64x64", "2x1280x16x16"]
GROUPS_NHWC = ["2x64x64x320", "2x16x16x1280"]


def cases(quick):
    rows = ["4096x768", "8192x1024"] if quick else ROWS
    images = IMAGES[:1] if quick else IMAGES
    for kernel in ("layer_norm", "rms_norm"):
        for dtype in ("f32", "bf16"):
            for shape in rows + LATENCY:
                yield kernel, dtype, shape
    for kernel in ("bn_infer", "bn_train"):
        for dtype in ("f32", "bf16"):
            for shape in images:
                yield kernel, dtype, shape
    for kernel in ("bn_infer_nhwc", "bn_train_nhwc"):
        for dtype in ("f32", "bf16"):
            for shape in IMAGES_NHWC[:1] if quick else IMAGES_NHWC:
                yield kernel, dtype, shape
    for kernel, shapes in (("group_norm", GROUPS),
                           ("group_norm_nhwc", GROUPS_NHWC)):
        for dtype in ("f32", "bf16"):
            for shape in shapes[:1] if quick else shapes:
                yield kernel, dtype, shape


# Fused vs unfused model blocks (bench/fusion.mlir) through norm-run.
FUSION = [("transformer_bf16", "16384x1024"), ("transformer_bf16", "8192x4096"),
          ("llm_bf16", "8192x4096"), ("llm_bf16", "32768x1024"),
          ("cnn_f32", "32x64x56x56"), ("cnn_f32", "32x256x14x14")]


def fusion_inputs(kernel, shape):
    dims = shape.split("x")
    if kernel.startswith("transformer"):
        d = dims[-1]
        return [f"{shape}xbf16=random"] * 2 + [f"{d}xbf16=random"] * 3
    if kernel.startswith("llm"):
        return [f"{shape}xbf16=random"] * 2 + [f"{dims[-1]}xbf16=random"]
    c = dims[1]
    return [f"{shape}xf32=random", f"{c}xf32=random",
            f"{c}xf32=random(0.5,2)", f"{c}xf32=random", f"{c}xf32=random"]


# "native" or "avx2" (--isa).
ISA = "native"


def isa_env():
    """oneDNN held to AVX2 with --isa=avx2 (the other binaries are compiled
    for it)."""
    return {"ONEDNN_MAX_CPU_ISA": "AVX2"} if ISA == "avx2" else {}


def run_fusion(path, kernel, shape, threads):
    """(seconds, bytes moved) or None."""
    env = dict(os.environ, NORM_NUM_THREADS=str(threads), **PINNED)
    target = ["--target-cpu=haswell"] if ISA == "avx2" else []
    out = subprocess.run(
        [os.path.join(BUILD, "bin", "norm-run"), path] + target +
        [f"--function={kernel}",
         f"--benchmark={reps_for(shape)}"] +
        [f"--input={i}" for i in fusion_inputs(kernel, shape)],
        capture_output=True, text=True, env=env)
    for line in out.stdout.splitlines() + out.stderr.splitlines():
        if line.startswith("benchmark:"):
            words = line.split()
            us = float(words[words.index("median") + 1])
            moved = int(words[words.index("bytes") - 1])
            return us * 1e-6, moved
    print(f"norm-run failed for {kernel} {shape}: {out.stderr.strip()}")
    return None


# OpenMP threads pinned, one per CPU, for every OpenMP contender (norm, the
# copy, the scalar loop, oneDNN): unpinned, this 2-vCPU VM now and then ran
# both threads on one CPU (batch norm 32x256x14x14: 83 us, or 246 us in
# one run out of three; pinned, 83 us every time).
PINNED = {"OMP_PROC_BIND": "true"}


def reps_for(shape):
    # About 0.1 s of memory traffic per contender and round, and never fewer
    # than 30 calls: with 10, medians on these VMs jumped between two
    # levels (LayerNorm f32 4096x768: 0.36 or 1.0 ms in the same minute).
    n = 1
    for d in shape.split("x"):
        n *= int(d)
    return max(30, min(2000, int(1e9 / max(n, 1) / 8)))


def run_binary(binary, impl, kernel, dtype, shape, threads, extra=None):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads),
               NORM_NUM_THREADS=str(threads), **PINNED, **isa_env())
    out = subprocess.run(
        [os.path.join(BENCH_BIN, binary), f"--impl={impl}",
         f"--kernel={kernel}", f"--dtype={dtype}", f"--shape={shape}",
         f"--reps={reps_for(shape)}"] + (extra or []),
        capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0 or not out.stdout.startswith("seconds="):
        return None
    fields = dict(f.split("=") for f in out.stdout.split())
    return float(fields["seconds"]), int(fields["bytes"])


class OnnxRuntime:
    """LayerNormalization, SimplifiedLayerNormalization (RMS),
    BatchNormalization and GroupNormalization (NCHW) in onnxruntime's CPU
    provider, in this process."""

    def __init__(self, threads):
        import numpy as np
        import onnx
        import onnxruntime as ort
        from onnx import TensorProto, helper
        self.np, self.onnx, self.ort = np, onnx, ort
        self.helper, self.TP = helper, TensorProto
        self.threads = threads

    def time(self, kernel, dtype, shape):
        np, helper, TP = self.np, self.helper, self.TP
        if dtype != "f32":
            return None  # onnxruntime's CPU kernels have no bf16 norms
        dims = [int(d) for d in shape.split("x")]
        p = dims[-1] if len(dims) == 2 else dims[1]
        x = np.random.default_rng(0).uniform(-1, 1, dims).astype(np.float32)
        g = np.ones(p, np.float32)
        b = np.zeros(p, np.float32)
        inputs = {"x": x}
        inits = [helper.make_tensor("g", TP.FLOAT, [p], g),
                 helper.make_tensor("b", TP.FLOAT, [p], b)]
        opset = [helper.make_opsetid("", 17)]
        if kernel == "layer_norm":
            node = helper.make_node("LayerNormalization", ["x", "g", "b"],
                                    ["y"], axis=-1, epsilon=1e-5)
        elif kernel == "rms_norm":
            node = helper.make_node("SimplifiedLayerNormalization", ["x", "g"],
                                    ["y"], axis=-1, epsilon=1e-5)
            opset.append(helper.make_opsetid("com.microsoft", 1))
        elif kernel == "group_norm":
            # GroupNormalization-21: scale and bias per channel.
            node = helper.make_node("GroupNormalization", ["x", "g", "b"],
                                    ["y"], num_groups=32, epsilon=1e-5)
            opset = [helper.make_opsetid("", 21)]
        elif kernel == "bn_infer":
            inits += [helper.make_tensor("m", TP.FLOAT, [p], np.zeros(p)),
                      helper.make_tensor("v", TP.FLOAT, [p], np.ones(p))]
            node = helper.make_node("BatchNormalization",
                                    ["x", "g", "b", "m", "v"], ["y"],
                                    epsilon=1e-5)
        else:
            return None  # training-mode BatchNormalization: not timed
        graph = helper.make_graph(
            [node], "g", [helper.make_tensor_value_info("x", TP.FLOAT, dims)],
            [helper.make_tensor_value_info("y", TP.FLOAT, dims)], inits)
        model = helper.make_model(graph, opset_imports=opset)
        options = self.ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # onnxruntime's pool spins after each run by default; spinning
        # threads would steal the cores from the next contender's process.
        options.add_session_config_entry("session.intra_op.allow_spinning",
                                         "0")
        try:
            session = self.ort.InferenceSession(
                model.SerializeToString(), options,
                providers=["CPUExecutionProvider"])
            out = np.empty_like(x)
            binding = session.io_binding()
            binding.bind_cpu_input("x", x)
            binding.bind_output("y", "cpu", 0, np.float32, dims,
                                out.ctypes.data)
            session.run_with_iobinding(binding)
        except Exception:
            return None
        times = []
        for _ in range(reps_for(shape)):
            start = time.perf_counter()
            session.run_with_iobinding(binding)
            times.append(time.perf_counter() - start)
        del binding, session
        return statistics.median(times)


def ensure_venv():
    venv = os.path.join(BUILD, "bench-venv")
    python = os.path.join(venv, "bin", "python3")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "onnxruntime",
                    "onnx", "numpy", "matplotlib", "iree-base-compiler",
                    "iree-base-runtime"], check=False)
    return python


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="two row shapes and one image shape")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--isa", choices=["native", "avx2"], default="native",
                        help="the host's vector code, or AVX2 (haswell)")
    parser.add_argument("--in-venv", action="store_true",
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.in_venv:
        python = ensure_venv()
        os.execv(python, [python, __file__, "--in-venv"] + sys.argv[1:])

    global ISA
    ISA = args.isa
    avx2 = args.isa == "avx2"
    ort_runner = None
    try:
        if not avx2:
            ort_runner = OnnxRuntime(args.threads)
    except ImportError as e:
        print(f"onnxruntime unavailable ({e}); skipping it")
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from iree_norms import Iree
        iree_runner = Iree(args.threads, "haswell" if avx2 else "host")
    except ImportError as e:
        print(f"IREE unavailable ({e}); skipping it")
        iree_runner = None
    has_onednn = os.path.exists(os.path.join(BENCH_BIN, "onednn-bench"))

    samples = {}  # (kernel, dtype, shape, impl) -> [seconds]
    floors = {}
    all_cases = list(cases(args.quick))
    unfused = os.path.join(ROOT, "bench", "fusion.mlir")
    fused = os.path.join(BENCH_BIN, "fusion-fused.mlir")
    subprocess.run([os.path.join(BUILD, "bin", "norm-opt"), unfused,
                    "--norm-fuse-elementwise", "-o", fused], check=True)
    fusion_cases = FUSION[::2] if args.quick else FUSION
    # norm's kernels, the scalar loop and the copy.
    bench_bin = "norm-bench-avx2" if avx2 else "norm-bench"
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}", flush=True)
        for kernel, dtype, shape in all_cases:
            key = (kernel, dtype, shape)
            runs = [("norm", bench_bin), ("scalar", bench_bin),
                    ("copy", bench_bin)]
            if has_onednn:
                runs.append(("onednn", "onednn-bench"))
            for impl, binary in runs:
                result = run_binary(binary, impl, kernel, dtype, shape,
                                    args.threads)
                if result:
                    samples.setdefault(key + (impl,), []).append(result[0])
                    floors[key] = result[1]
            if ort_runner:
                t = ort_runner.time(kernel, dtype, shape)
                if t:
                    samples.setdefault(key + ("onnxruntime",), []).append(t)
            if iree_runner:
                t = iree_runner.time(kernel, dtype, shape, reps_for(shape))
                if t:
                    samples.setdefault(key + ("iree",), []).append(t)
        for kernel, shape in fusion_cases:
            key = (kernel, "-", shape)
            for impl, path in (("norm-unfused", unfused), ("norm-fused", fused)):
                result = run_fusion(path, kernel, shape, args.threads)
                if result:
                    samples.setdefault(key + (impl,), []).append(result[0])
                    floors[key] = result[1]
            if key in floors:
                # The same parallel copy as the table above, of the bytes
                # the block must move (its inputs read and outputs written
                # once).
                copy = run_binary(bench_bin, "copy", "layer_norm", "f32",
                                  "1x1", args.threads,
                                  [f"--bytes={floors[key]}",
                                   f"--reps={reps_for(shape)}"])
                if copy:
                    samples.setdefault(key + ("copy",), []).append(copy[0])

    os.makedirs(RESULTS, exist_ok=True)
    rows = []
    suffix = "-avx2" if avx2 else ""
    with open(os.path.join(RESULTS, f"cpu{suffix}.csv"), "w",
              newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["kernel", "dtype", "shape", "impl", "seconds",
                         "gbps"])
        for (kernel, dtype, shape, impl), ts in sorted(samples.items()):
            t = statistics.median(ts)
            gbps = floors[(kernel, dtype, shape)] / t / 1e9
            writer.writerow([kernel, dtype, shape, impl, f"{t:.9g}",
                             f"{gbps:.3f}"])
            rows.append((kernel, dtype, shape, impl, t, gbps))

    def get(kernel, dtype, shape, impl):
        ts = samples.get((kernel, dtype, shape, impl))
        return statistics.median(ts) if ts else None

    header = (f"{'kernel':15} {'dtype':5} {'shape':13} {'norm GB/s':>9} "
              f"{'ns/call':>10} {'/copy':>6} {'/oneDNN':>8} {'/ORT':>6} "
              f"{'/IREE':>6} {'/scalar':>8}")
    print(f"\n{args.threads} threads, {args.isa} vector code, median of "
          f"{args.rounds} rounds; "
          "ratios are speed ratios (>1: norm is faster)\n" + header)
    plot = []
    for kernel, dtype, shape in all_cases:
        ours = get(kernel, dtype, shape, "norm")
        if not ours:
            continue
        floor = floors[(kernel, dtype, shape)]

        def ratio(impl):
            t = get(kernel, dtype, shape, impl)
            return f"{t / ours:.2f}" if t else "-"
        print(f"{kernel:15} {dtype:5} {shape:13} {floor / ours / 1e9:9.2f} "
              f"{ours * 1e9:10.0f} {ratio('copy'):>6} {ratio('onednn'):>8} "
              f"{ratio('onnxruntime'):>6} {ratio('iree'):>6} "
              f"{ratio('scalar'):>8}")
        copy = get(kernel, dtype, shape, "copy")
        plot.append((f"{kernel} {dtype} {shape}",
                     copy / ours if copy else 0))
    print(f"\nfusion (norm-run, same pipeline): {'block':16} {'shape':13} "
          f"{'fused GB/s':>10} {'fused/unfused':>13} {'fused/copy':>10}")
    for kernel, shape in fusion_cases:
        f = get(kernel, "-", shape, "norm-fused")
        u = get(kernel, "-", shape, "norm-unfused")
        c = get(kernel, "-", shape, "copy")
        if f and u and c:
            print(f"{'':39}{kernel:16} {shape:13} "
                  f"{floors[(kernel, '-', shape)] / f / 1e9:10.2f} "
                  f"{u / f:13.2f} {c / f:10.2f}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(10, 0.25 * len(plot) + 1))
        ax.barh([p[0] for p in plot], [p[1] for p in plot])
        ax.axvline(1.0, color="k", linewidth=0.8)
        ax.set_xlabel("norm speed / copy speed (same bytes, same threads)")
        ax.invert_yaxis()
        fig.tight_layout()
        fig.savefig(os.path.join(RESULTS, f"cpu{suffix}.png"), dpi=100)
    except ImportError:
        print("matplotlib unavailable: no plot")


if __name__ == "__main__":
    main()
