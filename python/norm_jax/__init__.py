"""norm's CPU kernels in JAX, through the XLA FFI (jax.ffi.ffi_call):

    import norm_jax
    y = norm_jax.layer_norm(x, weight, bias, eps)
    y = norm_jax.rms_norm(x, weight, eps)
    y, h = norm_jax.add_rms_norm(x, residual, weight, eps)        # h = x + residual
    y, h = norm_jax.add_layer_norm(x, residual, weight, bias, eps)

over the last axis of f32, f16 or bf16 arrays of any rank, eagerly or under
jax.jit. Each (op, dtype, epsilon, affine) family is one norm op with dynamic
rows and hidden size, built on first use by norm_build (cached under
$NORM_JAX_CACHE, default ~/.cache/norm_jax) with a generated C++ handler
(XLA_FFI_DEFINE_HANDLER_SYMBOL) that reads the buffers' dimensions and calls
the kernel's C function, and registered as an FFI target for the CPU
(docs/embedding.md).
"""

import ctypes

import jax
import jax.numpy as jnp

import norm_build

__all__ = ["layer_norm", "rms_norm", "add_rms_norm", "add_layer_norm"]

_DT = {jnp.dtype(jnp.float32): "f32", jnp.dtype(jnp.float16): "f16",
       jnp.dtype(jnp.bfloat16): "bf16"}
_targets = {}


def _handler(manifest):
    """The C++ source of one FFI handler per kernel of `manifest`."""
    lines = ["#include <cstdint>", "", '#include "kernels.h"',
             '#include "xla/ffi/api/ffi.h"', "", "namespace ffi = xla::ffi;",
             ""]
    for k in manifest["kernels"]:
        params, args = [], []
        for i, t in enumerate(k["inputs"]):
            params.append(f"ffi::AnyBuffer a{i}")
            args.append(f"static_cast<const {norm_build.C_TYPES[t['dtype']]} *>"
                        f"(a{i}.untyped_data())")
            # Size arguments are named <arg>_d<dim>: the dynamic dims.
            args += [f"a{i}.dimensions()[{norm_build.size_dim(s)}]"
                     for s in t["size_args"]]
        for i, t in enumerate(k["outputs"]):
            params.append(f"ffi::Result<ffi::AnyBuffer> r{i}")
            args.append(f"static_cast<{norm_build.C_TYPES[t['dtype']]} *>"
                        f"(r{i}->untyped_data())")
        bind = "".join(".Arg<ffi::AnyBuffer>()" for _ in k["inputs"]) + \
            "".join(".Ret<ffi::AnyBuffer>()" for _ in k["outputs"])
        lines += [
            f"static ffi::Error impl_{k['name']}({', '.join(params)}) {{",
            f"  norm_status s = {k['c_function']}({', '.join(args)});",
            "  if (s != NORM_OK)",
            "    return ffi::Error::InvalidArgument(norm_status_string(s));",
            "  return ffi::Error::Success();", "}", "",
            f"XLA_FFI_DEFINE_HANDLER_SYMBOL(norm_ffi_{k['name']}, "
            f"impl_{k['name']}, ffi::Ffi::Bind(){bind});", ""]
    return "\n".join(lines)


def _target(mlir):
    """The FFI target name of kernel @k of `mlir`, registered on first use."""
    key = norm_build.key_of("jax", mlir)
    with norm_build.LOCK:
        if key not in _targets:
            lib_path, _ = norm_build.build(
                mlir, "cpu", norm_build.cache_dir("NORM_JAX_CACHE", "norm_jax"),
                key, _handler, "handler.cc",
                ["-std=c++17", "-I", jax.ffi.include_dir()])
            lib = ctypes.CDLL(lib_path)
            name = f"norm_{key}"
            jax.ffi.register_ffi_target(
                name, jax.ffi.pycapsule(lib.norm_ffi_k), platform="cpu")
            _targets[key] = (name, lib)
        return _targets[key][0]


def _call(op, x, eps, weight=None, bias=None, residual=None):
    x = jnp.asarray(x)
    hidden = norm_build.check_arguments(f"norm_jax.{op}", x, _DT, weight,
                                        bias, residual)
    name = _target(norm_build.family_mlir(
        op, _DT[x.dtype], eps, weight is not None, bias is not None,
        residual is not None))
    x2 = x.reshape(-1, hidden)
    ins = [x2] + ([residual.reshape(-1, hidden)] if residual is not None
                  else [])
    ins += [t for t in (weight, bias) if t is not None]
    n_out = 2 if residual is not None else 1
    outs = jax.ffi.ffi_call(
        name, [jax.ShapeDtypeStruct(x2.shape, x.dtype)] * n_out)(*ins)
    outs = [o.reshape(x.shape) for o in outs]
    return outs[0] if n_out == 1 else tuple(outs)


def layer_norm(x, weight=None, bias=None, eps=1e-5):
    return _call("layer_norm", x, eps, weight, bias)


def rms_norm(x, weight=None, eps=1e-6):
    return _call("rms_norm", x, eps, weight)


def add_rms_norm(x, residual, weight, eps=1e-6):
    return _call("rms_norm", x, eps, weight, residual=residual)


def add_layer_norm(x, residual, weight, bias, eps=1e-5):
    return _call("layer_norm", x, eps, weight, bias, residual=residual)
