//===- BF16Truncations.h - f32 -> bf16 roundings to match -------*- C++ -*-===//
//
// Shared by norm-pack-bf16-pairs (AVX512-BF16 targets) and norm-expand-bf16
// (the others): both rewrite arith.truncf from f32 to bf16 that round to
// nearest even.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_CONVERSION_NORMTOVECTOR_BF16TRUNCATIONS_H
#define NORM_LIB_CONVERSION_NORMTOVECTOR_BF16TRUNCATIONS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/TypeUtilities.h"

namespace mlir::norm {

/// The f32 value that `v` rounds to bf16 (to nearest even, the default
/// rounding), or null when `v` is not such an arith.truncf.
inline Value roundedFromF32(Value v) {
  auto trunc = v.getDefiningOp<arith::TruncFOp>();
  if (!trunc || trunc.getRoundingmodeAttr() ||
      !getElementTypeOrSelf(trunc.getIn().getType()).isF32() ||
      !getElementTypeOrSelf(trunc.getType()).isBF16())
    return {};
  return trunc.getIn();
}

} // namespace mlir::norm

#endif // NORM_LIB_CONVERSION_NORMTOVECTOR_BF16TRUNCATIONS_H
