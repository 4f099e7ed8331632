#!/usr/bin/env python3
"""Checks that norm-compile's manifest, C header and object agree: every
kernel of the manifest is the only exported symbol of its name in the
object, its descriptor entry point is declared in the header, and the plain
C function's parameters are exactly the ones the manifest's inputs, size
arguments and outputs imply. For CUDA kernels (--target=cuda) the symbol is
the module of device images (data), the header declares it, the C function
ends with the stream, and it launches the manifest's kernels.
Usage: check_manifest.py M.json H.h O.o llvm-nm"""

import json
import re
import subprocess
import sys

C_TYPES = {"f32": "float", "f16": "uint16_t", "bf16": "uint16_t",
           "i8": "int8_t", "f8E4M3FN": "uint8_t"}


def main(manifest_path, header_path, object_path, nm):
    manifest = json.load(open(manifest_path))
    header = open(header_path).read()
    nm_out = subprocess.run([nm, "--defined-only", "--extern-only",
                             object_path], capture_output=True, text=True,
                            check=True).stdout
    cuda = manifest["target"]["triple"].startswith("nvptx")
    kind = "D" if cuda else "T"
    exported = {line.split()[-1] for line in nm_out.splitlines()
                if len(line.split()) >= 3 and line.split()[-2] == kind}
    symbols = {k["symbol"] for k in manifest["kernels"]}
    errors = []
    if exported != symbols:
        errors.append(f"object exports {sorted(exported)}, manifest names "
                      f"{sorted(symbols)}")
    for k in manifest["kernels"]:
        declared = (r"\bextern norm_cuda_module " + re.escape(k["symbol"]) +
                    ";") if cuda else (r"\bvoid " + re.escape(k["symbol"]) +
                                       r"\(")
        if not re.search(declared, header):
            errors.append(f"{k['symbol']} is not declared in the header")
        params = []
        for t in k["inputs"]:
            params.append(f"const {C_TYPES[t['dtype']]} *{t['name']}")
            params += [f"int64_t {s}" for s in t["size_args"]]
        for t in k["outputs"]:
            params.append(f"{C_TYPES[t['dtype']]} *{t['name']}")
        if cuda:
            params.append("void *stream")
            launch = k["launch"]
            for kernel, block in ((launch["vector_kernel"],
                                   launch["vector_block"]),
                                  (launch["scalar_kernel"], launch["block"])):
                if not kernel:
                    continue
                # norm_cuda_launch(&module, "kernel", grid, bx, by, ...)
                m = re.search(r'"%s", (.*?), (\d+)u, (\d+)u, stream' %
                              re.escape(kernel), header)
                if not m:
                    errors.append(f"the header does not launch {kernel}")
                elif [int(m.group(2)), int(m.group(3))] != block[:2]:
                    errors.append(f"{kernel}: the header launches blocks of "
                                  f"{m.group(2)}x{m.group(3)}, the manifest "
                                  f"says {block}")
        want = (f"static inline norm_status {k['c_function']}("
                + ", ".join(params) + ")")
        if want not in header:
            errors.append(f"header lacks '{want}'")
        for t in k["inputs"] + k["outputs"]:
            if len(t["shape"]) == 0 and t["size_args"]:
                errors.append(f"{k['name']}.{t['name']}: sizes of a scalar")
    if errors:
        print("\n".join(errors))
        sys.exit(1)
    print(f"manifest, header and object agree: {len(symbols)} kernels")


if __name__ == "__main__":
    main(*sys.argv[1:5])
