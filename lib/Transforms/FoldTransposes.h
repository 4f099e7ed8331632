//===- FoldTransposes.h - Transposes around norm ops into their axes ------===//

#ifndef NORM_LIB_TRANSFORMS_FOLDTRANSPOSES_H
#define NORM_LIB_TRANSFORMS_FOLDTRANSPOSES_H

#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/IR/PatternMatch.h"

namespace mlir::norm {

/// When `op`'s input is a transpose of x (a copy generic read through a
/// permutation) and its output's only user reads it through the inverse
/// permutation, replaces `op` by the same normalization of x, its axis
/// attributes and fused operands' maps mapped through the permutation, and
/// has the user read the new output with the identity (or replaces the user
/// by it when the user only copies). Fails, changing nothing, when a tensor
/// laid out along several axes (gamma, statistics, fused operands) would
/// have to be transposed too, or when `op` returns its prologue value.
LogicalResult foldTransposes(RewriterBase &rewriter,
                             NormalizationOpInterface op);

} // namespace mlir::norm

#endif // NORM_LIB_TRANSFORMS_FOLDTRANSPOSES_H
