#!/usr/bin/env python3
"""torch.ops.norm.* (python/norm_torch): results against a float64
reference on fresh random data, torch.library.opcheck, and
torch.compile(fullgraph=True) keeping one norm node per op."""

import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(sys.argv[1], "python"))
import norm_torch  # noqa: E402,F401

TOL = {torch.float32: 2e-5, torch.float16: 2e-3, torch.bfloat16: 1.6e-2}


def close(name, got, want, dtype):
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


def main():
    gen = torch.Generator().manual_seed(int.from_bytes(os.urandom(4), "big"))
    for dtype in (torch.float32, torch.float16, torch.bfloat16):
        for shape in ((7, 33), (2, 3, 768), (1, 4096)):
            x = torch.randn(shape, generator=gen).to(dtype)
            r = torch.randn(shape, generator=gen).to(dtype)
            w = (1 + 0.5 * torch.randn(shape[-1], generator=gen)).to(dtype)
            b = torch.randn(shape[-1], generator=gen).to(dtype)
            tag = f"{dtype} {shape}"
            close(f"layer_norm {tag}", torch.ops.norm.layer_norm(x, w, b, 1e-5),
                  reference(x, w, b, 1e-5, True), dtype)
            close(f"layer_norm plain {tag}",
                  torch.ops.norm.layer_norm(x, None, None, 1e-5),
                  reference(x, None, None, 1e-5, True), dtype)
            close(f"rms_norm {tag}", torch.ops.norm.rms_norm(x, w, 1e-6),
                  reference(x, w, None, 1e-6, False), dtype)
            y, h = torch.ops.norm.add_rms_norm(x, r, w, 1e-6)
            want_h = x + r  # PyTorch's add rounds once, like the kernel
            if not torch.equal(h, want_h):
                raise AssertionError(f"add_rms_norm {tag}: h differs")
            close(f"add_rms_norm {tag}", y,
                  reference(want_h, w, None, 1e-6, False), dtype)
            y, h = torch.ops.norm.add_layer_norm(x, r, w, b, 1e-5)
            if not torch.equal(h, want_h):
                raise AssertionError(f"add_layer_norm {tag}: h differs")
            close(f"add_layer_norm {tag}", y,
                  reference(want_h, w, b, 1e-5, True), dtype)
    print("results: ok")

    x = torch.randn(4, 64)
    r = torch.randn(4, 64)
    w = torch.randn(64)
    b = torch.randn(64)
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
