//===- AxisRoles.h - What each work axis is to a norm op --------*- C++ -*-===//
//
// The code generators (CPU and GPU) view a norm op's input as runs of work
// axes that play the same role; this computes the role of each axis.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_AXISROLES_H
#define NORM_DIALECT_NORM_IR_AXISROLES_H

#include "norm/Dialect/Norm/IR/NormOps.h"

namespace mlir::norm {

/// The role of one work axis (NormDesc work coordinates: a grouped channel
/// axis split in two).
struct AxisRole {
  bool reduced = false;
  bool param = false; // gamma and beta vary along it
  bool given = false; // given statistics vary along it
  uint64_t fused = 0; // bit k: fused operand k varies along it
  bool sameRole(const AxisRole &o) const {
    return reduced == o.reduced && param == o.param && given == o.given &&
           fused == o.fused;
  }
};

/// The role of every work axis of `op`; fused operands are numbered
/// prologue's then epilogue's. Fails with more than 64 fused operands.
FailureOr<SmallVector<AxisRole>> workAxisRoles(NormalizationOpInterface op);
/// The same for `op` described by `desc` (a view of it: the CPU lowering
/// views channels-last group norm ungrouped).
FailureOr<SmallVector<AxisRole>> workAxisRoles(NormalizationOpInterface op,
                                               const NormDesc &desc);

} // namespace mlir::norm

#endif // NORM_DIALECT_NORM_IR_AXISROLES_H
