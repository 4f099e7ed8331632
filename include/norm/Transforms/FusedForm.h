//===- FusedForm.h - Building and splitting fused norm ops ------*- C++ -*-===//
//
// The fused form of a norm op is its prologue and epilogue (docs/fusion.md).
// These helpers build a norm op with a different fused form and split a fused
// op back into linalg.generic ops around a plain norm op.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TRANSFORMS_FUSEDFORM_H
#define NORM_TRANSFORMS_FUSEDFORM_H

#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::norm {

/// The fused parts of a norm op. A region pointer that is null (or points to
/// an empty region) means no prologue (epilogue); the blocks of a non-empty
/// one are moved into the new op.
struct FusedParts {
  Value input;
  SmallVector<Value> prologueInputs;
  SmallVector<AffineMap> prologueMaps;
  Region *prologue = nullptr;
  /// Type of the returned prologue value; null: not returned.
  Type prologueResultType;
  SmallVector<Value> epilogueInputs;
  SmallVector<AffineMap> epilogueMaps;
  Region *epilogue = nullptr;
  /// Type of the normalized result.
  Type outputType;
};

/// Creates, before `op`, a copy of `op` with every attribute and the
/// non-fused operands and results of `op`, but the fused parts `parts`. The
/// statistics and running results keep their positions (result 0 is the
/// output, the prologue result comes last).
NormalizationOpInterface rebuildNormOp(RewriterBase &rewriter,
                                       NormalizationOpInterface op,
                                       FusedParts &parts);

/// Replaces a fused norm op by a linalg.generic for its prologue, the plain
/// norm op and a linalg.generic for its epilogue. Fails on an unfused op.
LogicalResult unfuseNormOp(RewriterBase &rewriter, NormalizationOpInterface op);

/// Whether `map` reads an operand along the loops in order, possibly
/// dropping some: a broadcast, not a transpose, reshape or offset (as the
/// fused operands of a norm op must be read).
bool isBroadcastMap(AffineMap map);

/// A linalg.generic that computes one tensor element by element: parallel
/// loops only, one result written with the identity map and never read.
bool isElementwiseGeneric(linalg::GenericOp generic);

/// Adds the pattern that applies unfuseNormOp.
void populateUnfusePatterns(RewritePatternSet &patterns);

} // namespace mlir::norm

#endif // NORM_TRANSFORMS_FUSEDFORM_H
