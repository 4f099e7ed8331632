"""IREE as a contender of the CPU benchmark: every kernel of the benchmark
(LayerNorm, RMSNorm, batch norm for inference and training, group norm;
NCHW and NHWC) written in linalg on tensors the way torch-mlir imports
them (sum reductions for the statistics, elementwise generics with
broadcast maps for the rest), compiled by stock iree-compile for the host
CPU (llvm-cpu) and run by IREE's runtime on its local-task device, all from
PyPI (iree-base-compiler, iree-base-runtime). Used by bench/run.py.

bf16 tensors cross IREE's Python bridge as int16 (numpy has no bf16): the
functions take and return i16 tensors and bitcast each element to bf16
inside the generics that read or write it, which costs no instruction.
Each module's results are checked once against a float64 numpy reference
before it is timed; a module that fails the check is reported and not
timed."""

import statistics
import time

EPS = 1e-5
MOMENTUM = 0.1


def _map(rank, dims):
    ds = ", ".join(f"d{i}" for i in range(rank))
    return f"affine_map<({ds}) -> ({', '.join(f'd{i}' for i in dims)})>"


class _Module:
    """Text of one func.func @main built from linalg.generic ops."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.lines = []
        self.count = 0

    def io(self, shape, elem):
        """A tensor type; bf16 tensors travel as i16."""
        e = "i16" if elem == "bf16" else elem
        return f"tensor<{'x'.join(map(str, shape))}x{e}>" if shape else \
            f"tensor<{e}>"

    def line(self, text):
        self.lines.append("  " + text)

    def empty(self, shape, elem="f32"):
        self.count += 1
        name = f"%e{self.count}"
        self.line(f"{name} = tensor.empty() : {self.io(shape, elem)}")
        return name

    def zeros(self, shape):
        e = self.empty(shape)
        self.count += 1
        name = f"%z{self.count}"
        self.line(f"{name} = linalg.fill ins(%zero : f32) outs({e} : "
                  f"{self.io(shape, 'f32')}) -> {self.io(shape, 'f32')}")
        return name

    def generic(self, ins, out, iterators, body, out_elem="f32"):
        """ins: (value, shape, elem, dims read); out: (init, shape, dims).
        body: lines using %a0.. (each input as f32: bf16 and i16 inputs are
        widened first) and %o (the output's current value); its last value
        is named %r and is rounded to out_elem."""
        self.count += 1
        name = f"%g{self.count}"
        rank = len(iterators)
        maps = [_map(rank, d) for _, _, _, d in ins] + [_map(rank, out[2])]
        args, pre = [], []
        for i, (_, _, elem, _) in enumerate(ins):
            if elem == "bf16":
                args.append(f"%i{i}: i16")
                pre += [f"%b{i} = arith.bitcast %i{i} : i16 to bf16",
                        f"%a{i} = arith.extf %b{i} : bf16 to f32"]
            else:
                args.append(f"%a{i}: {elem}")
        o_ty = "i16" if out_elem == "bf16" else out_elem
        post = []
        result = "%r"
        if out_elem == "bf16":
            post = ["%rt = arith.truncf %r : f32 to bf16",
                    "%ri = arith.bitcast %rt : bf16 to i16"]
            result = "%ri"
        text = (f"{name} = linalg.generic {{indexing_maps = [{', '.join(maps)}], "
                f"iterator_types = [{', '.join(chr(34) + i + chr(34) for i in iterators)}]}} "
                f"ins({', '.join(v for v, _, _, _ in ins)} : "
                f"{', '.join(self.io(s, e) for _, s, e, _ in ins)}) "
                f"outs({out[0]} : {self.io(out[1], out_elem)}) {{\n"
                f"  ^bb0({', '.join(args)}, %o: {o_ty}):\n")
        for line in pre + body + post + [f"linalg.yield {result} : {o_ty}"]:
            text += f"    {line}\n"
        text += f"  }} -> {self.io(out[1], out_elem)}"
        self.line(text)
        return name

    def text(self, args, results):
        """args: (name, shape, elem); results: (value, shape, elem)."""
        sig = ", ".join(f"{n}: {self.io(s, e)}" for n, s, e in args)
        res = ", ".join(self.io(s, e) for _, s, e in results)
        head = (f"func.func @main({sig}) -> ({res}) {{\n"
                "  %zero = arith.constant 0.0 : f32\n"
                f"  %eps = arith.constant {EPS:e} : f32\n")
        ret = (f"  return {', '.join(v for v, _, _ in results)} : {res}\n}}\n")
        return head + "\n".join(self.lines) + "\n" + ret


def _rows(kernel, dtype, rows, cols):
    m = _Module(dtype)
    x, p = [rows, cols], [cols]
    n = f"{float(cols):e}"
    if kernel == "layer_norm":
        s = m.generic([("%x", x, dtype, (0, 1))], (m.zeros([rows]), [rows], (0,)),
                      ["parallel", "reduction"], ["%r = arith.addf %a0, %o : f32"])
        mean = m.generic([(s, [rows], "f32", (0,))], (m.empty([rows]), [rows], (0,)),
                         ["parallel"], [f"%c = arith.constant {n} : f32",
                                        "%r = arith.divf %a0, %c : f32"])
        sq = m.generic([("%x", x, dtype, (0, 1)), (mean, [rows], "f32", (0,))],
                       (m.zeros([rows]), [rows], (0,)), ["parallel", "reduction"],
                       ["%d = arith.subf %a0, %a1 : f32",
                        "%d2 = arith.mulf %d, %d : f32",
                        "%r = arith.addf %d2, %o : f32"])
    else:
        sq = m.generic([("%x", x, dtype, (0, 1))], (m.zeros([rows]), [rows], (0,)),
                       ["parallel", "reduction"],
                       ["%d2 = arith.mulf %a0, %a0 : f32",
                        "%r = arith.addf %d2, %o : f32"])
    rstd = m.generic([(sq, [rows], "f32", (0,))], (m.empty([rows]), [rows], (0,)),
                     ["parallel"], [f"%c = arith.constant {n} : f32",
                                    "%v = arith.divf %a0, %c : f32",
                                    "%ve = arith.addf %v, %eps : f32",
                                    "%r = math.rsqrt %ve : f32"])
    if kernel == "layer_norm":
        out = m.generic([("%x", x, dtype, (0, 1)), (mean, [rows], "f32", (0,)),
                         (rstd, [rows], "f32", (0,)), ("%g", p, dtype, (1,)),
                         ("%b", p, dtype, (1,))],
                        (m.empty(x, dtype), x, (0, 1)), ["parallel", "parallel"],
                        ["%c = arith.subf %a0, %a1 : f32",
                         "%nn = arith.mulf %c, %a2 : f32",
                         "%s = arith.mulf %nn, %a3 : f32",
                         "%r = arith.addf %s, %a4 : f32"], dtype)
        args = [("%x", x, dtype), ("%g", p, dtype), ("%b", p, dtype)]
    else:
        out = m.generic([("%x", x, dtype, (0, 1)), (rstd, [rows], "f32", (0,)),
                         ("%g", p, dtype, (1,))],
                        (m.empty(x, dtype), x, (0, 1)), ["parallel", "parallel"],
                        ["%nn = arith.mulf %a0, %a1 : f32",
                         "%r = arith.mulf %nn, %a2 : f32"], dtype)
        args = [("%x", x, dtype), ("%g", p, dtype)]
    return m.text(args, [(out, x, dtype)])


def _batch_norm(kernel, dtype, dims):
    """NCHW (channel axis 1) or NHWC (axis 3), inference or training."""
    m = _Module(dtype)
    c = 3 if kernel.endswith("nhwc") else 1
    ch = [dims[c]]
    rest = [i for i in range(4) if i != c]
    red = ["parallel" if i == c else "reduction" for i in range(4)]
    count = 1
    for i in rest:
        count *= dims[i]
    par = ["parallel"] * 4
    if kernel.startswith("bn_infer"):
        rstd = m.generic([("%v", ch, "f32", (0,))], (m.empty(ch), ch, (0,)),
                         ["parallel"], ["%ve = arith.addf %a0, %eps : f32",
                                        "%r = math.rsqrt %ve : f32"])
        mean = "%m"
        args = [("%x", dims, dtype), ("%m", ch, "f32"), ("%v", ch, "f32"),
                ("%g", ch, dtype), ("%b", ch, dtype)]
    else:
        s = m.generic([("%x", dims, dtype, tuple(range(4)))],
                      (m.zeros(ch), ch, (c,)), red,
                      ["%r = arith.addf %a0, %o : f32"])
        mean = m.generic([(s, ch, "f32", (0,))], (m.empty(ch), ch, (0,)),
                         ["parallel"], [f"%n = arith.constant {float(count):e} : f32",
                                        "%r = arith.divf %a0, %n : f32"])
        sq = m.generic([("%x", dims, dtype, tuple(range(4))), (mean, ch, "f32", (c,))],
                       (m.zeros(ch), ch, (c,)), red,
                       ["%d = arith.subf %a0, %a1 : f32",
                        "%d2 = arith.mulf %d, %d : f32",
                        "%r = arith.addf %d2, %o : f32"])
        var = m.generic([(sq, ch, "f32", (0,))], (m.empty(ch), ch, (0,)),
                        ["parallel"], [f"%n = arith.constant {float(count):e} : f32",
                                       "%r = arith.divf %a0, %n : f32"])
        rstd = m.generic([(var, ch, "f32", (0,))], (m.empty(ch), ch, (0,)),
                         ["parallel"], ["%ve = arith.addf %a0, %eps : f32",
                                        "%r = math.rsqrt %ve : f32"])
        keep = f"{1 - MOMENTUM:e}"
        take = f"{MOMENTUM:e}"
        nrm = m.generic([("%rm", ch, "f32", (0,)), (mean, ch, "f32", (0,))],
                        (m.empty(ch), ch, (0,)), ["parallel"],
                        [f"%k = arith.constant {keep} : f32",
                         f"%t = arith.constant {take} : f32",
                         "%p = arith.mulf %a0, %k : f32",
                         "%q = arith.mulf %a1, %t : f32",
                         "%r = arith.addf %p, %q : f32"])
        unbias = f"{count / max(count - 1, 1):e}"
        nrv = m.generic([("%rv", ch, "f32", (0,)), (var, ch, "f32", (0,))],
                        (m.empty(ch), ch, (0,)), ["parallel"],
                        [f"%k = arith.constant {keep} : f32",
                         f"%t = arith.constant {take} : f32",
                         f"%u = arith.constant {unbias} : f32",
                         "%p = arith.mulf %a0, %k : f32",
                         "%vu = arith.mulf %a1, %u : f32",
                         "%q = arith.mulf %vu, %t : f32",
                         "%r = arith.addf %p, %q : f32"])
        args = [("%x", dims, dtype), ("%g", ch, dtype), ("%b", ch, dtype),
                ("%rm", ch, "f32"), ("%rv", ch, "f32")]
    out = m.generic([("%x", dims, dtype, tuple(range(4))), (mean, ch, "f32", (c,)),
                     (rstd, ch, "f32", (c,)), ("%g", ch, dtype, (c,)),
                     ("%b", ch, dtype, (c,))],
                    (m.empty(dims, dtype), dims, tuple(range(4))), par,
                    ["%d = arith.subf %a0, %a1 : f32",
                     "%nn = arith.mulf %d, %a2 : f32",
                     "%s = arith.mulf %nn, %a3 : f32",
                     "%r = arith.addf %s, %a4 : f32"], dtype)
    results = [(out, dims, dtype)]
    if kernel.startswith("bn_train"):
        results += [(mean, ch, "f32"), (var, ch, "f32"), (nrm, ch, "f32"),
                    (nrv, ch, "f32")]
    return m.text(args, results)


GROUPS = 32


def _group_norm(kernel, dtype, dims):
    """32 groups over NCHW or NHWC, as torch-mlir imports aten.group_norm:
    the input viewed with the channels split into (group, channel in
    group), statistics per (example, group), then the per-channel affine."""
    m = _Module(dtype)
    nhwc = kernel.endswith("nhwc")
    c = 3 if nhwc else 1
    cg = dims[c] // GROUPS
    # The 5-D view: the channel axis split into (GROUPS, cg).
    view = dims[:c] + [GROUPS, cg] + dims[c + 1:]
    g_axis, k_axis = c, c + 1
    ng = [dims[0], GROUPS]
    count = cg
    for i, d in enumerate(dims):
        if i not in (0, c):
            count *= d
    m.count += 1
    xv = f"%xv{m.count}"
    reassoc = [[0], [1, 2], [3], [4]] if not nhwc else [[0], [1], [2], [3, 4]]
    m.line(f"{xv} = tensor.expand_shape %x {reassoc} output_shape {view} : "
           f"{m.io(dims, dtype)} into {m.io(view, dtype)}")
    red = ["parallel" if i in (0, g_axis) else "reduction" for i in range(5)]
    s = m.generic([(xv, view, dtype, tuple(range(5)))],
                  (m.zeros(ng), ng, (0, g_axis)), red,
                  ["%r = arith.addf %a0, %o : f32"])
    n = f"{float(count):e}"
    mean = m.generic([(s, ng, "f32", (0, 1))], (m.empty(ng), ng, (0, 1)),
                     ["parallel", "parallel"],
                     [f"%n = arith.constant {n} : f32",
                      "%r = arith.divf %a0, %n : f32"])
    sq = m.generic([(xv, view, dtype, tuple(range(5))), (mean, ng, "f32", (0, g_axis))],
                   (m.zeros(ng), ng, (0, g_axis)), red,
                   ["%d = arith.subf %a0, %a1 : f32",
                    "%d2 = arith.mulf %d, %d : f32",
                    "%r = arith.addf %d2, %o : f32"])
    rstd = m.generic([(sq, ng, "f32", (0, 1))], (m.empty(ng), ng, (0, 1)),
                     ["parallel", "parallel"],
                     [f"%n = arith.constant {n} : f32",
                      "%v = arith.divf %a0, %n : f32",
                      "%ve = arith.addf %v, %eps : f32",
                      "%r = math.rsqrt %ve : f32"])
    m.count += 1
    gv, bv = f"%gv{m.count}", f"%bv{m.count}"
    for src, dst in (("%g", gv), ("%b", bv)):
        m.line(f"{dst} = tensor.expand_shape {src} [[0, 1]] output_shape "
               f"[{GROUPS}, {cg}] : {m.io([dims[c]], dtype)} into "
               f"{m.io([GROUPS, cg], dtype)}")
    yv = m.generic([(xv, view, dtype, tuple(range(5))),
                    (mean, ng, "f32", (0, g_axis)), (rstd, ng, "f32", (0, g_axis)),
                    (gv, [GROUPS, cg], dtype, (g_axis, k_axis)),
                    (bv, [GROUPS, cg], dtype, (g_axis, k_axis))],
                   (m.empty(view, dtype), view, tuple(range(5))), ["parallel"] * 5,
                   ["%d = arith.subf %a0, %a1 : f32",
                    "%nn = arith.mulf %d, %a2 : f32",
                    "%s = arith.mulf %nn, %a3 : f32",
                    "%r = arith.addf %s, %a4 : f32"], dtype)
    m.count += 1
    y = f"%y{m.count}"
    m.line(f"{y} = tensor.collapse_shape {yv} {reassoc} : "
           f"{m.io(view, dtype)} into {m.io(dims, dtype)}")
    args = [("%x", dims, dtype), ("%g", [dims[c]], dtype),
            ("%b", [dims[c]], dtype)]
    return m.text(args, [(y, dims, dtype)])


def module(kernel, dtype, dims):
    """The linalg text of one benchmark kernel, or None."""
    if kernel in ("layer_norm", "rms_norm") and len(dims) == 2:
        return _rows(kernel, dtype, *dims)
    if kernel.startswith("bn_") and len(dims) == 4:
        return _batch_norm(kernel, dtype, dims)
    if kernel.startswith("group_norm") and len(dims) == 4:
        return _group_norm(kernel, dtype, dims)
    return None


def reference(np, kernel, dims, args):
    """float64 results of the kernel on the (widened) arguments."""
    x = args[0]
    if kernel in ("layer_norm", "rms_norm"):
        if kernel == "layer_norm":
            mu = x.mean(axis=1, keepdims=True)
            var = ((x - mu) ** 2).mean(axis=1, keepdims=True)
            return [(x - mu) / np.sqrt(var + EPS) * args[1] + args[2]]
        ms = (x * x).mean(axis=1, keepdims=True)
        return [x / np.sqrt(ms + EPS) * args[1]]
    c = 3 if kernel.endswith("nhwc") else 1
    shape = [1, 1, 1, 1]
    shape[c] = dims[c]

    def per_channel(v):
        return v.reshape(shape)
    if kernel.startswith("bn_infer"):
        _, m, v, g, b = args
        return [(x - per_channel(m)) / np.sqrt(per_channel(v) + EPS) *
                per_channel(g) + per_channel(b)]
    if kernel.startswith("bn_train"):
        _, g, b, rm, rv = args
        axes = tuple(i for i in range(4) if i != c)
        mean = x.mean(axis=axes)
        var = ((x - per_channel(mean)) ** 2).mean(axis=axes)
        n = x.size // dims[c]
        y = ((x - per_channel(mean)) / np.sqrt(per_channel(var) + EPS) *
             per_channel(g) + per_channel(b))
        return [y, mean, var, (1 - MOMENTUM) * rm + MOMENTUM * mean,
                (1 - MOMENTUM) * rv + MOMENTUM * var * n / (n - 1)]
    _, g, b = args
    xc = np.moveaxis(x, c, 1)
    grouped = xc.reshape(dims[0], GROUPS, -1)
    mu = grouped.mean(axis=2, keepdims=True)
    var = ((grouped - mu) ** 2).mean(axis=2, keepdims=True)
    yn = ((grouped - mu) / np.sqrt(var + EPS)).reshape(xc.shape)
    yn = yn * g.reshape(1, -1, 1, 1) + b.reshape(1, -1, 1, 1)
    return [np.moveaxis(yn, 1, c)]


class Iree:
    def __init__(self, threads, target_cpu="host"):
        import numpy as np
        import iree.compiler as compiler
        import iree.runtime as rt
        self.np, self.compiler, self.rt = np, compiler, rt
        rt.flags.parse_flags(f"--task_topology_max_group_count={threads}")
        self.config = rt.Config("local-task")
        self.target_cpu = target_cpu
        self.compiled = {}  # (kernel, dtype, shape) -> vmfb or None
        self.checked = {}

    def _arguments(self, kernel, dtype, dims):
        """(host arrays as IREE takes them, the same values in float64)."""
        np = self.np
        rng = np.random.default_rng(0)
        c = dims[-1] if len(dims) == 2 else dims[3 if kernel.endswith("nhwc") else 1]
        specs = [("x", dims, dtype, -1, 1)]
        if kernel in ("layer_norm", "group_norm", "group_norm_nhwc"):
            specs += [("g", [c], dtype, 0.5, 1.5), ("b", [c], dtype, -0.5, 0.5)]
        elif kernel == "rms_norm":
            specs += [("g", [c], dtype, 0.5, 1.5)]
        elif kernel.startswith("bn_infer"):
            specs += [("m", [c], "f32", -0.1, 0.1), ("v", [c], "f32", 0.5, 2),
                      ("g", [c], dtype, 0.5, 1.5), ("b", [c], dtype, -0.5, 0.5)]
        else:
            specs += [("g", [c], dtype, 0.5, 1.5), ("b", [c], dtype, -0.5, 0.5),
                      ("rm", [c], "f32", -0.1, 0.1), ("rv", [c], "f32", 0.5, 2)]
        host, exact = [], []
        for _, shape, elem, lo, hi in specs:
            v = rng.uniform(lo, hi, shape).astype(np.float32)
            if elem == "bf16":
                bits = (v.view(np.uint32) >> 16).astype(np.uint16)
                host.append(bits.view(np.int16))
                exact.append((bits.astype(np.uint32) << 16).view(np.float32)
                             .astype(np.float64))
            else:
                host.append(v)
                exact.append(v.astype(np.float64))
        return host, exact

    def time(self, kernel, dtype, shape, reps):
        rt = self.rt
        dims = [int(d) for d in shape.split("x")]
        key = (kernel, dtype, shape)
        if key not in self.compiled:
            self.compiled[key] = self._compile(kernel, dtype, dims)
            self.checked[key] = False
        vmfb = self.compiled[key]
        if vmfb is None:
            return None
        ctx = rt.SystemContext(config=self.config)
        ctx.add_vm_module(rt.VmModule.copy_buffer(ctx.instance, vmfb))
        main = ctx.modules.module["main"]
        host, exact = self._arguments(kernel, dtype, dims)
        device = [rt.asdevicearray(self.config.device, a) for a in host]
        if not self.checked[key]:
            if not self._check(kernel, dtype, shape, main(*device), exact):
                self.compiled[key] = None
                return None
            self.checked[key] = True
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            main(*device)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    def _compile(self, kernel, dtype, dims):
        """The module's vmfb, or None."""
        text = module(kernel, dtype, dims)
        if text is None:
            return None
        try:
            return self.compiler.compile_str(
                text, target_backends=["llvm-cpu"],
                extra_args=[f"--iree-llvmcpu-target-cpu={self.target_cpu}"])
        except Exception as e:
            print(f"IREE failed to compile {kernel} {dtype} "
                  f"{'x'.join(map(str, dims))}: "
                  f"{str(e).splitlines()[0] if str(e) else e}")
            return None

    def _check(self, kernel, dtype, shape, results, exact):
        """Whether the results agree with the float64 reference."""
        np = self.np
        dims = [int(d) for d in shape.split("x")]
        if not isinstance(results, (list, tuple)):
            results = [results]
        want_all = reference(np, kernel, dims, exact)
        if len(results) != len(want_all):
            print(f"IREE's {kernel} {dtype} {shape} returned {len(results)} "
                  f"results, not {len(want_all)}; not timed")
            return False
        # bf16 outputs round once: within 2^-8 relative plus the f32
        # statistics' error; f32 outputs within 1e-4 of the float64 values.
        tol = 2.0 ** -7 if dtype == "bf16" else 1e-4
        for got, want in zip(results, want_all):
            got = np.asarray(got.to_host())
            if got.dtype == np.int16:
                got = (got.view(np.uint16).astype(np.uint32) << 16).view(
                    np.float32)
            got = got.astype(np.float64)
            err = np.abs(got - want) / (1 + np.abs(want))
            if got.shape != want.shape or not np.all(err <= tol):
                print(f"IREE's {kernel} {dtype} {shape} disagrees with the "
                      f"float64 reference (max error "
                      f"{np.nanmax(err) if got.shape == want.shape else 'shape'}); "
                      "not timed")
                return False
        return True
