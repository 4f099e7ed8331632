//===- FloatCast.h - Converting between float types -------------*- C++ -*-===//
//
// Shared by the code generators (CPU and GPU): a float scalar or vector
// converted to another float element type with arith.extf / arith.truncf.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_DIALECT_NORM_IR_FLOATCAST_H
#define NORM_DIALECT_NORM_IR_FLOATCAST_H

#include "mlir/IR/Builders.h"

namespace mlir::norm {

/// `v` (a float scalar or vector) with element type `elem`: widened or
/// narrowed, and f16 <-> bf16 through f32. Returns `v` when it has `elem`.
Value castFloat(OpBuilder &b, Location loc, Value v, Type elem);

} // namespace mlir::norm

#endif // NORM_DIALECT_NORM_IR_FLOATCAST_H
