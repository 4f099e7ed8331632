#!/usr/bin/env python3
"""torch.ops.norm.* (python/norm_torch): results against a float64
reference on fresh random data, torch.library.opcheck, and
torch.compile(fullgraph=True) keeping one norm node per op.

    torch_ops.py SRC_ROOT [--device cpu|cuda] [--prebuild]

--device cuda runs it all on the GPU (the CUDA kernels, launched on the
current stream); --prebuild only builds, into $NORM_TORCH_CACHE, the CUDA
kernels that a --device cuda run uses, on a machine without a GPU (the GPU
machine has no norm-compile: docs/gpu.md)."""

import argparse
import os
import sys

import torch
import torch.nn.functional as F

ARGS = argparse.ArgumentParser()
ARGS.add_argument("root")
ARGS.add_argument("--device", default="cpu")
ARGS.add_argument("--prebuild", action="store_true")
ARGS = ARGS.parse_args()
sys.path.insert(0, os.path.join(ARGS.root, "python"))
import norm_torch  # noqa: E402,F401
from norm_torch import ops as norm_ops  # noqa: E402

DEVICE = "cpu" if ARGS.prebuild else ARGS.device
# What each op of torch.ops.norm computes with: (norm op, has residual).
FAMILY = {"layer_norm": ("layer_norm", False), "rms_norm": ("rms_norm", False),
          "add_rms_norm": ("rms_norm", True),
          "add_layer_norm": ("layer_norm", True)}


def call(name, *args):
    """torch.ops.norm.<name>(*args); with --prebuild, builds its CUDA kernel
    instead and returns placeholders."""
    if not ARGS.prebuild:
        return getattr(torch.ops.norm, name)(*args)
    op, fused = FAMILY[name]
    x, rest, eps = args[0], list(args[1:-1]), args[-1]
    residual = rest.pop(0) if fused else None
    weight = rest[0] if rest else None
    bias = rest[1] if len(rest) > 1 else None
    norm_ops.prebuild(op, x, eps, weight, bias, residual)
    return (torch.zeros_like(x), torch.zeros_like(x)) if fused else \
        torch.zeros_like(x)

TOL = {torch.float32: 2e-5, torch.float16: 2e-3, torch.bfloat16: 1.6e-2}


def close(name, got, want, dtype):
    if ARGS.prebuild:
        return
    tol = TOL[dtype]
    g = got.double()
    if not torch.equal(torch.isnan(g), torch.isnan(want)):
        raise AssertionError(f"{name}: NaN pattern differs")
    err = ((g - want).abs() - tol * (1 + want.abs())).max().item()
    if err > 0:
        raise AssertionError(f"{name}: error exceeds the tolerance by {err}")


def reference(x, w, b, eps, center):
    x = x.double()
    m = x.mean(-1, keepdim=True) if center else 0.0
    d = x - m
    y = d / torch.sqrt((d * d).mean(-1, keepdim=True) + eps)
    if w is not None:
        y = y * w.double()
    if b is not None:
        y = y + b.double()
    return y


def cuda_graph(gen):
    """The kernel captured in a CUDA graph and replayed on new data: no
    allocation, synchronization or stream creation behind PyTorch's back."""
    x = torch.randn(64, 1024, generator=gen).cuda()
    w = torch.randn(1024, generator=gen).cuda()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):  # warm-up: loads the kernel
        torch.ops.norm.rms_norm(x, w, 1e-6)
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        out = torch.ops.norm.rms_norm(x, w, 1e-6)
    for _ in range(2):
        x.copy_(torch.randn(64, 1024, generator=gen).cuda())
        graph.replay()
        torch.cuda.synchronize()
        close("cuda graph", out, reference(x, w, None, 1e-6, False),
              torch.float32)
    print("cuda graph: replays match")


def main():
    gen = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "big"))
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        for shape in ((7, 33), (2, 3, 768), (1, 4096)):
            def draw(*size, scale=1.0, offset=0.0):
                t = offset + scale * torch.randn(size, generator=gen)
                return t.to(dtype).to(DEVICE if not ARGS.prebuild else "cpu")
            x = draw(*shape)
            r = draw(*shape)
            w = draw(shape[-1], scale=0.5, offset=1.0)
            b = draw(shape[-1])
            tag = f"{dtype} {shape}"
            close(f"layer_norm {tag}", call("layer_norm", x, w, b, 1e-5),
                  reference(x, w, b, 1e-5, True), dtype)
            close(f"layer_norm plain {tag}",
                  call("layer_norm", x, None, None, 1e-5),
                  reference(x, None, None, 1e-5, True), dtype)
            close(f"rms_norm {tag}", call("rms_norm", x, w, 1e-6),
                  reference(x, w, None, 1e-6, False), dtype)
            y, h = call("add_rms_norm", x, r, w, 1e-6)
            want_h = x + r  # PyTorch's add rounds once, like the kernel
            if not ARGS.prebuild and not torch.equal(h, want_h):
                raise AssertionError(f"add_rms_norm {tag}: h differs")
            close(f"add_rms_norm {tag}", y,
                  reference(want_h, w, None, 1e-6, False), dtype)
            y, h = call("add_layer_norm", x, r, w, b, 1e-5)
            if not ARGS.prebuild and not torch.equal(h, want_h):
                raise AssertionError(f"add_layer_norm {tag}: h differs")
            close(f"add_layer_norm {tag}", y,
                  reference(want_h, w, b, 1e-5, True), dtype)
    print("results: ok")

    x, r = torch.randn(4, 64), torch.randn(4, 64)
    w, b = torch.randn(64), torch.randn(64)
    if ARGS.prebuild:  # what the rest of the script calls
        call("rms_norm", torch.randn(64, 1024), torch.randn(1024), 1e-6)
        call("layer_norm", x, w, b, 1e-5)
        call("rms_norm", x, w, 1e-6)
        call("add_rms_norm", x, r, w, 1e-6)
        call("add_layer_norm", x, r, w, b, 1e-5)
        print("prebuilt")
        return
    if DEVICE == "cuda":
        cuda_graph(gen)
    x, r, w, b = (t.to(DEVICE) for t in (x, r, w, b))
    for op, args in ((torch.ops.norm.layer_norm.default, (x, w, b, 1e-5)),
                     (torch.ops.norm.rms_norm.default, (x, w, 1e-6)),
                     (torch.ops.norm.add_rms_norm.default, (x, r, w, 1e-6)),
                     (torch.ops.norm.add_layer_norm.default,
                      (x, r, w, b, 1e-5))):
        torch.library.opcheck(op, args)
    print("opcheck: ok")

    seen = []

    def backend(gm, example_inputs):
        seen.append(sum(1 for n in gm.graph.nodes
                        if n.op == "call_function" and
                        str(n.target).startswith("norm.")))
        return gm.forward

    def block(x, r, w):
        y, h = torch.ops.norm.add_rms_norm(x, r, w, 1e-6)
        return F.silu(y) + h

    compiled = torch.compile(block, backend=backend, fullgraph=True)
    got = compiled(x, r, w)
    want = block(x, r, w)
    if seen != [1]:
        raise AssertionError(f"norm nodes per graph: {seen}")
    if not torch.equal(got, want):
        raise AssertionError("compiled result differs from eager")
    inductor = torch.compile(block, fullgraph=True)
    close("inductor", inductor(x, r, w), want.double(), torch.float32)
    print("torch.compile: one norm node, matches eager")

    # The opt-in pass: x + r feeding LayerNorm/RMSNorm becomes one fused op
    # whose second result replaces the sum's other uses.
    def prenorm(x, r, w, b):
        h = x + r
        y = F.layer_norm(h, (x.shape[-1],), w, b, 1e-5)
        z = F.rms_norm(y + r, (x.shape[-1],), w, 1e-6)
        return F.gelu(z) + h

    rewritten = []

    def spy(gm, example_inputs):
        from norm_torch.fx import fuse_residual_norms
        rewritten.append(fuse_residual_norms(gm))
        rewritten.append(sorted(str(n.target) for n in gm.graph.nodes
                                if n.op == "call_function" and
                                "norm" in str(n.target)))
        return gm.forward

    got = torch.compile(prenorm, backend=spy, fullgraph=True)(x, r, w, b)
    want = prenorm(x, r, w, b)
    close("fused graph", got, want.double(), torch.float32)
    print(f"fx pass: {rewritten[0]} fused: {rewritten[1]}")
    fast = torch.compile(prenorm, backend=norm_torch.fx.inductor_backend,
                         fullgraph=True)
    close("inductor backend", fast(x, r, w, b), want.double(), torch.float32)
    print("inductor backend: matches eager")


if __name__ == "__main__":
    main()
