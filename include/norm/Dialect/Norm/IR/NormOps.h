//===- NormOps.h - Operations of the norm dialect ---------------*- C++ -*-===//

#ifndef NORM_DIALECT_NORM_IR_NORMOPS_H
#define NORM_DIALECT_NORM_IR_NORMOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "norm/Dialect/Norm/IR/NormDesc.h"
#include "norm/Dialect/Norm/IR/NormDialect.h"

#include "norm/Dialect/Norm/IR/NormEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "norm/Dialect/Norm/IR/NormAttrs.h.inc"

#include "norm/Dialect/Norm/IR/NormInterfaces.h.inc"

#define GET_OP_CLASSES
#include "norm/Dialect/Norm/IR/NormOps.h.inc"

namespace mlir::norm {
/// Reports the first norm op left under `root` ("'norm.x' op <message>")
/// and fails; a lowering calls it so that no norm op reaches code generation.
LogicalResult verifyNoNormOpsLeft(Operation *root, StringRef message);
/// Whether `op` is an arith.truncf with a rounding mode other than to
/// nearest even, which no lowering of a prologue or epilogue supports.
bool hasUnsupportedRounding(Operation *op);
} // namespace mlir::norm

#endif // NORM_DIALECT_NORM_IR_NORMOPS_H
