#!/usr/bin/env python3
"""Writes layer_norm.torch.mlir: PyTorch's F.layer_norm over the last axis
of a 4096x768 f32 tensor with weight and bias, imported by torch-mlir's FX
importer to linalg on tensors, exactly as torch-mlir emits it (several
linalg ops, which IREE compiles into two or three dispatches). Committed so
that the sample needs neither torch nor torch-mlir. To regenerate:

    build/torch-venv/bin/python examples/iree/generate.py
"""

import os

import torch
import torch.nn.functional as F
from torch_mlir import fx

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS, HIDDEN, EPS = 4096, 768, 1e-5


class LayerNorm(torch.nn.Module):
    def forward(self, x, w, b):
        return F.layer_norm(x, (HIDDEN,), w, b, EPS)


def main():
    args = (torch.randn(ROWS, HIDDEN), torch.randn(HIDDEN), torch.randn(HIDDEN))
    m = fx.export_and_import(LayerNorm(), *args,
                             output_type="linalg-on-tensors",
                             func_name="layer_norm")
    with open(os.path.join(HERE, "layer_norm.torch.mlir"), "w") as f:
        f.write(str(m))


if __name__ == "__main__":
    main()
