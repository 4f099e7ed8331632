#!/usr/bin/env python3
"""A sweep of normalizations as published models write them (not part of
`make check`: it needs torch and torch-mlir, see generate.py): each module
is exported to linalg with torch-mlir's FX importer, raised with
--norm-raise --norm-fuse-elementwise, and both forms run through norm-run
on the same random inputs (--expect, and --check against float64). It
prints, per model, the norm ops raised, the linalg ops left after fusion
and whether the two forms agree; near misses are expected to stay
unraised (docs/fusion.md: only the exact formula or its exact variant is
raised).

    build/torch-venv/bin/python test/Transforms/Inputs/torch/model_norms.py \\
        --bin build/bin DIR
"""

import argparse
import os
import subprocess

import torch
import torch.nn.functional as F
from torch_mlir import fx

DTYPES = {torch.float32: "f32", torch.bfloat16: "bf16", torch.float16: "f16"}


def rms(x, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


class Gemma(torch.nn.Module):
    """Gemma's RMSNorm: f32 compute, zero-centered weight (1 + w)."""

    def forward(self, x, w):
        return (rms(x.float(), 1e-6) * (1.0 + w.float())).type_as(x)


class T5(torch.nn.Module):
    """T5LayerNorm: the variance in f32, the weight in bf16."""

    def forward(self, h, w):
        v = h.to(torch.float32).pow(2).mean(-1, keepdim=True)
        return w * (h * torch.rsqrt(v + 1e-6)).to(w.dtype)


class Llama(torch.nn.Module):
    """Hugging Face LlamaRMSNorm as written (cast to f32 and back)."""

    def forward(self, h, w):
        return w * rms(h.to(torch.float32), 1e-6).to(h.dtype)


class Cohere(torch.nn.Module):
    """Cohere's LayerNorm: written out, no bias, f32 compute."""

    def forward(self, h, w):
        x = h.to(torch.float32)
        mean = x.mean(-1, keepdim=True)
        var = (x - mean).pow(2).mean(-1, keepdim=True)
        x = (x - mean) * torch.rsqrt(var + 1e-5)
        return (w.to(torch.float32) * x).to(h.dtype)


class QKNorm(torch.nn.Module):
    """Qwen3's q/k norm: RMSNorm over the head dim of [B, S, H, D]."""

    def forward(self, q, w):
        return rms(q, 1e-6) * w


class RWKV(torch.nn.Module):
    """RWKV's ln_x: GroupNorm over [B*T, C], a group per head."""

    def forward(self, x, w, b):
        return F.group_norm(x, 4, w, b, 64e-5)


class NoAffine(torch.nn.Module):
    """OLMo's LayerNorm without weights."""

    def forward(self, x):
        return F.layer_norm(x, (x.shape[-1],), None, None, 1e-5)


class NoBias(torch.nn.Module):
    """nn.LayerNorm(bias=False)."""

    def __init__(self):
        super().__init__()
        self.ln = torch.nn.LayerNorm(64, bias=False)

    def forward(self, x):
        return self.ln(x)


class BertEmbeddings(torch.nn.Module):
    """BERT's embeddings: three sums, then LayerNorm (eps 1e-12)."""

    def forward(self, a, b, c, w, bias):
        return F.layer_norm(a + b + c, (a.shape[-1],), w, bias, 1e-12)


class LayerScale(torch.nn.Module):
    """DINOv2's block tail: x + ls * norm(x)."""

    def forward(self, x, w, b, ls):
        return x + ls * F.layer_norm(x, (x.shape[-1],), w, b, 1e-6)


class BatchNorm(torch.nn.Module):
    """Inference batch norm on [N, C], [N, C, L] or [N, C, D, H, W]."""

    def forward(self, x, m, v, w, b):
        return F.relu(F.batch_norm(x, m, v, w, b, False, 0.1, 1e-5))


class InstanceNorm1d(torch.nn.Module):
    def forward(self, x, w, b):
        return F.instance_norm(x, weight=w, bias=b, eps=1e-5)


class LastTwoAxes(torch.nn.Module):
    def forward(self, x, w, b):
        return F.layer_norm(x, x.shape[-2:], w, b, 1e-5)


class PixelNorm(torch.nn.Module):
    """StyleGAN: RMSNorm over the channels of NCHW."""

    def forward(self, x):
        return x * torch.rsqrt(torch.mean(x ** 2, dim=1, keepdim=True) + 1e-8)


class AdaIN(torch.nn.Module):
    """Style transfer: instance statistics, per-example scale and shift."""

    def forward(self, x, s, t):
        m = x.mean(dim=(2, 3), keepdim=True)
        v = x.var(dim=(2, 3), keepdim=True, unbiased=False)
        return (x - m) / torch.sqrt(v + 1e-5) * s[:, :, None, None] + \
            t[:, :, None, None]


class ManualBatchStats(torch.nn.Module):
    """Batch statistics written out (a training-mode batch norm)."""

    def forward(self, x, w, b):
        m = x.mean(dim=(0, 2, 3), keepdim=True)
        v = ((x - m) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        return (x - m) * torch.rsqrt(v + 1e-5) * w[None, :, None, None] + \
            b[None, :, None, None]


class GroupNormOne(torch.nn.Module):
    """GroupNorm with one group (PoolFormer's 'LayerNorm')."""

    def forward(self, x, w, b):
        return F.group_norm(x, 1, w, b, 1e-5)


class VarMean(torch.nn.Module):
    def forward(self, x, w, b):
        var, mean = torch.var_mean(x, dim=-1, keepdim=True, unbiased=False)
        return (x - mean) / torch.sqrt(var + 1e-5) * w + b


class AnnotatedTransformer(torch.nn.Module):
    """The unbiased std with eps outside the square root, the weight applied
    before the division (raised since the twenty-second session)."""

    def forward(self, x, a, b):
        mean, std = x.mean(-1, keepdim=True), x.std(-1, keepdim=True)
        return a * (x - mean) / (std + 1e-6) + b


def r(*shape, dtype=torch.float32):
    return torch.randn(*shape).to(dtype)


def pos(*shape):
    return torch.rand(*shape) + 0.5


# name: (module, example inputs, expected to be raised)
MODELS = {
    "gemma_rms_bf16": (Gemma(), (r(4, 64, dtype=torch.bfloat16),
                                 r(64, dtype=torch.bfloat16)), True),
    "t5_bf16": (T5(), (r(4, 64, dtype=torch.bfloat16),
                       r(64, dtype=torch.bfloat16)), True),
    "llama_bf16": (Llama(), (r(4, 64, dtype=torch.bfloat16),
                             r(64, dtype=torch.bfloat16)), True),
    "llama_f16": (Llama(), (r(4, 64, dtype=torch.float16),
                            r(64, dtype=torch.float16)), True),
    "cohere_bf16": (Cohere(), (r(4, 64, dtype=torch.bfloat16),
                               r(64, dtype=torch.bfloat16)), True),
    "qk_norm": (QKNorm(), (r(2, 3, 4, 16), r(16)), True),
    "rwkv_group_norm": (RWKV(), (r(6, 32), r(32), r(32)), True),
    "olmo_no_affine": (NoAffine(), (r(4, 64),), True),
    "layer_norm_no_bias": (NoBias(), (r(4, 64),), True),
    "bert_embeddings": (BertEmbeddings(), (r(2, 5, 64), r(2, 5, 64),
                                           r(2, 5, 64), r(64), r(64)), True),
    "dinov2_layer_scale": (LayerScale(), (r(2, 5, 64), r(64), r(64), r(64)),
                           True),
    "batch_norm_1d": (BatchNorm(), (r(2, 8, 10), r(8), pos(8), r(8), r(8)),
                      True),
    "batch_norm_rows": (BatchNorm(), (r(6, 8), r(8), pos(8), r(8), r(8)),
                        True),
    "batch_norm_3d": (BatchNorm(), (r(2, 4, 3, 5, 6), r(4), pos(4), r(4),
                                    r(4)), True),
    "instance_norm_1d": (InstanceNorm1d(), (r(2, 8, 10), r(8), r(8)), True),
    "layer_norm_last_two": (LastTwoAxes(), (r(2, 3, 4, 16), r(4, 16),
                                            r(4, 16)), True),
    "stylegan_pixel_norm": (PixelNorm(), (r(2, 8, 4, 4),), True),
    "adain": (AdaIN(), (r(2, 8, 4, 4), r(2, 8), r(2, 8)), True),
    "batch_stats_written_out": (ManualBatchStats(), (r(4, 8, 3, 3), r(8),
                                                     r(8)), True),
    "group_norm_one_group": (GroupNormOne(), (r(2, 8, 5, 5), r(8), r(8)),
                             True),
    "var_mean_layer_norm": (VarMean(), (r(4, 64), r(64), r(64)), True),
    "annotated_transformer": (AnnotatedTransformer(), (r(4, 64), r(64),
                                                       r(64)), True),
}


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def spec(t):
    return "x".join(str(d) for d in t.shape) + "x" + DTYPES[t.dtype] + \
        ("=random(0.5,2)" if t.dtype == torch.float32 and
         t.min() > 0 else "=random")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("dir")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    norm_opt = os.path.join(args.bin, "norm-opt")
    norm_run = os.path.join(args.bin, "norm-run")
    bad = 0
    for name, (module, inputs, expected) in MODELS.items():
        torch.manual_seed(0)
        path = os.path.join(args.dir, name + ".mlir")
        raised = os.path.join(args.dir, name + ".raised.mlir")
        npy = os.path.join(args.dir, name + ".npy")
        try:
            m = fx.export_and_import(module, *inputs,
                                     output_type="linalg-on-tensors",
                                     func_name=name)
        except Exception as e:  # torch-mlir's own limits
            print(f"{name:26} import failed: {str(e).splitlines()[0]}")
            continue
        with open(path, "w") as f:
            f.write(str(m))
        opt = run([norm_opt, path, "--norm-raise", "--norm-fuse-elementwise",
                   "-o", raised])
        if opt.returncode:
            print(f"{name:26} norm-opt failed: {opt.stderr.strip()}")
            bad += 1
            continue
        text = open(raised).read()
        # Ops, not attributes (#norm.epsilon<std>) or the yield.
        ops = sorted({w.split()[0] for w in text.split(" norm.")[1:]
                      if not w.startswith("yield")})
        left = text.count("linalg.")
        specs = [f"--input={spec(t)}" for t in inputs]
        a = run([norm_run, path, f"--output=@{npy}", "--check"] + specs)
        b = run([norm_run, raised, f"--expect=@{npy}", "--check"] + specs)
        agree = a.returncode == 0 and b.returncode == 0
        ok = agree and bool(ops) == expected
        bad += not ok
        print(f"{name:26} raised: {', '.join(ops) or '-':22} "
              f"linalg left: {left:3}  "
              f"{'same' if agree else 'DIFFERENT'}"
              f"{'' if ok else '  <- unexpected'}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
