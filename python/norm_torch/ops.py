"""torch.ops.norm.*: norm's CPU and CUDA kernels as PyTorch custom ops.

layer_norm, rms_norm, add_rms_norm and add_layer_norm over the last axis,
for f32, f16 and bf16 tensors of any rank (flattened to rows x hidden). On
the CPU the kernels take any number of rows and any hidden size (dynamic
shapes); on CUDA any number of rows, one kernel per hidden size, launched
on the tensors' device's current stream. Each op has a fake implementation,
so torch.compile(fullgraph=True) keeps it as one node. The kernel of a
(device, op, dtype, epsilon, affine[, hidden]) family is compiled on first
use (norm-compile) and cached; prebuild() fills the cache for a machine
without norm-compile (a GPU machine without MLIR).
"""

import torch
from torch import Tensor

import norm_build

from . import _build

_DT = {torch.float32: "f32", torch.float16: "f16", torch.bfloat16: "bf16"}


def _family(op, x, eps, weight, bias, residual, cuda):
    """The kernel family's MLIR and target for these arguments."""
    hidden = x.shape[-1] if x.dim() else 1
    return (norm_build.family_mlir(op, _DT[x.dtype], eps, weight is not None,
                    bias is not None, residual is not None,
                    hidden if cuda else None), "cuda" if cuda else "cpu")


def prebuild(op, x, eps, weight=None, bias=None, residual=None):
    """Builds (into the cache) the CUDA kernel that torch.ops.norm.<op> would
    use for CUDA tensors shaped and typed like these (which may live on any
    device, e.g. "meta"): op is layer_norm or rms_norm, residual given for
    the add_ forms."""
    mlir, _ = _family(op, x, eps, weight, bias, residual, cuda=True)
    _build.load(mlir, "cuda")


def _run(op, x, eps, weight=None, bias=None, residual=None):
    if x.device.type not in ("cpu", "cuda"):
        raise NotImplementedError(f"torch.ops.norm runs CPU and CUDA tensors, "
                                  f"not {x.device.type}")
    hidden = norm_build.check_arguments(f"torch.ops.norm.{op}", x, _DT,
                                        weight, bias, residual)
    for t in (weight, bias, residual):
        if t is not None and t.device != x.device:
            raise ValueError(f"torch.ops.norm.{op}: every tensor must be on "
                             f"{x.device}")
    mlir, target = _family(op, x, eps, weight, bias, residual,
                           x.device.type == "cuda")
    kernel = _build.load(mlir, target)["k"]
    x2 = x.contiguous().reshape(-1, hidden)
    ins = [x2]
    if residual is not None:
        ins.append(residual.contiguous().reshape(-1, hidden))
    ins += [t.contiguous() for t in (weight, bias) if t is not None]
    outs = [torch.empty_like(x2)]
    if residual is not None:
        outs.append(torch.empty_like(x2))
    if x.numel() == 0:
        return [o.reshape(x.shape) for o in outs]
    if target == "cuda":
        # The raw handle of the device's current stream, as Triton's
        # launcher reads it (a torch.cuda.Stream object costs microseconds).
        stream = torch._C._cuda_getCurrentRawStream(x.device.index)
        with torch.cuda.device(x.device):
            kernel(ins, outs, stream)
    else:
        kernel(ins, outs)
    return [o.reshape(x.shape) for o in outs]


@torch.library.custom_op("norm::layer_norm", mutates_args=())
def layer_norm(x: Tensor, weight: Tensor | None, bias: Tensor | None,
               eps: float) -> Tensor:
    return _run("layer_norm", x, eps, weight, bias)[0]


@torch.library.custom_op("norm::rms_norm", mutates_args=())
def rms_norm(x: Tensor, weight: Tensor | None, eps: float) -> Tensor:
    return _run("rms_norm", x, eps, weight)[0]


@torch.library.custom_op("norm::add_rms_norm", mutates_args=())
def add_rms_norm(x: Tensor, residual: Tensor, weight: Tensor,
                 eps: float) -> tuple[Tensor, Tensor]:
    y, h = _run("rms_norm", x, eps, weight, residual=residual)
    return y, h


@torch.library.custom_op("norm::add_layer_norm", mutates_args=())
def add_layer_norm(x: Tensor, residual: Tensor, weight: Tensor, bias: Tensor,
                   eps: float) -> tuple[Tensor, Tensor]:
    y, h = _run("layer_norm", x, eps, weight, bias, residual=residual)
    return y, h


@layer_norm.register_fake
def _(x, weight, bias, eps):
    return torch.empty_like(x)


@rms_norm.register_fake
def _(x, weight, eps):
    return torch.empty_like(x)


@add_rms_norm.register_fake
def _(x, residual, weight, eps):
    return torch.empty_like(x), torch.empty_like(x)


@add_layer_norm.register_fake
def _(x, residual, weight, bias, eps):
    return torch.empty_like(x), torch.empty_like(x)
