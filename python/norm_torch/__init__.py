"""norm's kernels in PyTorch: importing this package registers
torch.ops.norm.layer_norm, rms_norm, add_rms_norm and add_layer_norm
(docs/embedding.md)."""

from . import ops  # noqa: F401
from .ops import add_layer_norm, add_rms_norm, layer_norm, rms_norm  # noqa

__all__ = ["layer_norm", "rms_norm", "add_rms_norm", "add_layer_norm"]
