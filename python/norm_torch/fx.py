"""An opt-in graph pass for torch.compile: `x + r` feeding a LayerNorm or
an RMSNorm over the last axis becomes one torch.ops.norm.add_layer_norm /
add_rms_norm, whose second result replaces the sum's other uses.

    torch.compile(model, backend=norm_torch.fx.inductor_backend)

runs the pass on Dynamo's graph, then Inductor on the rest.
"""

import operator

import torch
import torch.nn.functional as F

_ADDS = {operator.add, torch.add, torch.ops.aten.add.Tensor}
_LAYER_NORMS = {F.layer_norm, torch.layer_norm,
                torch.ops.aten.layer_norm.default}
_RMS_NORMS = {F.rms_norm, torch.rms_norm, torch.ops.aten.rms_norm.default}
_DTYPES = {torch.float32, torch.float16, torch.bfloat16}


def _value(node):
    meta = getattr(node, "meta", {})
    return meta.get("example_value", meta.get("val"))


def _arg(node, index, name, default=None):
    if len(node.args) > index:
        return node.args[index]
    return node.kwargs.get(name, default)


def _fusable(add, norm):
    """The sum and the norm as the fused op takes them, or None."""
    if add.op != "call_function" or add.target not in _ADDS or \
            len(add.args) != 2 or add.kwargs:
        return None
    x, r = add.args
    vx, vr, vn = (_value(n) if isinstance(n, torch.fx.Node) else None
                  for n in (x, r, norm.args[0]))
    if not all(isinstance(v, torch.Tensor) for v in (vx, vr, vn)):
        return None
    if vx.shape != vr.shape or vx.dtype != vr.dtype or vx.shape != vn.shape \
            or vx.dtype not in _DTYPES or \
            vx.device.type not in ("cpu", "cuda") or vx.dim() == 0:
        return None
    shape = _arg(norm, 1, "normalized_shape")
    if not isinstance(shape, (tuple, list)) or len(shape) != 1 or \
            shape[0] != vx.shape[-1]:
        return None
    return x, r, vx


def fuse_residual_norms(gm):
    """Rewrites `gm` in place; returns the number of fused norms."""
    graph = gm.graph
    order = {n: i for i, n in enumerate(graph.nodes)}
    fused = 0
    for norm in list(graph.nodes):
        if norm.op != "call_function":
            continue
        layer = norm.target in _LAYER_NORMS
        if not layer and norm.target not in _RMS_NORMS:
            continue
        add = norm.args[0]
        if not isinstance(add, torch.fx.Node):
            continue
        found = _fusable(add, norm)
        if found is None:
            continue
        x, r, vx = found
        weight = _arg(norm, 2, "weight")
        bias = _arg(norm, 3, "bias") if layer else None
        eps = _arg(norm, 4 if layer else 3, "eps")
        if eps is None:
            eps = 1e-5 if layer else torch.finfo(vx.dtype).eps
        params = [weight] + ([bias] if layer else [])
        # The fused op replaces the sum, so its parameters must exist there.
        if any(not isinstance(p, torch.fx.Node) or order[p] > order[add]
               for p in params):
            continue
        target = (torch.ops.norm.add_layer_norm.default if layer
                  else torch.ops.norm.add_rms_norm.default)
        with graph.inserting_after(add):
            call = graph.call_function(target, (x, r, *params, float(eps)))
        with graph.inserting_after(call):
            h = graph.call_function(operator.getitem, (call, 1))
        with graph.inserting_after(h):
            y = graph.call_function(operator.getitem, (call, 0))
        # Later matches read the shapes of these nodes.
        y.meta, h.meta = dict(norm.meta), dict(add.meta)
        norm.replace_all_uses_with(y)
        graph.erase_node(norm)
        add.replace_all_uses_with(h, delete_user_cb=lambda u: u is not call)
        graph.erase_node(add)
        fused += 1
    if fused:
        graph.lint()
        gm.recompile()
    return fused


def inductor_backend(gm, example_inputs):
    """torch.compile backend: fuse_residual_norms, then Inductor."""
    from torch._inductor.compile_fx import compile_fx

    fuse_residual_norms(gm)
    return compile_fx(gm, example_inputs)
