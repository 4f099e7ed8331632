#!/usr/bin/env python3
"""The GPU execution matrix: writes cases.mlir (one function per case, for
norm-compile --target=cuda), spec.json (what each case computes, for
run_cases.py, which checks it on a GPU against a float64 reference) and
shim.c (an exported entry per case taking an array of device pointers, so
that ctypes can call the header's inline functions).

    cases.py OUT_DIR
"""

import json
import os
import sys

DTYPES = ["f32", "f16", "bf16"]
EPS = 1e-5


def tt(shape, dt):
    return "tensor<" + "x".join(str(d) for d in shape) + "x" + dt + ">"


def arr(values):
    return "array<i64: " + ", ".join(str(v) for v in values) + ">"


class Case:
    def __init__(self, name, op, shape, dtype, **attrs):
        self.name, self.op, self.shape, self.dtype = name, op, shape, dtype
        self.attrs = attrs
        self.inputs, self.outputs = [], []  # (role, shape, dtype)
        self.modes = attrs.pop("modes", ["random"])

    def dynamic(self, shape):
        """Whether a tensor of `shape` has the dynamic leading size."""
        return self.attrs.get("dynamic", False) and shape and \
            shape[0] == self.shape[0]

    def spec(self):
        return {"name": self.name, "op": self.op, "shape": self.shape,
                "dtype": self.dtype, "attrs": self.attrs,
                "inputs": [dict(role=r, shape=s, dtype=d,
                                dynamic_dims=[0] if self.dynamic(s) else [])
                           for r, s, d in self.inputs],
                "outputs": [dict(role=r, shape=s, dtype=d)
                            for r, s, d in self.outputs],
                "modes": self.modes}


def params_text(case, gamma, beta, pshape, pdt):
    text = ""
    if gamma:
        case.inputs.append(("gamma", pshape, pdt))
        text += f" gamma(%a{len(case.inputs) - 1} : {tt(pshape, pdt)})"
    if beta:
        case.inputs.append(("beta", pshape, pdt))
        text += f" beta(%a{len(case.inputs) - 1} : {tt(pshape, pdt)})"
    return text


def func_text(case, body, results):
    args = ", ".join(f"%a{i}: {tt(s, d)}" for i, (_, s, d)
                     in enumerate(case.inputs))
    rtypes = ", ".join(tt(s, d) for _, s, d in case.outputs)
    names = ", ".join(results)
    return (f"func.func @{case.name}({args}) -> ({rtypes}) {{\n{body}"
            f"  return {names} : {rtypes}\n}}\n")


def layer_like(name, op, shape, dt, axes, gamma=True, beta=True,
               stats=False, modes=None, eps_std=False, unbiased=False):
    case = Case(name, op, shape, dt, axes=axes, modes=modes or ["random"])
    case.inputs.append(("x", shape, dt))
    pshape = [shape[a] for a in axes]
    params = params_text(case, gamma, beta and op == "layer_norm", pshape,
                         dt)
    kept = [d for i, d in enumerate(shape) if i not in axes]
    case.outputs.append(("y", shape, dt))
    results = ["%y"]
    attr = f"axes = {arr(axes)}, epsilon = {EPS:e} : f64"
    if eps_std:
        attr += ", epsilon_placement = #norm.epsilon<std>"
    if unbiased:
        attr += ", variance_estimator = #norm.variance<unbiased>"
    if stats:
        attr += ", stats = #norm.stats<mean_rstd>"
        case.outputs += [("mean", kept, "f32"), ("rstd", kept, "f32")]
        results += ["%m", "%r"]
    case.attrs.update(gamma=gamma, beta=beta and op == "layer_norm",
                      stats=stats, eps_std=eps_std, unbiased=unbiased)
    rtypes = ", ".join(tt(s, d) for _, s, d in case.outputs)
    body = (f"  {', '.join(results)} = norm.{op} %a0{params} {{{attr}}} : "
            f"{tt(shape, dt)} -> {rtypes}\n")
    return case, func_text(case, body, results)


def channel_op(name, op, shape, dt, channel, groups=0, modes=None):
    case = Case(name, op, shape, dt, channel=channel, groups=groups,
                modes=modes or ["random"])
    case.inputs.append(("x", shape, dt))
    c = shape[channel]
    extra = ""
    if op == "batch_norm_inference":
        case.inputs += [("mean", [c], "f32"), ("var", [c], "f32")]
        extra = ", %a1, %a2"
    params = params_text(case, True, True, [c], dt)
    attr = f"channel_axis = {channel}, epsilon = {EPS:e} : f64"
    if groups:
        attr += f", num_groups = {groups}"
    case.outputs.append(("y", shape, dt))
    results = ["%y"]
    if op == "batch_norm":
        case.inputs += [("running_mean", [c], "f32"),
                        ("running_var", [c], "f32")]
        n = len(case.inputs)
        params += (f" running(%a{n - 2}, %a{n - 1} : {tt([c], 'f32')}, "
                   f"{tt([c], 'f32')})")
        attr += ", momentum = 1.000000e-01 : f64, stats = #norm.stats<mean_var>"
        case.outputs += [(r, [c], "f32") for r in
                         ("mean", "var", "new_running_mean",
                          "new_running_var")]
        results += ["%bm", "%bv", "%rm", "%rv"]
    rtypes = ", ".join(tt(s, d) for _, s, d in case.outputs)
    if op == "batch_norm_inference":
        head = (f"{tt(shape, dt)}, {tt([c], 'f32')}, {tt([c], 'f32')} -> "
                f"{rtypes}")
    else:
        head = f"{tt(shape, dt)} -> {rtypes}"
    body = (f"  {', '.join(results)} = norm.{op} %a0{extra}{params} "
            f"{{{attr}}} : {head}\n")
    return case, func_text(case, body, results)


def add_rms(name, rows, hidden):
    """LLaMA's fused residual add + RMSNorm in bf16, the sum returned."""
    dt = "bf16"
    case = Case(name, "add_rms_norm", [rows, hidden], dt, axes=[1])
    case.inputs += [("x", [rows, hidden], dt), ("residual", [rows, hidden], dt),
                    ("gamma", [hidden], dt)]
    case.outputs += [("y", [rows, hidden], dt), ("h", [rows, hidden], dt)]
    t, p = tt([rows, hidden], dt), tt([hidden], dt)
    body = (f"  %y, %h = norm.rms_norm %a0 gamma(%a2 : {p})\n"
            f"      prologue(%a1 : {t}) -> {t} {{\n"
            f"      ^bb0(%u: bf16, %v: bf16):\n"
            f"        %s = arith.addf %u, %v : bf16\n"
            f"        norm.yield %s : bf16\n"
            f"      }} {{axes = array<i64: 1>, epsilon = {EPS:e} : f64}} : "
            f"{t} -> {t}\n")
    return case, func_text(case, body, ["%y", "%h"])


def prenorm_gelu(name, rows, hidden):
    """h = f32(x) + f32(r); y = bf16(gelu(LN(h) * g + bias)); h returned."""
    case = Case(name, "prenorm_gelu", [rows, hidden], "bf16", axes=[1])
    case.inputs += [("x", [rows, hidden], "bf16"),
                    ("residual", [rows, hidden], "bf16"),
                    ("gamma", [hidden], "f32"), ("bias", [hidden], "f32")]
    case.outputs += [("y", [rows, hidden], "bf16"),
                     ("h", [rows, hidden], "f32")]
    t, h = tt([rows, hidden], "bf16"), tt([rows, hidden], "f32")
    p = tt([hidden], "f32")
    body = (f"  %y, %h = norm.layer_norm %a0 gamma(%a2 : {p})\n"
            f"      prologue(%a1 : {t}) -> {h} {{\n"
            f"      ^bb0(%u: bf16, %v: bf16):\n"
            f"        %ue = arith.extf %u : bf16 to f32\n"
            f"        %ve = arith.extf %v : bf16 to f32\n"
            f"        %s = arith.addf %ue, %ve : f32\n"
            f"        norm.yield %s : f32\n"
            f"      }}\n"
            f"      epilogue(%a3 : {p}) {{\n"
            f"      ^bb0(%w: f32, %c: f32):\n"
            f"        %s = arith.addf %w, %c : f32\n"
            f"        %k = arith.constant 0.70710678118654752 : f32\n"
            f"        %half = arith.constant 0.5 : f32\n"
            f"        %one = arith.constant 1.0 : f32\n"
            f"        %q = arith.mulf %s, %k : f32\n"
            f"        %e = math.erf %q : f32\n"
            f"        %e1 = arith.addf %e, %one : f32\n"
            f"        %hs = arith.mulf %s, %half : f32\n"
            f"        %g = arith.mulf %hs, %e1 : f32\n"
            f"        %o = arith.truncf %g : f32 to bf16\n"
            f"        norm.yield %o : bf16\n"
            f"      }}\n"
            f"      {{axes = array<i64: 1>, epsilon = {EPS:e} : f64, "
            f"epilogue_maps = [affine_map<(d0, d1) -> (d1)>]}} : {t} -> {t}\n")
    return case, func_text(case, body, ["%y", "%h"])


def quantized(name, op, rows, hidden):
    """Outputs quantized by the epilogue: `rms_f8`, bf16 RMSNorm times a
    per-feature f32 scale, rounded to f8E4M3FN; `ln_i8`, f32 LayerNorm
    times 32, rounded to even, clamped to [-128, 127] and converted to i8."""
    dt = "bf16" if op == "rms_f8" else "f32"
    out = "f8E4M3FN" if op == "rms_f8" else "i8"
    case = Case(name, op, [rows, hidden], dt, axes=[1])
    case.inputs += [("x", [rows, hidden], dt), ("gamma", [hidden], dt)]
    t, p = tt([rows, hidden], dt), tt([hidden], dt)
    if op == "rms_f8":
        case.inputs.append(("scale", [hidden], "f32"))
        o = tt([rows, hidden], "f8E4M3FN")
        body = (f"  %y = norm.rms_norm %a0 gamma(%a1 : {p})\n"
                f"      epilogue(%a2 : {tt([hidden], 'f32')}) {{\n"
                f"      ^bb0(%w: bf16, %c: f32):\n"
                f"        %we = arith.extf %w : bf16 to f32\n"
                f"        %s = arith.mulf %we, %c : f32\n"
                f"        %q = arith.truncf %s : f32 to f8E4M3FN\n"
                f"        norm.yield %q : f8E4M3FN\n"
                f"      }}\n"
                f"      {{axes = array<i64: 1>, epsilon = {EPS:e} : f64, "
                f"epilogue_maps = [affine_map<(d0, d1) -> (d1)>]}} : "
                f"{t} -> {o}\n")
    else:
        o = tt([rows, hidden], "i8")
        body = (f"  %y = norm.layer_norm %a0 gamma(%a1 : {p}) epilogue {{\n"
                f"      ^bb0(%w: f32):\n"
                f"        %k = arith.constant 32.0 : f32\n"
                f"        %lo = arith.constant -128.0 : f32\n"
                f"        %hi = arith.constant 127.0 : f32\n"
                f"        %s = arith.mulf %w, %k : f32\n"
                f"        %r = math.roundeven %s : f32\n"
                f"        %c0 = arith.maximumf %r, %lo : f32\n"
                f"        %c1 = arith.minimumf %c0, %hi : f32\n"
                f"        %i = arith.fptosi %c1 : f32 to i8\n"
                f"        norm.yield %i : i8\n"
                f"      }} {{axes = array<i64: 1>, epsilon = {EPS:e} : f64}} : "
                f"{t} -> {o}\n")
    case.outputs.append(("y", [rows, hidden], out))
    return case, func_text(case, body, ["%y"])


def dynamic_rows(made):
    """The same case with its leading size dynamic (`?` in the IR; the
    runtime size is the case's)."""
    case, text = made
    case.name += "_dyn"
    case.attrs["dynamic"] = True
    text = text.replace(f"tensor<{case.shape[0]}x", "tensor<?x")
    text = text.replace(f"@{case.name[:-4]}(", f"@{case.name}(", 1)
    return case, text


def all_cases():
    out = []
    # Dynamic leading sizes (a batch of rows, of images): leading sizes
    # that no other extent of the case equals.
    out.append(dynamic_rows(layer_like("ln_bf16_37x4096", "layer_norm",
                                       [37, 4096], "bf16", [1], stats=True)))
    out.append(dynamic_rows(layer_like("rms_f32_37x768", "rms_norm",
                                       [37, 768], "f32", [1])))
    out.append(dynamic_rows(layer_like("ln_f16_3x65536", "layer_norm",
                                       [3, 65536], "f16", [1])))
    out.append(dynamic_rows(layer_like("ln_f32_3x5x1025", "layer_norm",
                                       [3, 5, 1025], "f32", [2])))
    out.append(dynamic_rows(channel_op("bni_bf16_3x64x32x32",
                                       "batch_norm_inference",
                                       [3, 64, 32, 32], "bf16", 1)))
    out.append(dynamic_rows(channel_op("in_f32_5x32x7x7", "instance_norm",
                                       [5, 32, 7, 7], "f32", 1)))
    out.append(dynamic_rows(channel_op("gn_bf16_5x32x9x9", "group_norm",
                                       [5, 32, 9, 9], "bf16", 1, groups=4)))
    out.append(dynamic_rows(prenorm_gelu("prenorm_gelu_bf16_37", 37, 4096)))
    row_shapes = [[1, 1], [1, 7], [3, 17], [64, 768], [5, 4099],
                  [2, 3, 1025], [8, 32768], [4, 65536], [2, 100000]]
    for dt in DTYPES:
        for shape in row_shapes:
            tag = "x".join(map(str, shape))
            last = [len(shape) - 1]
            # The hard cases on a row per warp and on a row over a cluster
            # of four blocks (one-round moments on sm_90).
            hard = (["random", "constant", "offset", "nan"]
                    if shape in ([64, 768], [4, 65536]) else ["random"])
            if dt == "f16" and shape == [64, 768]:
                hard.append("large")
            out.append(layer_like(f"ln_{dt}_{tag}", "layer_norm", shape, dt,
                                  last, stats=True, modes=hard))
            out.append(layer_like(f"rms_{dt}_{tag}", "rms_norm", shape, dt,
                                  last, modes=hard))
        out.append(layer_like(f"ln_nogamma_{dt}", "layer_norm", [64, 768], dt,
                              [1], gamma=False, beta=False))
        out.append(layer_like(f"ln_mid_{dt}", "layer_norm", [2, 3, 1025], dt,
                              [1, 2]))
        out.append(layer_like(f"ln_lead_{dt}", "layer_norm", [64, 33], dt,
                              [0]))
        out.append(layer_like(f"l2_{dt}", "l2_normalize", [7, 1025], dt, [1],
                              gamma=False, beta=False))
        for layout, shape, ch in (("nchw", [8, 32, 7, 7], 1),
                                  ("nhwc", [2, 7, 7, 32], 3),
                                  ("nc", [64, 33], 1)):
            out.append(channel_op(f"bn_{dt}_{layout}", "batch_norm", shape,
                                  dt, ch))
            out.append(channel_op(f"bni_{dt}_{layout}",
                                  "batch_norm_inference", shape, dt, ch))
            if layout == "nchw":
                # A grid of many blocks: the vectorized elementwise kernel
                # has its own (smaller) grid.
                out.append(channel_op(f"bni_{dt}_nchw_big",
                                      "batch_norm_inference",
                                      [16, 64, 32, 32], dt, 1))
            if layout != "nc":
                out.append(channel_op(f"in_{dt}_{layout}", "instance_norm",
                                      shape, dt, ch))
                out.append(channel_op(f"gn_{dt}_{layout}", "group_norm",
                                      shape, dt, ch, groups=4))
    # More rows than the clusters (or blocks) of 1024 threads a GPU holds
    # at once: on sm_90 each takes several in turn (a persistent grid).
    out.append(layer_like("ln_bf16_300x32768", "layer_norm", [300, 32768],
                          "bf16", [1], stats=True))
    out.append(layer_like("ln_f32_100x65536", "layer_norm", [100, 65536],
                          "f32", [1], modes=["random", "offset"]))
    out.append(layer_like("rms_bf16_40x131072", "rms_norm", [40, 131072],
                          "bf16", [1]))
    out.append(layer_like("ln_f32_20x262144", "layer_norm", [20, 262144],
                          "f32", [1], stats=True))
    # Centered 16-bit slots of more than 64K elements keep their values
    # packed two per register on sm_90 (without clusters: 32K-64K, as the
    # 4x65536 rows above): a row over eight blocks of 512 threads, and a
    # training batch norm whose channels (81920 elements) span images.
    out.append(layer_like("ln_f16_12x262144", "layer_norm", [12, 262144],
                          "f16", [1], stats=True,
                          modes=["random", "offset", "nan"]))
    out.append(channel_op("bn_bf16_nchw_packed", "batch_norm",
                          [5, 8, 128, 128], "bf16", 1,
                          modes=["random", "constant", "offset", "nan"]))
    # Epsilon on the standard deviation, 1 / (sqrt(var) + eps): a row per
    # warp and a row over a cluster (one-round moments on sm_90).
    out.append(layer_like("ln_epsstd_f32_64x768", "layer_norm", [64, 768],
                          "f32", [1], stats=True, eps_std=True,
                          modes=["random", "constant"]))
    out.append(layer_like("rms_epsstd_bf16_4x65536", "rms_norm", [4, 65536],
                          "bf16", [1], eps_std=True))
    # The unbiased variance (divided by n - 1): a row per warp with its
    # statistics (the returned rstd is the unbiased one), rows of two, and
    # a row over a cluster with epsilon on the standard deviation.
    out.append(layer_like("ln_unbiased_f32_64x768", "layer_norm", [64, 768],
                          "f32", [1], stats=True, unbiased=True))
    out.append(layer_like("ln_unbiased_bf16_64x2", "layer_norm", [64, 2],
                          "bf16", [1], unbiased=True))
    out.append(layer_like("ln_unbiased_std_f32_4x65536", "layer_norm",
                          [4, 65536], "f32", [1], eps_std=True,
                          unbiased=True))
    out.append(add_rms("add_rms_bf16", 64, 4096))
    out.append(prenorm_gelu("prenorm_gelu_bf16", 64, 4096))
    out.append(add_rms("add_rms_bf16_odd", 3, 1000))
    # Quantized outputs: a warp per row, a block per row and (sm_90) a
    # cluster per row.
    for rows, hidden in ((64, 768), (8, 8192), (4, 65536)):
        out.append(quantized(f"rms_f8_{rows}x{hidden}", "rms_f8", rows,
                             hidden))
        out.append(quantized(f"ln_i8_{rows}x{hidden}", "ln_i8", rows,
                             hidden))
    return out


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    cases = all_cases()
    with open(os.path.join(out_dir, "cases.mlir"), "w") as f:
        f.write("// Generated by test/GPU/cases.py.\n")
        for _, text in cases:
            f.write(text + "\n")
    with open(os.path.join(out_dir, "spec.json"), "w") as f:
        json.dump([c.spec() for c, _ in cases], f, indent=1)
    ctype = {"f32": "float", "f16": "uint16_t", "bf16": "uint16_t",
             "f8E4M3FN": "uint8_t", "i8": "int8_t"}
    with open(os.path.join(out_dir, "shim.c"), "w") as f:
        f.write('#include "cases.h"\n\n')
        for c, _ in cases:
            args, z = [], 0
            for i, (_, shape, d) in enumerate(c.inputs):
                args.append(f"(const {ctype[d]} *)p[{i}]")
                if c.dynamic(shape):
                    args.append(f"z[{z}]")
                    z += 1
            for j, (_, _, d) in enumerate(c.outputs):
                args.append(f"({ctype[d]} *)p[{len(c.inputs) + j}]")
            f.write(f"norm_status case_{c.name}(void **p, const int64_t *z, "
                    f"void *stream) {{\n  (void)z;\n"
                    f"  return {c.name}({', '.join(args)}, stream);\n}}\n")


if __name__ == "__main__":
    main()
