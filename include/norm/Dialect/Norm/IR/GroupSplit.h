//===- GroupSplit.h - Splitting a channel axis into groups ------*- C++ -*-===//
//
// Group norm works in coordinates where the channel axis is split into
// (groups, channels per group). Both lowerings make that split, one with
// tensor.expand_shape and one with memref.expand_shape; this computes what
// either op needs.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_GROUPSPLIT_H
#define NORM_DIALECT_NORM_IR_GROUPSPLIT_H

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

namespace mlir::norm {

/// The result shape, reassociation and output sizes of splitting axis
/// `position` of a shaped value into (`groups`, extent / `groups`).
struct GroupSplit {
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  SmallVector<OpFoldResult> outputShape;
};

/// `staticShape` and `sizes` describe the value being split; a dynamic
/// extent is divided at run time.
GroupSplit splitGroupAxis(OpBuilder &b, Location loc,
                          ArrayRef<int64_t> staticShape,
                          ArrayRef<OpFoldResult> sizes, int64_t position,
                          int64_t groups);

} // namespace mlir::norm

#endif // NORM_DIALECT_NORM_IR_GROUPSPLIT_H
