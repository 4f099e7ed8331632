"""Compiles norm kernels ahead of time with norm-compile into a shared
library for a framework's bindings (norm_torch, norm_jax): no dependency on
any framework.

A library is built once per MLIR text, target and binding (cached under the
binding's cache directory): norm-compile writes the object, header and
manifest; the binding generates, from the manifest, the glue source (C, or
C++ with the flags it passes); clang links both with libnorm_runtime (CPU) or
the CUDA launcher (libnorm_cuda.a, which loads the driver at run time) into a
shared library. A library in the cache is used without norm-compile, so a
cache filled on a build machine serves a machine without MLIR (the CUDA
libraries depend on nothing but libc and the driver).
"""

import hashlib
import json
import os
import subprocess
import threading

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.environ.get("NORM_BUILD_DIR", os.path.join(ROOT, "build"))
LLVM = os.environ.get("NORM_LLVM_DIR", "/usr/lib/llvm-22")
LOCK = threading.Lock()

# The C type of each element type in norm-compile's headers.
C_TYPES = {"f32": "float", "f64": "double", "f16": "uint16_t",
           "bf16": "uint16_t", "i8": "int8_t", "f8E4M3FN": "uint8_t"}


def size_dim(name):
    """The dimension a manifest size argument (`<arg>_d<dim>`) stands for."""
    return int(name.rsplit("_d", 1)[1])


def cache_dir(env, name):
    """$env, or ~/.cache/<name>."""
    return os.environ.get(env) or os.path.join(os.path.expanduser("~"),
                                               ".cache", name)


def build(mlir, target, cache, key, glue, glue_name, flags=()):
    """The library (path) and manifest of `mlir` for `target` (cpu, or
    cuda: sm_80 and sm_90 cubins plus PTX) in cache/key. glue(manifest) is
    the source of the binding's entry points, written as glue_name and
    compiled with `flags`. Call with LOCK held."""
    cuda = target == "cuda"
    out = os.path.join(cache, key)
    lib_path = os.path.join(out, "libkernels.so")
    if not os.path.exists(lib_path):
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "kernels.mlir"), "w") as f:
            f.write(mlir)
        compile_cmd = [os.path.join(BUILD, "bin", "norm-compile"),
                       os.path.join(out, "kernels.mlir"), "-o",
                       os.path.join(out, "kernels.o"), "--header",
                       os.path.join(out, "kernels.h")]
        if cuda:
            compile_cmd += ["--target=cuda", "--gpu-chip=sm_80,sm_90",
                            "--gpu-format=fatbin"]
            # norm_status_string too: the bindings report statuses with it.
            libs = [os.path.join(BUILD, "runtime", "libnorm_cuda.a"),
                    "-Wl,-u,norm_status_string", "-ldl", "-lpthread"]
        else:
            libs = ["-L", os.path.join(BUILD, "lib"), "-lnorm_runtime",
                    f"-Wl,-rpath,{os.path.join(BUILD, 'lib')}", "-L",
                    os.path.join(LLVM, "lib"), "-lomp",
                    f"-Wl,-rpath,{os.path.join(LLVM, 'lib')}"]
        if not os.path.exists(compile_cmd[0]):
            raise RuntimeError(f"no prebuilt norm kernel in {out} and no "
                               f"norm-compile at {compile_cmd[0]} to build it")
        try:
            run = lambda *cmd: subprocess.run(  # noqa: E731
                cmd, check=True, capture_output=True, text=True)
            run(*compile_cmd)
            manifest = json.load(open(os.path.join(out, "kernels.json")))
            with open(os.path.join(out, glue_name), "w") as f:
                f.write(glue(manifest))
            tmp = lib_path + f".{os.getpid()}.tmp"
            compiler = "clang++" if glue_name.endswith(".cc") else "clang"
            run(os.path.join(LLVM, "bin", compiler), "-O2", "-fPIC", "-shared",
                *flags, "-I", out, "-I",
                os.path.join(ROOT, "runtime", "include"),
                os.path.join(out, glue_name), os.path.join(out, "kernels.o"),
                *libs, "-o", tmp)
            os.remove(os.path.join(out, "kernels.o"))
            os.replace(tmp, lib_path)  # atomic for concurrent builders
        except subprocess.CalledProcessError as e:
            raise RuntimeError(f"building norm kernels failed: {e.cmd[0]}: "
                               f"{e.stderr.strip()}") from None
    return lib_path, json.load(open(os.path.join(out, "kernels.json")))


def key_of(*parts):
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def family_mlir(op, dt, eps, gamma, beta, fused, hidden=None):
    """A function @k of one norm op over the last axis of rows x hidden:
    norm.<op> (layer_norm, rms_norm) in dtype `dt` with epsilon `eps`, gamma
    and beta if asked, an added residual (second input, second result) if
    `fused`; rows dynamic, hidden dynamic unless given."""
    # CUDA kernels need a static innermost axis: `hidden` fixes it.
    h = "?" if hidden is None else str(hidden)
    t = f"tensor<?x{h}x{dt}>"
    p = f"tensor<{h}x{dt}>"
    args = [f"%x: {t}"]
    params = ""
    if fused:
        args.append(f"%r: {t}")
    if gamma:
        args.append(f"%g: {p}")
        params += f" gamma(%g : {p})"
    if beta:
        args.append(f"%b: {p}")
        params += f" beta(%b : {p})"
    prologue = ""
    results, rtypes = "%y", t
    if fused:
        prologue = (f"\n      prologue(%r : {t}) -> {t} {{\n"
                    f"      ^bb0(%u: {dt}, %v: {dt}):\n"
                    f"        %s = arith.addf %u, %v : {dt}\n"
                    f"        norm.yield %s : {dt}\n      }}")
        results, rtypes = "%y, %h", f"{t}, {t}"
    return (f"func.func @k({', '.join(args)}) -> ({rtypes}) {{\n"
            f"  {results} = norm.{op} %x{params}{prologue} "
            f"{{axes = array<i64: 1>, epsilon = {float(eps):.17e} : f64}} : "
            f"{t} -> {t}\n  return {results} : {rtypes}\n}}\n")


def check_arguments(name, x, dtypes, weight=None, bias=None, residual=None):
    """Raises unless x has one of `dtypes`, weight and bias are of its type
    and of shape (hidden,), and residual matches x (PyTorch or JAX arrays);
    returns hidden. `name` prefixes the messages."""
    if x.dtype not in dtypes:
        raise TypeError(f"{name}: unsupported dtype {x.dtype}")
    hidden = x.shape[-1] if len(x.shape) else 1
    for what, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dtype != x.dtype or
                              tuple(t.shape) != (hidden,)):
            raise ValueError(f"{name}: {what} must be {x.dtype} of shape "
                             f"({hidden},)")
    if residual is not None and (residual.shape != x.shape or
                                 residual.dtype != x.dtype):
        raise ValueError(f"{name}: residual must match x")
    return hidden
