"""norm's kernels for torch.ops.norm: libraries built by norm_build
(cached under $NORM_TORCH_CACHE, default ~/.cache/norm_torch) whose C shim
exports one entry per kernel taking arrays of pointers and sizes (and a
stream for CUDA), loaded with ctypes.
"""

import ctypes

import norm_build
from norm_build import C_TYPES

_loaded = {}


class Kernel:
    """One compiled C function: call(inputs, outputs) with tensors."""

    def __init__(self, lib, spec, cuda):
        self.spec = spec
        self.entry = getattr(lib, "shim_" + spec["name"])
        self.entry.restype = ctypes.c_int
        status_string = lib.norm_status_string
        status_string.restype = ctypes.c_char_p
        self.message = lambda status: status_string(status).decode()
        if cuda:  # and what the driver reported
            cuda_message = lib.norm_cuda_error_message
            cuda_message.restype = ctypes.c_char_p
            self.message = lambda status: (
                f"{status_string(status).decode()}: "
                f"{cuda_message().decode()}")

    def __call__(self, inputs, outputs, stream=None):
        ptrs, sizes = [], []
        for t, s in zip(inputs, self.spec["inputs"]):
            ptrs.append(t.data_ptr())
            # Size arguments are named <arg>_d<dim>: the dynamic dims.
            sizes += [t.shape[norm_build.size_dim(a)]
                      for a in s["size_args"]]
        ptrs += [t.data_ptr() for t in outputs]
        p = (ctypes.c_void_p * len(ptrs))(*ptrs)
        z = (ctypes.c_int64 * max(1, len(sizes)))(*sizes)
        if stream is None:
            status = self.entry(p, z)
        else:
            status = self.entry(p, z, ctypes.c_void_p(stream))
        if status != 0:
            raise RuntimeError(f"norm kernel {self.spec['name']}: "
                               f"{self.message(status)}")


def _shim(manifest, cuda):
    lines = ['#include "kernels.h"', ""]
    for k in manifest["kernels"]:
        args, p, z = [], 0, 0
        for t in k["inputs"]:
            args.append(f"(const {C_TYPES[t['dtype']]} *)p[{p}]")
            p += 1
            for _ in t["size_args"]:
                args.append(f"z[{z}]")
                z += 1
        for t in k["outputs"]:
            args.append(f"({C_TYPES[t['dtype']]} *)p[{p}]")
            p += 1
        stream = ", void *stream" if cuda else ""
        if cuda:
            args.append("stream")
        lines += [f"int shim_{k['name']}(void **p, const int64_t *z{stream}) {{",
                  f"  (void)z;\n  return {k['c_function']}({', '.join(args)});",
                  "}", ""]
    return "\n".join(lines)


def load(mlir, target="cpu"):
    """The kernels of `mlir` (a module of public functions) for `target`
    (cpu, or cuda), by name."""
    cuda = target == "cuda"
    # CPU kernels keep the key they had before there were targets.
    key = norm_build.key_of(target, mlir) if cuda else \
        norm_build.key_of(mlir)
    with norm_build.LOCK:
        if key in _loaded:
            return _loaded[key]
        lib_path, manifest = norm_build.build(
            mlir, target,
            norm_build.cache_dir("NORM_TORCH_CACHE", "norm_torch"), key,
            lambda m: _shim(m, cuda), "shim.c")
        lib = ctypes.CDLL(lib_path)
        kernels = {k["name"]: Kernel(lib, k, cuda)
                   for k in manifest["kernels"]}
        _loaded[key] = kernels
        return kernels
