#!/usr/bin/env python3
"""Randomized test of the ahead-of-time path: draws the random sweep's ops
(test/Execution/CPU/random/random_norms.py: every op, rank, layout, dtype,
convention attribute, fusion, dynamic dims), compiles each with
norm-compile --embedded into an object and a C header, links it into a C
program generated from the header's plain function (pointers and sizes),
runs it on the inputs norm-run ran, and checks that every result has the
same bits as norm-run's JIT (the same kernels, on the calling thread
instead of the team: the bits may not depend on it) and that the header's
checks accepted the call. With --tile-entry, the program also computes the
results in two calls of the function's `_rows` entry (the first half of
the statistics slots, then the rest), whose bits must be the whole
call's.

    random_aot.py --norm-run build/bin/norm-run \\
        --norm-compile build/bin/norm-compile --cc clang \\
        --runtime-include runtime/include --seed 1 --cases 20 DIR
"""

import argparse
import os
import random
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "Execution", "CPU", "random"))
from random_norms import draw_case  # noqa: E402

NPY_DESCR = {"f32": "<f4", "f16": "<f2", "bf16": "<u2"}
C_TYPE = {"f32": "float", "f16": "uint16_t", "bf16": "uint16_t"}
SIZE = {"f32": 4, "f16": 2, "bf16": 2}


def parse_spec(spec):
    """'4x8xbf16=random(0.5,2)+nan' -> shape, dtype, low, high, one NaN."""
    ty, value = spec.split("=", 1)
    parts = ty.split("x")
    shape, dtype = [int(d) for d in parts[:-1]], parts[-1]
    nan = value.endswith("+nan")
    value = value[:-4] if nan else value
    low, high = -1.0, 1.0
    if value.startswith("random("):
        low, high = (float(v) for v in value[7:-1].split(","))
    return shape, dtype, low, high, nan


def bf16_bits(x):
    """Round to nearest even f32 -> bf16 bits."""
    u = struct.unpack("<I", struct.pack("<f", x))[0]
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) & 0xFFFF


def element_bytes(values, dtype):
    if dtype == "f32":
        return struct.pack(f"<{len(values)}f", *values)
    if dtype == "f16":
        return struct.pack(f"<{len(values)}e", *values)
    return struct.pack(f"<{len(values)}H", *[bf16_bits(v) for v in values])


def write_npy(path, descr, shape, raw):
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}"
    pad = 64 - (10 + len(header) + 1) % 64
    header += " " * pad + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode() + raw)


def read_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    length = struct.unpack("<H", data[8:10])[0]
    header = data[10:10 + length].decode()
    descr = re.search(r"'descr': '([^']+)'", header).group(1)
    shape = [int(d) for d in
             re.search(r"'shape': \(([^)]*)\)", header).group(1).split(",")
             if d.strip()]
    return descr, shape, data[10 + length:]


def as_f32_bits(raw, dtype):
    """A result's bytes as norm-run writes them (bf16 widened to f32)."""
    if dtype != "bf16":
        return raw
    halves = struct.unpack(f"<{len(raw) // 2}H", raw)
    return struct.pack(f"<{len(halves)}I", *[h << 16 for h in halves])


def same_bits(a, b, width):
    """Equal, NaN matching any NaN of the same width."""
    if a == b:
        return True
    if len(a) != len(b):
        return False
    fmt = {4: "f", 2: "e"}[width]
    xs = struct.unpack(f"<{len(a) // width}{fmt}", a)
    ys = struct.unpack(f"<{len(b) // width}{fmt}", b)
    return all(x == y or (x != x and y != y) for x, y in zip(xs, ys))


def plain_signature(header, name):
    m = re.search(rf"static inline norm_status {name}\(([^)]*)\)", header)
    return [p.strip() for p in m.group(1).split(",")]


def c_program(name, params, inputs, results, rows):
    """A C main calling the plain function (and, with `rows`, its _rows
    entry in two calls): inputs from in<k>.bin, results to out<k>.bin."""
    lines = ['#include "k.h"', "#include <stdio.h>", "#include <stdlib.h>",
             "#include <string.h>",
             "static void *load(const char *p, size_t n) {",
             "  void *b = malloc(n ? n : 1); FILE *f = fopen(p, \"rb\");",
             "  if (n && fread(b, 1, n, f) != n) exit(3);",
             "  fclose(f); return b; }",
             "static void save(const char *p, const void *b, size_t n) {",
             "  FILE *f = fopen(p, \"wb\"); fwrite(b, 1, n, f); fclose(f); }",
             "int main(void) {"]
    args = []
    for p in params:
        pname = p.split()[-1].lstrip("*")
        if pname.startswith("arg") and "_d" in pname:
            # A variable of the header's name: the row count's expression
            # reads it.
            k, d = pname[3:].split("_d")
            lines.append(f"  int64_t {pname} = {inputs[int(k)][0][int(d)]};")
            args.append(pname)
        elif pname.startswith("arg"):
            k = int(pname[3:])
            shape, dtype = inputs[k]
            n = SIZE[dtype]
            for d in shape:
                n *= d
            lines.append(f"  void *{pname} = load(\"in{k}.bin\", {n});")
            args.append(pname)
        elif pname in ("row_begin", "row_end"):
            continue
        elif pname.startswith("result"):
            k = int(pname[6:])
            nbytes = results[k][1]
            # Poisoned: an element the kernel does not write stays 0xFF.
            lines.append(f"  void *{pname} = malloc({nbytes} + 1);"
                         f" memset({pname}, 0xFF, {nbytes} + 1);")
            args.append(pname)
        else:
            return None
    lines.append(f"  norm_status s = {name}({', '.join(args)});")
    lines.append("  if (s != NORM_OK) { printf(\"status %d\\n\", s); return 1; }")
    for k, (_, nbytes) in enumerate(results):
        lines.append(f"  save(\"out{k}.bin\", result{k}, {nbytes});")
    if rows is not None:
        # The same results in two calls of the _rows entry: the first half
        # of the rows (statistics slots), then the rest.
        for k, (_, nbytes) in enumerate(results):
            lines.append(f"  memset(result{k}, 0xFF, {nbytes});")
        lines.append(f"  int64_t total = ({rows}), half = total / 2;")
        for lo, hi in (("0", "half"), ("half", "total")):
            lines.append(f"  s = {name}_rows({', '.join(args)}, {lo}, {hi});")
            lines.append("  if (s != NORM_OK) { printf(\"rows status %d\\n\","
                         " s); return 1; }")
        for k, (_, nbytes) in enumerate(results):
            lines.append(f"  save(\"rows{k}.bin\", result{k}, {nbytes});")
    # Freed, so that a sanitized build's leak check passes.
    for p in params:
        pname = p.split()[-1].lstrip("*")
        if "*" in p:
            lines.append(f"  free((void *){pname});")
    lines.append("  printf(\"ok\\n\"); return 0; }")
    return "\n".join(lines) + "\n"


def run(cmd, cwd=None):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                          cwd=cwd)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir")
    parser.add_argument("--norm-run", required=True)
    parser.add_argument("--norm-compile", required=True)
    parser.add_argument("--cc", required=True)
    parser.add_argument("--runtime-include", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--tile-entry", action="store_true")
    a = parser.parse_args()
    passed = 0
    for case in range(a.cases):
        rng = random.Random(a.seed * 100003 + case)
        text, specs, streamed = draw_case(rng)
        # "case" is a C keyword, which norm-compile refuses as a name.
        text = text.replace("func.func @case(", "func.func @kernel(")
        d = os.path.abspath(os.path.join(a.workdir, f"case{a.seed}-{case}"))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "case.mlir"), "w") as f:
            f.write(text)
        data = random.Random(case)
        inputs = []
        for k, spec in enumerate(specs):
            shape, dtype, low, high, nan = parse_spec(spec)
            n = 1
            for s in shape:
                n *= s
            values = [data.uniform(low, high) for _ in range(n)]
            if nan and n:
                values[data.randrange(n)] = float("nan")
            raw = element_bytes(values, dtype)
            write_npy(os.path.join(d, f"in{k}.npy"), NPY_DESCR[dtype], shape,
                      raw)
            with open(os.path.join(d, f"in{k}.bin"), "wb") as f:
                f.write(raw)
            inputs.append((shape, dtype))
        rtypes = re.search(r"\) -> \((.*)\) \{", text).group(1)
        rdtypes = [re.search(r"((?:bf|f)[0-9]+)>$", t).group(1) for t in
                   re.findall(r"tensor<[^>]*>", rtypes)]
        flags = " --streaming-threshold=0" if streamed else ""
        ins = " ".join(f"--input=@in{k}.npy" for k in range(len(specs)))
        outs = " ".join(f"--output=@jit{k}.npy" for k in range(len(rdtypes)))
        failure = None
        r = run(f"{a.norm_run} case.mlir {ins} {outs}{flags}", d)
        if r.returncode:
            failure = "norm-run: " + r.stderr[-400:]
        rows_entry = a.tile_entry
        # The JIT's CPU (NORM_TARGET_CPU, as make check-vector-paths sets
        # it) for the object too: the same vector code, the same bits.
        if os.environ.get("NORM_TARGET_CPU"):
            flags += f" --target-cpu={os.environ['NORM_TARGET_CPU']}"
        if not failure:
            tile = " --tile-entry" if a.tile_entry else ""
            r = run(f"{a.norm_compile} case.mlir --embedded{tile}{flags} "
                    f"-o k.o --header k.h", d)
            if r.returncode and a.tile_entry and "--tile-entry" in r.stderr:
                # An op the row entry does not take: the plain function.
                rows_entry = False
                r = run(f"{a.norm_compile} case.mlir --embedded{flags} "
                        f"-o k.o --header k.h", d)
            if r.returncode:
                failure = "norm-compile: " + r.stderr[-400:]
        if not failure:
            results = []
            for k, dt in enumerate(rdtypes):
                _, shape, raw = read_npy(os.path.join(d, f"jit{k}.npy"))
                n = SIZE[dt]
                for s in shape:
                    n *= s
                results.append((shape, n))
            with open(os.path.join(d, "k.h")) as f:
                header = f.read()
            rows = None
            if rows_entry:
                # The row count: the C expression the header checks
                # row_end against.
                rows = re.search(r"row_end > \((.*)\)\) return", header).group(1)
            program = c_program("kernel", plain_signature(header, "kernel"),
                                inputs, results, rows)
            if program is None:
                failure = "unexpected parameter in the header"
            else:
                with open(os.path.join(d, "main.c"), "w") as f:
                    f.write(program)
                r = run(f"{a.cc} -O1 -I . -I {a.runtime_include} main.c k.o "
                        f"-lm -o main && ./main", d)
                if r.returncode or "ok" not in r.stdout:
                    failure = "program: " + (r.stdout + r.stderr)[-400:]
        if not failure:
            for k, dt in enumerate(rdtypes):
                _, _, jit = read_npy(os.path.join(d, f"jit{k}.npy"))
                width = 2 if dt == "f16" else 4
                with open(os.path.join(d, f"out{k}.bin"), "rb") as f:
                    out = as_f32_bits(f.read(), dt)
                # With a row entry the whole call takes its row kernel (not
                # a channels-last group norm's channel-groups kernel, which
                # rounds otherwise): its bits are the row entry's, checked
                # against the JIT only without one.
                if rows:
                    with open(os.path.join(d, f"rows{k}.bin"), "rb") as f:
                        if not same_bits(as_f32_bits(f.read(), dt), out,
                                         width):
                            failure = (f"result {k}: the row entry's bits "
                                       "differ from the whole call's")
                elif not same_bits(out, jit, width):
                    failure = f"result {k} differs from the JIT's bits"
                if failure:
                    break
        if failure:
            print(f"FAILED case {case} in {d}: {failure}")
        else:
            passed += 1
    print(f"aot cases: {passed} of {a.cases} passed")
    return 0 if passed == a.cases else 1


if __name__ == "__main__":
    sys.exit(main())
