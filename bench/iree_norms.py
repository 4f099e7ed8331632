"""IREE as a contender of the CPU benchmark: LayerNorm and RMSNorm written
in linalg on tensors the way torch-mlir imports them (a sum reduction for
the mean, a second one for the variance, elementwise ops for the rest),
compiled by stock iree-compile for the host CPU (llvm-cpu) and run by IREE's
runtime on its local-task device, all from PyPI (iree-base-compiler,
iree-base-runtime). Used by bench/run.py."""

import statistics
import time

MAPS = {
    "id": "affine_map<(d0, d1) -> (d0, d1)>",
    "row": "affine_map<(d0, d1) -> (d0)>",
    "col": "affine_map<(d0, d1) -> (d1)>",
    "vec": "affine_map<(d0) -> (d0)>",
}


def _generic(result, ins, out, maps, iterators, body):
    names = ", ".join(v for v, _ in ins)
    types = ", ".join(t for _, t in ins)
    m = ", ".join(MAPS[k] for k in maps)
    it = ", ".join(f'"{i}"' for i in iterators)
    args = ", ".join(f"%a{i}: {t.split('x')[-1].rstrip('>')}"
                     for i, (_, t) in enumerate(ins))
    out_elem = out[1].split("x")[-1].rstrip(">")
    return (f"  {result} = linalg.generic {{indexing_maps = [{m}], "
            f"iterator_types = [{it}]}} ins({names} : {types}) "
            f"outs({out[0]} : {out[1]}) {{\n  ^bb0({args}, %o: {out_elem}):\n"
            + "".join(f"    {line}\n" for line in body)
            + f"  }} -> {out[1]}\n")


def module(kernel, dtype, rows, cols, eps=1e-5):
    """The linalg text of a LayerNorm or RMSNorm over the last axis."""
    t = dtype
    x_t, p_t = f"tensor<{rows}x{cols}x{t}>", f"tensor<{cols}x{t}>"
    r_t = f"tensor<{rows}xf32>"
    ext = (lambda v, n: [] if t == "f32" else
           [f"%{n} = arith.extf {v} : {t} to f32"])
    x32 = (lambda v, n: v if t == "f32" else f"%{n}")
    text = "func.func @main(%x: " + x_t + ", %g: " + p_t
    text += (", %b: " + p_t if kernel == "layer_norm" else "") + ") -> "
    text += x_t + " {\n"
    text += ("  %zero = arith.constant 0.0 : f32\n"
             f"  %n = arith.constant {float(cols)} : f32\n"
             f"  %eps = arith.constant {eps:e} : f32\n"
             f"  %er = tensor.empty() : {r_t}\n"
             f"  %acc = linalg.fill ins(%zero : f32) outs(%er : {r_t}) -> {r_t}\n"
             f"  %ex = tensor.empty() : {x_t}\n")
    if kernel == "layer_norm":
        text += _generic("%sum", [("%x", x_t)], ("%acc", r_t), ["id", "row"],
                         ["parallel", "reduction"],
                         ext("%a0", "e") + [f"%s = arith.addf {x32('%a0', 'e')}, %o : f32",
                                            "linalg.yield %s : f32"])
        text += _generic("%mean", [("%sum", r_t)], ("%er", r_t), ["vec", "vec"],
                         ["parallel"], ["%m = arith.divf %a0, %n : f32",
                                        "linalg.yield %m : f32"])
        text += _generic("%sq", [("%x", x_t), ("%mean", r_t)], ("%acc", r_t),
                         ["id", "row", "row"], ["parallel", "reduction"],
                         ext("%a0", "e") + [
                             f"%d = arith.subf {x32('%a0', 'e')}, %a1 : f32",
                             "%d2 = arith.mulf %d, %d : f32",
                             "%s = arith.addf %d2, %o : f32",
                             "linalg.yield %s : f32"])
    else:
        text += _generic("%sq", [("%x", x_t)], ("%acc", r_t), ["id", "row"],
                         ["parallel", "reduction"],
                         ext("%a0", "e") + [
                             f"%d2 = arith.mulf {x32('%a0', 'e')}, {x32('%a0', 'e')} : f32",
                             "%s = arith.addf %d2, %o : f32",
                             "linalg.yield %s : f32"])
    text += _generic("%rstd", [("%sq", r_t)], ("%er", r_t), ["vec", "vec"],
                     ["parallel"], ["%v = arith.divf %a0, %n : f32",
                                    "%ve = arith.addf %v, %eps : f32",
                                    "%r = math.rsqrt %ve : f32",
                                    "linalg.yield %r : f32"])
    back = [] if t == "f32" else [f"%yt = arith.truncf %y : f32 to {t}"]
    yv = "%y" if t == "f32" else "%yt"
    if kernel == "layer_norm":
        text += _generic("%out", [("%x", x_t), ("%mean", r_t), ("%rstd", r_t),
                                  ("%g", p_t), ("%b", p_t)], ("%ex", x_t),
                         ["id", "row", "row", "col", "col", "id"],
                         ["parallel", "parallel"],
                         ext("%a0", "e") + ext("%a3", "gg") + ext("%a4", "bb") + [
                             f"%c = arith.subf {x32('%a0', 'e')}, %a1 : f32",
                             "%nn = arith.mulf %c, %a2 : f32",
                             f"%s = arith.mulf %nn, {x32('%a3', 'gg')} : f32",
                             f"%y = arith.addf %s, {x32('%a4', 'bb')} : f32"]
                         + back + [f"linalg.yield {yv} : {t}"])
    else:
        text += _generic("%out", [("%x", x_t), ("%rstd", r_t), ("%g", p_t)],
                         ("%ex", x_t), ["id", "row", "col", "id"],
                         ["parallel", "parallel"],
                         ext("%a0", "e") + ext("%a2", "gg") + [
                             f"%nn = arith.mulf {x32('%a0', 'e')}, %a1 : f32",
                             f"%y = arith.mulf %nn, {x32('%a2', 'gg')} : f32"]
                         + back + [f"linalg.yield {yv} : {t}"])
    text += f"  return %out : {x_t}\n}}\n"
    return text


class Iree:
    def __init__(self, threads, target_cpu="host"):
        import numpy as np
        import iree.compiler as compiler
        import iree.runtime as rt
        self.np, self.compiler, self.rt = np, compiler, rt
        rt.flags.parse_flags(f"--task_topology_max_group_count={threads}")
        self.config = rt.Config("local-task")
        self.target_cpu = target_cpu

    def time(self, kernel, dtype, shape, reps):
        np, rt = self.np, self.rt
        if kernel not in ("layer_norm", "rms_norm"):
            return None
        dims = [int(d) for d in shape.split("x")]
        if len(dims) != 2:
            return None
        rows, cols = dims
        try:
            vmfb = self.compiler.compile_str(
                module(kernel, dtype, rows, cols),
                target_backends=["llvm-cpu"],
                extra_args=[f"--iree-llvmcpu-target-cpu={self.target_cpu}"])
        except Exception:
            return None
        ctx = rt.SystemContext(config=self.config)
        ctx.add_vm_module(rt.VmModule.copy_buffer(ctx.instance, vmfb))
        main = ctx.modules.module["main"]
        npt = np.float32 if dtype == "f32" else None
        if npt is None:  # bf16: IREE takes the raw bits through a uint16 view
            return None
        rng = np.random.default_rng(0)
        args = [rng.uniform(-1, 1, dims).astype(npt),
                np.ones(cols, npt)]
        if kernel == "layer_norm":
            args.append(np.zeros(cols, npt))
        device = [rt.asdevicearray(self.config.device, a) for a in args]
        main(*device)
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            main(*device)
            times.append(time.perf_counter() - start)
        return statistics.median(times)
