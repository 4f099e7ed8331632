"""norm's kernels in PyTorch: importing this package registers
torch.ops.norm.layer_norm, rms_norm, add_rms_norm and add_layer_norm;
norm_torch.fx.inductor_backend is torch.compile's Inductor with a pass that
fuses `x + r` into those norms (docs/embedding.md)."""

from . import fx, ops  # noqa: F401
from .ops import add_layer_norm, add_rms_norm, layer_norm, rms_norm  # noqa

__all__ = ["layer_norm", "rms_norm", "add_rms_norm", "add_layer_norm"]
