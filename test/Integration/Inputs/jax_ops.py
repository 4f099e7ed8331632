#!/usr/bin/env python3
"""norm_jax (python/norm_jax): norm's CPU kernels as XLA FFI calls, against a
float64 reference on fresh random data for f32, f16 and bf16, eagerly and
under jax.jit.

    jax_ops.py SRC_ROOT
"""

import os
import sys

import jax
import jax.numpy as jnp
import numpy as np

sys.path.insert(0, os.path.join(sys.argv[1], "python"))
import norm_jax  # noqa: E402

TOL = {jnp.float32: 2e-5, jnp.float16: 2e-3, jnp.bfloat16: 1.6e-2}


def close(name, got, want, dtype):
    g = np.asarray(got).astype(np.float64)
    err = (np.abs(g - want) - TOL[dtype] * (1 + np.abs(want))).max()
    if not np.isfinite(g).all() or err > 0:
        raise AssertionError(f"{name}: error exceeds the tolerance by {err}")


def reference(x, w, b, eps, center):
    x = np.asarray(x).astype(np.float64)
    m = x.mean(-1, keepdims=True) if center else 0.0
    d = x - m
    y = d / np.sqrt((d * d).mean(-1, keepdims=True) + eps)
    if w is not None:
        y = y * np.asarray(w).astype(np.float64)
    if b is not None:
        y = y + np.asarray(b).astype(np.float64)
    return y


def main():
    rng = np.random.default_rng()
    for dtype in (jnp.float32, jnp.float16, jnp.bfloat16):
        for shape in ((7, 33), (2, 3, 768), (1, 4096)):
            def draw(*size, scale=1.0, offset=0.0):
                return jnp.asarray(offset + scale * rng.standard_normal(size),
                                   dtype)
            x, r = draw(*shape), draw(*shape)
            w, b = draw(shape[-1], scale=0.5, offset=1.0), draw(shape[-1])
            tag = f"{jnp.dtype(dtype).name} {shape}"
            close(f"layer_norm {tag}", norm_jax.layer_norm(x, w, b, 1e-5),
                  reference(x, w, b, 1e-5, True), dtype)
            close(f"layer_norm plain {tag}", norm_jax.layer_norm(x, eps=1e-5),
                  reference(x, None, None, 1e-5, True), dtype)
            close(f"rms_norm {tag}", norm_jax.rms_norm(x, w, 1e-6),
                  reference(x, w, None, 1e-6, False), dtype)
            want_h = x + r  # one rounding, like the kernel's
            for name, fn, center in (
                    ("add_rms_norm",
                     lambda x, r: norm_jax.add_rms_norm(x, r, w, 1e-6), False),
                    ("add_layer_norm",
                     lambda x, r: norm_jax.add_layer_norm(x, r, w, b, 1e-5),
                     True)):
                for mode, f in (("eager", fn), ("jit", jax.jit(fn))):
                    y, h = f(x, r)
                    if not np.array_equal(np.asarray(h), np.asarray(want_h)):
                        raise AssertionError(f"{name} {mode} {tag}: h differs")
                    close(f"{name} {mode} {tag}", y,
                          reference(want_h, w, b if center else None,
                                    1e-5 if center else 1e-6, center), dtype)
    print("results: ok")
    # One jitted function with a norm between other XLA work.
    x = jnp.asarray(rng.standard_normal((64, 512)), jnp.float32)
    w = jnp.asarray(rng.standard_normal(512), jnp.float32)

    @jax.jit
    def block(x):
        return jax.nn.silu(norm_jax.rms_norm(x * 2.0, w, 1e-6)) + x

    want = reference(np.asarray(x) * 2.0, w, None, 1e-6, False)
    want = want / (1 + np.exp(-want)) + np.asarray(x, np.float64)
    close("jitted block", block(x), want, jnp.float32)
    hlo = block.lower(x).as_text()
    print(f"jit: custom calls in the block: {hlo.count('custom_call')}")


if __name__ == "__main__":
    main()
