#!/usr/bin/env python3
"""Writes the torch-mlir inputs of the --norm-raise tests: small PyTorch
modules exported with torch-mlir's FX importer to linalg on tensors, exactly
as torch-mlir emits them. The .mlir files are committed so that the tests need
neither torch nor torch-mlir. To regenerate (PyPI's torch and torch-mlir):

    python3 -m venv build/torch-venv
    build/torch-venv/bin/pip install torch torch-mlir
    build/torch-venv/bin/python test/Transforms/Inputs/torch/generate.py
"""

import os

import torch
import torch.nn.functional as F
from torch_mlir import fx

HERE = os.path.dirname(os.path.abspath(__file__))
EPS = 1e-5


class PreNormBlock(torch.nn.Module):
    """Pre-norm transformer block: residual add, LayerNorm, bias, GELU."""

    def forward(self, x, r, w, b, bias):
        h = x + r
        return F.gelu(F.layer_norm(h, (x.shape[-1],), w, b, EPS) + bias), h


class LlamaRMSNorm(torch.nn.Module):
    """LLaMA's RMSNorm after a residual add, as Hugging Face writes it."""

    def forward(self, x, r, w):
        h = x + r
        v = h.pow(2).mean(-1, keepdim=True)
        return h * torch.rsqrt(v + 1e-6) * w, h


class TorchRMSNorm(torch.nn.Module):
    """torch.nn.RMSNorm's F.rms_norm (PyTorch's own decomposition)."""

    def forward(self, x, w):
        return F.rms_norm(x, (x.shape[-1],), w, 1e-6)


class InstanceNorm(torch.nn.Module):
    """F.instance_norm with weights: PyTorch views [N, C, H, W] as
    [1, N*C, H, W], normalizes per channel, repeats the weights N times."""

    def forward(self, x, w, b):
        return F.instance_norm(x, weight=w, bias=b, eps=EPS)


class DiTModulate(torch.nn.Module):
    """DiT's adaLN: LayerNorm without weights, then a per-example scale and
    shift (computed after the LayerNorm in the imported program)."""

    def forward(self, x, shift, scale):
        y = F.layer_norm(x, (x.shape[-1],), None, None, 1e-6)
        return y * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


class L2Normalize(torch.nn.Module):
    """F.normalize (p=2) over the last axis and over the channels of NCHW."""

    def forward(self, x, y):
        return F.normalize(x, dim=-1), F.normalize(y, dim=1)


class NearMissL2(torch.nn.Module):
    """Not F.normalize: epsilon added to the norm instead of a floor."""

    def forward(self, x):
        return x / (x.norm(dim=-1, keepdim=True) + 1e-12)


class ConvNeXtLayerNorm(torch.nn.Module):
    """ConvNeXt's channels-first LayerNorm (over C of NCHW), then GELU."""

    def forward(self, x, w, b):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        y = (x - u) / torch.sqrt(s + EPS)
        return F.gelu(w[:, None, None] * y + b[:, None, None])


class LayerNorm2d(torch.nn.Module):
    """timm's LayerNorm2d: NCHW permuted to NHWC, F.layer_norm over C,
    permuted back; then GELU."""

    def forward(self, x, w, b):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, (x.shape[-1],), w, b, 1e-6)
        return F.gelu(x.permute(0, 3, 1, 2))


class GroupNormSiLU(torch.nn.Module):
    """Diffusion U-Net: GroupNorm (4 groups) and SiLU."""

    def forward(self, x, w, b):
        return F.silu(F.group_norm(x, 4, w, b, EPS))


class GroupNormPerChannel(torch.nn.Module):
    """GroupNorm with one channel per group (8 groups of 8 channels)."""

    def forward(self, x, w, b):
        return F.group_norm(x, 8, w, b, EPS)


class GroupNormPlain(torch.nn.Module):
    """GroupNorm without weights (affine=False)."""

    def forward(self, x):
        return F.group_norm(x, 4, None, None, EPS)


class GroupNormRows(torch.nn.Module):
    """RWKV's ln_x: GroupNorm over [B*T, C], one group per head (no
    spatial axes)."""

    def forward(self, x, w, b):
        return F.group_norm(x, 4, w, b, 64e-5)


class GPTBlock(torch.nn.Module):
    """A GPT-2 style block: LayerNorm, attention (the projection split with
    slices, softmax), residual, LayerNorm, MLP with GELU, residual."""

    def __init__(self, d, heads):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        self.qkv, self.proj = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
        self.fc1, self.fc2 = (torch.nn.Linear(d, 4 * d),
                              torch.nn.Linear(4 * d, d))
        self.heads = heads

    def forward(self, x):
        b, t, c = x.shape
        h, e = self.heads, c // self.heads
        q, k, v = (y.view(b, t, h, e).transpose(1, 2)
                   for y in self.qkv(self.ln1(x)).split(c, dim=2))
        a = F.softmax(q @ k.transpose(-2, -1) / e ** 0.5, dim=-1) @ v
        x = x + self.proj(a.transpose(1, 2).reshape(b, t, c))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class GroupNormChannelsLast(torch.nn.Module):
    """The same on a channels-last tensor, through permutes."""

    def forward(self, x, w, b):
        y = F.group_norm(x.permute(0, 3, 1, 2), 4, w, b, EPS)
        return F.silu(y.permute(0, 2, 3, 1))


class UNetResBlock(torch.nn.Module):
    """A diffusion U-Net resnet block without the time embedding: GroupNorm,
    SiLU, 3x3 convolution, twice, and the skip add (weights as constants)."""

    def __init__(self, c):
        super().__init__()
        self.norm1 = torch.nn.GroupNorm(4, c)
        self.conv1 = torch.nn.Conv2d(c, c, 3, padding=1)
        self.norm2 = torch.nn.GroupNorm(4, c)
        self.conv2 = torch.nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return x + h


class ResNetTail(torch.nn.Module):
    """ResNet basic block tail in eval mode: BatchNorm, skip add, ReLU."""

    def forward(self, x, skip, mean, var, w, b):
        y = F.batch_norm(x, mean, var, w, b, training=False, eps=EPS)
        return F.relu(y + skip)


class NearMissSqrtEps(torch.nn.Module):
    """Not the usual LayerNorm: epsilon added after the square root (a
    LayerNorm with epsilon_placement std)."""

    def forward(self, x):
        u = x.mean(-1, keepdim=True)
        s = (x - u).pow(2).mean(-1, keepdim=True)
        return (x - u) / (torch.sqrt(s) + EPS)


class NearMissUnbiased(torch.nn.Module):
    """Not the usual LayerNorm: the unbiased variance (divides by n - 1; a
    LayerNorm with variance_estimator unbiased)."""

    def forward(self, x):
        u = x.mean(-1, keepdim=True)
        return (x - u) * torch.rsqrt(x.var(-1, keepdim=True) + EPS)


class ManualInstanceNorm(torch.nn.Module):
    """Instance statistics written out with mean over (H, W), for dynamic
    sizes: the count is a product of run-time sizes."""

    def forward(self, x):
        m = x.mean(dim=(2, 3), keepdim=True)
        v = ((x - m) ** 2).mean(dim=(2, 3), keepdim=True)
        return (x - m) * torch.rsqrt(v + EPS)


def export(name, module, *args, dynamic_shapes=None):
    m = fx.export_and_import(module, *args, output_type="linalg-on-tensors",
                             func_name=name, dynamic_shapes=dynamic_shapes)
    text = str(m)
    with open(os.path.join(HERE, name + ".mlir"), "w") as f:
        f.write(f"// Generated by generate.py from {type(module).__name__} "
                f"with torch {torch.__version__} and torch-mlir's FX importer "
                "(linalg-on-tensors).\n// Do not edit; rerun the script.\n")
        f.write(text)


class AnnotatedLayerNorm(torch.nn.Module):
    """The Annotated Transformer's (and BERT-pytorch's) LayerNorm: the
    unbiased std, epsilon added to it, and the weight applied before the
    division: a LayerNorm with variance_estimator unbiased and
    epsilon_placement std, its weights fused."""

    def forward(self, x, a, b):
        mean, std = x.mean(-1, keepdim=True), x.std(-1, keepdim=True)
        return a * (x - mean) / (std + 1e-6) + b


def main():
    torch.manual_seed(0)
    d = 64
    x, r = torch.randn(4, d), torch.randn(4, d)
    w, b, bias = torch.randn(d), torch.randn(d), torch.randn(d)
    export("prenorm_block", PreNormBlock(), x, r, w, b, bias)
    export("prenorm_block_bf16", PreNormBlock(), x.bfloat16(), r.bfloat16(),
           w.bfloat16(), b.bfloat16(), bias.bfloat16())
    export("llama_rms_norm", LlamaRMSNorm(), x, r, w)
    export("torch_rms_norm", TorchRMSNorm(), x, w)
    export("instance_norm", InstanceNorm(), torch.randn(2, 8, 5, 5),
           torch.randn(8), torch.randn(8))
    export("convnext_layer_norm", ConvNeXtLayerNorm(),
           torch.randn(2, 16, 5, 5), torch.randn(16), torch.randn(16))
    export("timm_layer_norm_2d", LayerNorm2d(),
           torch.randn(2, 16, 5, 5), torch.randn(16), torch.randn(16))
    x4, w16, b16 = torch.randn(2, 16, 5, 5), torch.randn(16), torch.randn(16)
    export("group_norm", GroupNormSiLU(), x4, w16, b16)
    export("group_norm_bf16", GroupNormSiLU(), x4.bfloat16(), w16.bfloat16(),
           b16.bfloat16())
    export("group_norm_plain", GroupNormPlain(), x4)
    # Batch 1 (unit loops, read either as d0 or as 0) and one channel per
    # group.
    export("group_norm_batch1", GroupNormSiLU(), x4[:1], w16, b16)
    export("group_norm_per_channel", GroupNormPerChannel(),
           torch.randn(1, 8, 3, 5), torch.randn(8), torch.randn(8))
    export("group_norm_nhwc", GroupNormChannelsLast(),
           x4.permute(0, 2, 3, 1).contiguous(), w16, b16)
    block = UNetResBlock(8).eval()
    with torch.no_grad():  # weights that are not all near zero
        for norm in (block.norm1, block.norm2):
            norm.weight.normal_()
            norm.bias.normal_()
    export("unet_resblock", block, torch.randn(2, 8, 5, 5))
    export("resnet_tail", ResNetTail().eval(), torch.randn(2, 8, 3, 3),
           torch.randn(2, 8, 3, 3), torch.randn(8), torch.rand(8) + 0.5,
           torch.randn(8), torch.randn(8))
    bf = torch.bfloat16
    export("resnet_tail_bf16", ResNetTail().eval(),
           torch.randn(2, 8, 3, 3).to(bf), torch.randn(2, 8, 3, 3).to(bf),
           torch.randn(8).to(bf), (torch.rand(8) + 0.5).to(bf),
           torch.randn(8).to(bf), torch.randn(8).to(bf))
    export("near_miss_sqrt_eps", NearMissSqrtEps(), x)
    export("near_miss_unbiased", NearMissUnbiased(), x)
    export("dit_modulate", DiTModulate(), torch.randn(2, 8, 64),
           torch.randn(2, 64), torch.randn(2, 64))
    export("instance_norm_plain", torch.nn.InstanceNorm2d(8).eval(),
           torch.randn(2, 8, 5, 5))
    export("l2_normalize", L2Normalize(), torch.randn(4, 64),
           torch.randn(2, 8, 5, 5))
    export("near_miss_l2", NearMissL2(), torch.randn(4, 64))
    dim = torch.export.Dim
    batch, seq = dim("B"), dim("S")
    export("llama_rms_norm_dynamic", LlamaRMSNorm(), torch.randn(2, 8, 64),
           torch.randn(2, 8, 64), torch.randn(64),
           dynamic_shapes=({0: batch, 1: seq}, {0: batch, 1: seq}, None))
    export("timm_layer_norm_2d_dynamic", LayerNorm2d(),
           torch.randn(2, 16, 5, 5), torch.randn(16), torch.randn(16),
           dynamic_shapes=({0: batch, 2: dim("H", min=2),
                            3: dim("W", min=2)}, None, None))
    export("instance_norm_plain_dynamic", torch.nn.InstanceNorm2d(8).eval(),
           torch.randn(2, 8, 5, 5),
           dynamic_shapes=({0: batch, 2: dim("H", min=2),
                            3: dim("W", min=2)},))
    export("manual_instance_norm_dynamic", ManualInstanceNorm(),
           torch.randn(2, 8, 5, 5),
           dynamic_shapes=({0: dim("N"), 2: dim("H", min=2),
                            3: dim("W", min=2)},))
    export("group_norm_rows", GroupNormRows(), torch.randn(6, 16),
           torch.randn(16), torch.randn(16))
    export("gpt_block", GPTBlock(16, 2).eval(), torch.randn(2, 4, 16))
    export("annotated_layer_norm", AnnotatedLayerNorm(), torch.randn(4, 64),
           torch.randn(64), torch.randn(64))


if __name__ == "__main__":
    main()
