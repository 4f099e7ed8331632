//===- FusedRegions.cpp - Prologue and epilogue of norm ops ---------------===//

#include "FusedRegions.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::norm;

//===----------------------------------------------------------------------===//
// Syntax
//===----------------------------------------------------------------------===//

static ParseResult
parseFused(OpAsmParser &parser, StringRef keyword,
           SmallVectorImpl<OpAsmParser::UnresolvedOperand> &operands,
           SmallVectorImpl<Type> &types, Type *resultType, Region &region) {
  if (failed(parser.parseOptionalKeyword(keyword)))
    return success();
  if (succeeded(parser.parseOptionalLParen())) {
    if (parser.parseOperandList(operands) || parser.parseColonTypeList(types) ||
        parser.parseRParen())
      return failure();
  }
  if (resultType && succeeded(parser.parseOptionalArrow()) &&
      parser.parseType(*resultType))
    return failure();
  return parser.parseRegion(region);
}

static void printFused(OpAsmPrinter &printer, StringRef keyword,
                       OperandRange operands, TypeRange types, Type resultType,
                       Region &region) {
  if (region.empty())
    return;
  printer << " " << keyword;
  if (!operands.empty()) {
    printer << "(" << operands << " : ";
    llvm::interleaveComma(types, printer);
    printer << ")";
  }
  if (resultType)
    printer << " -> " << resultType;
  printer << " ";
  printer.printRegion(region, /*printEntryBlockArgs=*/true,
                      /*printBlockTerminators=*/true);
}

ParseResult
norm::parsePrologue(OpAsmParser &parser,
                    SmallVectorImpl<OpAsmParser::UnresolvedOperand> &operands,
                    SmallVectorImpl<Type> &types, Type &resultType,
                    Region &region) {
  return parseFused(parser, "prologue", operands, types, &resultType, region);
}

void norm::printPrologue(OpAsmPrinter &printer, Operation *,
                         OperandRange operands, TypeRange types,
                         Type resultType, Region &region) {
  printFused(printer, "prologue", operands, types, resultType, region);
}

ParseResult
norm::parseEpilogue(OpAsmParser &parser,
                    SmallVectorImpl<OpAsmParser::UnresolvedOperand> &operands,
                    SmallVectorImpl<Type> &types, Region &region) {
  return parseFused(parser, "epilogue", operands, types, nullptr, region);
}

void norm::printEpilogue(OpAsmPrinter &printer, Operation *,
                         OperandRange operands, TypeRange types,
                         Region &region) {
  printFused(printer, "epilogue", operands, types, Type(), region);
}

//===----------------------------------------------------------------------===//
// Interface helpers
//===----------------------------------------------------------------------===//

/// The type a region yields, or null when it is empty or malformed (the
/// region verifier reports that).
static Type yieldedType(Region &region) {
  if (region.empty() || region.front().empty())
    return {};
  auto yield = dyn_cast<YieldOp>(region.front().back());
  return yield ? yield.getValue().getType() : Type();
}

Type NormalizationOpInterface::getNormalizedElementType() {
  // A prologue that yields anything else is reported by the region verifier.
  Type type = yieldedType(getPrologue());
  if (isa_and_nonnull<Float32Type, Float16Type, BFloat16Type>(type))
    return type;
  return getElementTypeOrSelf(getInput().getType());
}

static SmallVector<AffineMap> indexing(Operation *op, ArrayAttr maps,
                                       OperandRange inputs, Value input) {
  if (maps)
    return llvm::map_to_vector(
        maps, [](Attribute a) { return cast<AffineMapAttr>(a).getValue(); });
  unsigned rank = cast<RankedTensorType>(input.getType()).getRank();
  return SmallVector<AffineMap>(
      inputs.size(), AffineMap::getMultiDimIdentityMap(rank, op->getContext()));
}

SmallVector<AffineMap> NormalizationOpInterface::getPrologueIndexing() {
  return indexing(getOperation(), getPrologueMapsAttr(), getPrologueInputs(),
                  getInput());
}

SmallVector<AffineMap> NormalizationOpInterface::getEpilogueIndexing() {
  return indexing(getOperation(), getEpilogueMapsAttr(), getEpilogueInputs(),
                  getInput());
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

static bool isScalar(Type type) { return type.isIntOrIndexOrFloat(); }

/// Checks one fused region: `first` is the type of its first block argument,
/// `yield` the type it must yield (null: any float type).
static LogicalResult verifyRegion(NormalizationOpInterface op, StringRef name,
                                  OperandRange inputs, ArrayAttr maps,
                                  SmallVector<AffineMap> indexing,
                                  Region &region, Type first, Type yield) {
  auto input = cast<RankedTensorType>(op.getInput().getType());
  if (region.empty()) {
    if (!inputs.empty())
      return op.emitOpError()
             << name << " operands need a " << name << " region";
    if (maps)
      return op.emitOpError() << name << "_maps need a " << name << " region";
    return success();
  }
  if (maps && maps.size() != inputs.size())
    return op.emitOpError() << name << "_maps has " << maps.size()
                            << " maps for " << inputs.size() << " operands";
  for (auto [i, pair] : llvm::enumerate(llvm::zip(inputs, indexing))) {
    auto [operand, map] = pair;
    auto type = cast<RankedTensorType>(operand.getType());
    if (map.getNumDims() != input.getRank() || map.getNumSymbols() != 0 ||
        !map.isProjectedPermutation(/*allowZeroInResults=*/false))
      return op.emitOpError()
             << name << " operand #" << i << ": map " << AffineMapAttr::get(map)
             << " must select dimensions of the rank-" << input.getRank()
             << " input";
    for (unsigned r = 1; r < map.getNumResults(); ++r)
      if (map.getDimPosition(r - 1) >= map.getDimPosition(r))
        return op.emitOpError()
               << name << " operand #" << i << ": map "
               << AffineMapAttr::get(map)
               << " must keep the input's dimension order (a broadcast, not "
                  "a transpose)";
    if (type.getRank() != map.getNumResults())
      return op.emitOpError()
             << name << " operand #" << i << " has rank " << type.getRank()
             << " but its map selects " << map.getNumResults() << " dimensions"
             << (maps ? "" : " (identity: no map given)");
    for (unsigned r = 0; r < map.getNumResults(); ++r) {
      int64_t got = type.getDimSize(r);
      int64_t want = input.getDimSize(map.getDimPosition(r));
      if (!ShapedType::isDynamic(got) && !ShapedType::isDynamic(want) &&
          got != want)
        return op.emitOpError()
               << name << " operand #" << i << " has extent " << got
               << " in dimension " << r << " where the input has " << want;
    }
  }

  Block &block = region.front();
  if (block.getNumArguments() != inputs.size() + 1)
    return op.emitOpError()
           << name << " block takes " << block.getNumArguments()
           << " arguments; expected one per operand and one "
              "for the element ("
           << inputs.size() + 1 << ")";
  SmallVector<Type> expected{first};
  for (Value v : inputs)
    expected.push_back(getElementTypeOrSelf(v.getType()));
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(block.getArgumentTypes(), expected))) {
    auto [got, want] = pair;
    if (got != want)
      return op.emitOpError() << name << " block argument #" << i << " is "
                              << got << " but must be " << want;
  }
  for (Operation &inner : block.without_terminator()) {
    bool scalar = llvm::all_of(inner.getOperandTypes(), isScalar) &&
                  llvm::all_of(inner.getResultTypes(), isScalar);
    bool elementwise = inner.hasTrait<OpTrait::Elementwise>() ||
                       matchPattern(&inner, m_Constant());
    if (!scalar || !elementwise || inner.getNumRegions() != 0 ||
        !isMemoryEffectFree(&inner))
      return inner.emitOpError()
             << "cannot be in a norm " << name
             << ": only side-effect-free elementwise ops on scalars can";
    // Every lowering rounds to nearest even (the CPU's integer bf16
    // rounding, vcvtneps2bf16, the GPU's cvt.rn): another mode would be
    // ignored or fail to link.
    if (hasUnsupportedRounding(&inner))
      return inner.emitOpError()
             << "rounds "
             << stringifyRoundingMode(
                    *cast<arith::TruncFOp>(inner).getRoundingmode())
             << ", which a norm " << name
             << " cannot: only to_nearest_even (the default) is supported";
  }
  auto yieldOp = dyn_cast<YieldOp>(block.back());
  if (!yieldOp)
    return op.emitOpError() << name << " must end with norm.yield";
  Type yielded = yieldOp.getValue().getType();
  if (yield && yielded != yield)
    return yieldOp.emitOpError() << "yields " << yielded << " but the " << name
                                 << " must yield " << yield;
  if (!yield && !isa<Float32Type, Float16Type, BFloat16Type>(yielded))
    return yieldOp.emitOpError() << "yields " << yielded << "; a " << name
                                 << " must yield f32, f16 or bf16";
  return success();
}

LogicalResult norm::verifyFusedRegions(NormalizationOpInterface op) {
  auto input = cast<RankedTensorType>(op.getInput().getType());
  if (failed(verifyRegion(op, "prologue", op.getPrologueInputs(),
                          op.getPrologueMapsAttr(), op.getPrologueIndexing(),
                          op.getPrologue(), input.getElementType(), Type())))
    return failure();
  Type normalized = op.getNormalizedElementType();
  if (Value kept = op.getPrologueResult()) {
    if (op.getPrologue().empty())
      return op.emitOpError("returns a prologue result without a prologue");
    auto type = cast<RankedTensorType>(kept.getType());
    if (type.getShape() != input.getShape())
      return op.emitOpError() << "prologue result type " << type
                              << " must have the input's shape";
  }
  Type output = getElementTypeOrSelf(op.getOutput().getType());
  return verifyRegion(op, "epilogue", op.getEpilogueInputs(),
                      op.getEpilogueMapsAttr(), op.getEpilogueIndexing(),
                      op.getEpilogue(), normalized, output);
}

bool mlir::norm::hasUnsupportedRounding(Operation *op) {
  auto trunc = dyn_cast<arith::TruncFOp>(op);
  return trunc && trunc.getRoundingmodeAttr() &&
         *trunc.getRoundingmode() != arith::RoundingMode::to_nearest_even;
}
