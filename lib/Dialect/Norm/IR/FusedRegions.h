//===- FusedRegions.h - Prologue and epilogue of norm ops -------*- C++ -*-===//
//
// Syntax and checks of the fused prologue and epilogue regions that every
// norm op carries (docs/fusion.md).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_LIB_DIALECT_NORM_IR_FUSEDREGIONS_H
#define NORM_LIB_DIALECT_NORM_IR_FUSEDREGIONS_H

#include "mlir/IR/OpImplementation.h"

namespace mlir::norm {

class NormalizationOpInterface;

/// `prologue(%a, %b : T, U) -> R { ^bb0(...): ... }`, everything optional but
/// the keyword and the region; nothing when the region is empty.
ParseResult
parsePrologue(OpAsmParser &parser,
              SmallVectorImpl<OpAsmParser::UnresolvedOperand> &operands,
              SmallVectorImpl<Type> &types, Type &resultType, Region &region);
void printPrologue(OpAsmPrinter &printer, Operation *op, OperandRange operands,
                   TypeRange types, Type resultType, Region &region);

/// `epilogue(%a : T) { ^bb0(...): ... }`.
ParseResult
parseEpilogue(OpAsmParser &parser,
              SmallVectorImpl<OpAsmParser::UnresolvedOperand> &operands,
              SmallVectorImpl<Type> &types, Region &region);
void printEpilogue(OpAsmPrinter &printer, Operation *op, OperandRange operands,
                   TypeRange types, Region &region);

/// Checks the prologue and epilogue: operands, maps, block arguments, the
/// ops allowed in the bodies and the types they yield.
LogicalResult verifyFusedRegions(NormalizationOpInterface op);

} // namespace mlir::norm

#endif // NORM_LIB_DIALECT_NORM_IR_FUSEDREGIONS_H
