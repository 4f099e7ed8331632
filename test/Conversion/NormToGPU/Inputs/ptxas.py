#!/usr/bin/env python3
"""Checks the PTX in the gpu.binary ops of an MLIR file (the output of
norm-lower-to-gpu with format=ptx): assembles each with the CUDA toolkit's
ptxas for its chip and prints, per kernel, its registers, stack frame and
spills. Exits non-zero if ptxas fails or a PTX declares an external function.

    ptxas.py IN.mlir [--dump OUT.ptx] [--summary] [--max-spill BYTES]

A kernel counts as spilling when it stores more than BYTES (default 0) to
local memory.
"""

import os
import re
import subprocess
import sys
import tempfile

OBJECT = re.compile(
    r'#gpu\.object<#nvvm\.target<([^>]*)>, (?:properties = \{[^}]*\}, )?'
    r'(?:assembly = )?"((?:[^"\\]|\\.)*)"', re.S)


def unescape(text):
    out = re.sub(r"\\([0-9A-Fa-f]{2})",
                 lambda m: chr(int(m.group(1), 16)), text)
    return out.replace("\\\\", "\\")


def main():
    path = sys.argv[1]
    dump = sys.argv[sys.argv.index("--dump") + 1] if "--dump" in sys.argv \
        else None
    summary = "--summary" in sys.argv
    max_spill = int(sys.argv[sys.argv.index("--max-spill") + 1]) \
        if "--max-spill" in sys.argv else 0
    ptxas = os.path.join(os.environ.get("CUDA_ROOT") or "/usr/local/cuda",
                         "bin", "ptxas")
    text = open(path).read()
    objects = OBJECT.findall(text)
    if not objects:
        sys.exit("no PTX object in " + path)
    dumped, kernels, spilling, failed = [], 0, 0, 0
    for target, escaped in objects:
        chip = re.search(r'chip = "([^"]+)"', target).group(1)
        ptx = unescape(escaped)
        dumped.append(ptx)
        if ".extern .func" in ptx:
            print(f"{chip}: unresolved .extern .func")
            failed += 1
        with tempfile.NamedTemporaryFile("w", suffix=".ptx") as f:
            f.write(ptx)
            f.flush()
            r = subprocess.run([ptxas, "-v", f"-arch={chip}", f.name, "-o",
                                os.devnull], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"{chip}: ptxas failed: {r.stderr.strip()}")
            failed += 1
            continue
        name = None
        for line in r.stderr.splitlines():
            m = re.search(r"Compiling entry function '([^']+)'", line)
            if m:
                name = m.group(1)
            m = re.search(r"(\d+) bytes stack frame, (\d+) bytes spill "
                          r"stores, (\d+) bytes spill loads", line)
            if m:
                stack, stores, loads = map(int, m.groups())
                kernels += 1
                if stores > max_spill or loads > max_spill:
                    spilling += 1
                    if summary:
                        print(f"{chip} {name} spills {stores} bytes")
                if not summary:
                    print(f"{chip} {name} stack={stack} spill_stores={stores} "
                          f"spill_loads={loads}")
    if dump:
        with open(dump, "w") as f:
            f.write("\n".join(dumped))
    print(f"{len(objects)} PTX objects, {kernels} kernels assembled, "
          f"{spilling} spilling, {failed} failures")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
