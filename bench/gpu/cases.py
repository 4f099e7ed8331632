#!/usr/bin/env python3
"""The GPU benchmark's kernels: writes bench.mlir (LayerNorm and RMSNorm,
bf16 and f32, rows x hidden with about 1 GiB of input; BatchNorm NCHW; the
batch-size-1 rows), spec.json and shim.c, like test/GPU/cases.py.

    cases.py OUT_DIR
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "test", "GPU"))
import cases as gc  # noqa: E402

HIDDEN = [256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072,
          262144]
BYTES = {"f32": 4, "bf16": 2}


def all_cases():
    out = []
    for dt in ("bf16", "f32"):
        for h in HIDDEN:
            rows = (1 << 30) // (h * BYTES[dt])
            out.append(gc.layer_like(f"ln_{dt}_{h}", "layer_norm", [rows, h],
                                     dt, [1]))
            out.append(gc.layer_like(f"rms_{dt}_{h}", "rms_norm", [rows, h],
                                     dt, [1]))
        # Long rows without gamma and beta: what reading the weights once
        # per row (from L2: a block meets a new slice of them every row)
        # costs next to the same rows with them.
        for h in HIDDEN[7:]:
            rows = (1 << 30) // (h * BYTES[dt])
            out.append(gc.layer_like(f"lnx_{dt}_{h}", "layer_norm",
                                     [rows, h], dt, [1], gamma=False,
                                     beta=False))
        for h in (4096, 8192):
            out.append(gc.layer_like(f"ln1_{dt}_{h}", "layer_norm", [1, h],
                                     dt, [1]))
            out.append(gc.layer_like(f"rms1_{dt}_{h}", "rms_norm", [1, h],
                                     dt, [1]))
        out.append(gc.channel_op(f"bn_{dt}", "batch_norm_inference",
                                 [64, 256, 56, 56], dt, 1))
        out.append(gc.channel_op(f"bnt_{dt}", "batch_norm",
                                 [64, 256, 56, 56], dt, 1))
    return out


def main():
    gc.all_cases = all_cases
    gc.main()


if __name__ == "__main__":
    main()
