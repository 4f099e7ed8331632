//===- RaiseGroupNorm.h - Group norms written as reshaped LayerNorms ------===//

#ifndef NORM_LIB_TRANSFORMS_RAISEGROUPNORM_H
#define NORM_LIB_TRANSFORMS_RAISEGROUPNORM_H

namespace mlir {
class Operation;
class RewriterBase;
namespace norm {

/// Replaces LayerNorms of [N, G, ...] reshapes of an [N, C, S...] tensor over
/// every axis after the second, whose results are reshaped back, with
/// norm.group_norm, and those of [1, N * C, ...] reshapes over every axis but
/// the second with norm.instance_norm.
void raiseGroupNorms(Operation *root);

/// Replaces F.group_norm as torch-mlir imports PyTorch's decomposition (a
/// per-(n, c) scale and shift gathered from the group statistics, y = x * S
/// + T) with norm.group_norm (RaiseTorchGroupNorm.cpp).
void raiseTorchGroupNorms(RewriterBase &rewriter, Operation *root);

} // namespace norm
} // namespace mlir

#endif // NORM_LIB_TRANSFORMS_RAISEGROUPNORM_H
