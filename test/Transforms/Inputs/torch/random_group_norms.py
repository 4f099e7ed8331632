#!/usr/bin/env python3
"""A random sweep of F.group_norm as torch-mlir imports it (not part of
`make check`: it needs torch and torch-mlir, see generate.py): draws the
batch, the groups, the channels per group, one to three spatial dims, a
dtype, with or without weights and a SiLU after, exports the module to
linalg, runs it and its --norm-raise --norm-fuse-elementwise form through
norm-run on the same random inputs (--expect), and reports the cases that
differ or were not raised.

    build/torch-venv/bin/python test/Transforms/Inputs/torch/random_group_norms.py \\
        --bin build/bin --seed 1 --cases 30 DIR
"""

import argparse
import os
import random
import subprocess

import torch
import torch.nn.functional as F
from torch_mlir import fx

DTYPES = {torch.float32: "f32", torch.bfloat16: "bf16", torch.float16: "f16"}


class GroupNorm(torch.nn.Module):
    def __init__(self, groups, affine, silu):
        super().__init__()
        self.groups, self.affine, self.silu = groups, affine, silu

    def forward(self, x, w, b):
        y = F.group_norm(x, self.groups, w if self.affine else None,
                         b if self.affine else None, 1e-5)
        return F.silu(y) if self.silu else y


def run(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir")
    parser.add_argument("--bin", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=30)
    a = parser.parse_args()
    rng = random.Random(a.seed)
    ok = raised = exported = 0
    for case in range(a.cases):
        n, groups = rng.choice([1, 2, 3]), rng.choice([1, 2, 4, 8])
        c = groups * rng.choice([1, 2, 3])
        spatial = [rng.choice([1, 3, 4, 5]) for _ in range(rng.randint(1, 3))]
        dtype = rng.choice(list(DTYPES))
        affine, silu = rng.random() < 0.7, rng.random() < 0.5
        args = (torch.randn(n, c, *spatial).to(dtype),
                torch.randn(c).to(dtype), torch.randn(c).to(dtype))
        try:
            module = fx.export_and_import(
                GroupNorm(groups, affine, silu), *args,
                output_type="linalg-on-tensors", func_name="f")
        except Exception as e:  # torch rejects some shapes (1 per channel)
            print(f"case {case}: not exported: {str(e)[:100]}")
            continue
        exported += 1
        base = os.path.join(a.workdir, f"case{case}")
        os.makedirs(base, exist_ok=True)
        with open(f"{base}/in.mlir", "w") as f:
            f.write(str(module))
        d = DTYPES[dtype]
        shape = "x".join(map(str, [n, c] + spatial))
        ins = f"--input={shape}x{d}=random --input={c}x{d}=random " \
              f"--input={c}x{d}=random"
        steps = [
            f"{a.bin}/norm-run {base}/in.mlir {ins} --output=@{base}/y.npy",
            f"{a.bin}/norm-opt {base}/in.mlir --norm-raise "
            f"--norm-fuse-elementwise -o {base}/raised.mlir",
            f"{a.bin}/norm-run {base}/raised.mlir {ins} --expect=@{base}/y.npy",
        ]
        failed = next((s for s in steps if run(s).returncode), None)
        what = f"n={n} c={c} groups={groups} spatial={spatial} {d} " \
               f"affine={affine} silu={silu}"
        if failed:
            print(f"case {case} FAILED ({what}): {failed}")
            continue
        ok += 1
        with open(f"{base}/raised.mlir") as f:
            if "norm.group_norm" in f.read():
                raised += 1
            else:
                print(f"case {case}: not raised ({what})")
    print(f"group norms: {ok} of {exported} match, {raised} raised")


if __name__ == "__main__":
    main()
