"""Compiles norm kernels ahead of time with norm-compile and loads them.

A kernel library is built once per MLIR text and target (cached under
$NORM_TORCH_CACHE, default ~/.cache/norm_torch): norm-compile writes the
object, header and manifest; a shim generated from the manifest exports one
C entry per kernel taking arrays of pointers and sizes (and a stream for
CUDA); clang links both with libnorm_runtime (CPU) or the CUDA launcher
(libnorm_cuda.a, which loads the driver at run time) into a shared library
that ctypes loads. A library in the cache is loaded without norm-compile,
so a cache filled on a build machine serves a machine without MLIR (the
CUDA libraries depend on nothing but libc and the driver).
"""

import ctypes
import hashlib
import json
import os
import subprocess
import threading

_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_BUILD = os.environ.get("NORM_BUILD_DIR", os.path.join(_ROOT, "build"))
_LLVM = os.environ.get("NORM_LLVM_DIR", "/usr/lib/llvm-22")
_lock = threading.Lock()
_loaded = {}

C_TYPES = {"f32": "float", "f16": "uint16_t", "bf16": "uint16_t",
           "i8": "int8_t", "f8E4M3FN": "uint8_t"}


# norm_status (runtime/include/norm/runtime.h) for the CUDA libraries, which
# do not link libnorm_runtime's norm_status_string.
_CUDA_STATUS = {1: "invalid argument", 2: "no CUDA driver or device",
                3: "CUDA error"}


class Kernel:
    """One compiled C function: call(inputs, outputs) with tensors."""

    def __init__(self, lib, spec, cuda):
        self.spec = spec
        self.entry = getattr(lib, "shim_" + spec["name"])
        self.entry.restype = ctypes.c_int
        if cuda:  # the launcher says what the driver reported
            cuda_message = lib.norm_cuda_error_message
            cuda_message.restype = ctypes.c_char_p
            self.message = lambda status: (
                f"{_CUDA_STATUS.get(status, status)}: "
                f"{cuda_message().decode()}").encode()
        else:
            self.message = lib.norm_status_string
            self.message.restype = ctypes.c_char_p

    def __call__(self, inputs, outputs, stream=None):
        ptrs, sizes = [], []
        for t, s in zip(inputs, self.spec["inputs"]):
            ptrs.append(t.data_ptr())
            # Size arguments are named <arg>_d<dim>: the dynamic dims.
            sizes += [t.shape[int(a.rsplit("_d", 1)[1])]
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
                               f"{self.message(status).decode()}")


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
    (cpu, or cuda: sm_80 and sm_90 cubins plus PTX), by name."""
    cuda = target == "cuda"
    key = hashlib.sha256((target + "\n" + mlir).encode()).hexdigest()[:24]
    if not cuda:  # the key of the CPU kernels before there were targets
        key = hashlib.sha256(mlir.encode()).hexdigest()[:24]
    with _lock:
        if key in _loaded:
            return _loaded[key]
        cache = os.environ.get("NORM_TORCH_CACHE") or os.path.join(
            os.path.expanduser("~"), ".cache", "norm_torch")
        out = os.path.join(cache, key)
        lib_path = os.path.join(out, "libkernels.so")
        if not os.path.exists(lib_path):
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, "kernels.mlir"), "w") as f:
                f.write(mlir)
            run = lambda *cmd: subprocess.run(  # noqa: E731
                cmd, check=True, capture_output=True, text=True)
            compile_cmd = [os.path.join(_BUILD, "bin", "norm-compile"),
                           os.path.join(out, "kernels.mlir"), "-o",
                           os.path.join(out, "kernels.o"), "--header",
                           os.path.join(out, "kernels.h")]
            if cuda:
                compile_cmd += ["--target=cuda", "--gpu-chip=sm_80,sm_90",
                                "--gpu-format=fatbin"]
                libs = [os.path.join(_BUILD, "runtime", "libnorm_cuda.a"),
                        "-ldl", "-lpthread"]
            else:
                libs = ["-L", os.path.join(_BUILD, "lib"), "-lnorm_runtime",
                        f"-Wl,-rpath,{os.path.join(_BUILD, 'lib')}", "-L",
                        os.path.join(_LLVM, "lib"), "-lomp",
                        f"-Wl,-rpath,{os.path.join(_LLVM, 'lib')}"]
            try:
                if not os.path.exists(compile_cmd[0]):
                    raise RuntimeError(
                        f"no prebuilt norm kernel in {out} and no "
                        f"norm-compile at {compile_cmd[0]} to build it")
                run(*compile_cmd)
                manifest = json.load(open(os.path.join(out, "kernels.json")))
                with open(os.path.join(out, "shim.c"), "w") as f:
                    f.write(_shim(manifest, cuda))
                tmp = lib_path + f".{os.getpid()}.tmp"
                run(os.path.join(_LLVM, "bin", "clang"), "-O2", "-fPIC",
                    "-shared", "-I", out, "-I",
                    os.path.join(_ROOT, "runtime", "include"),
                    os.path.join(out, "shim.c"),
                    os.path.join(out, "kernels.o"), *libs, "-o", tmp)
                os.remove(os.path.join(out, "kernels.o"))
                os.replace(tmp, lib_path)  # atomic for concurrent builders
            except subprocess.CalledProcessError as e:
                raise RuntimeError(f"building norm kernels failed: {e.cmd[0]}:"
                                   f" {e.stderr.strip()}") from None
        manifest = json.load(open(os.path.join(out, "kernels.json")))
        lib = ctypes.CDLL(lib_path)
        kernels = {k["name"]: Kernel(lib, k, cuda)
                   for k in manifest["kernels"]}
        _loaded[key] = kernels
        return kernels
