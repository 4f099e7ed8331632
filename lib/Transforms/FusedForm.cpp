//===- FusedForm.cpp - Building and splitting fused norm ops --------------===//

#include "norm/Transforms/FusedForm.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::norm;

static constexpr StringLiteral kOperandSegments = "operandSegmentSizes";
static constexpr StringLiteral kResultSegments = "resultSegmentSizes";

/// Null when every map is the identity (the default).
static ArrayAttr mapsAttr(Builder &b, ArrayRef<AffineMap> maps) {
  if (llvm::all_of(maps, [](AffineMap m) { return m.isIdentity(); }))
    return {};
  return b.getAffineMapArrayAttr(maps);
}

NormalizationOpInterface norm::rebuildNormOp(RewriterBase &rewriter,
                                             NormalizationOpInterface op,
                                             FusedParts &parts) {
  Operation *old = op.getOperation();
  // The fused operands are the last two operand segments of every norm op
  // and the prologue result its last result.
  unsigned numFused =
      op.getPrologueInputs().size() + op.getEpilogueInputs().size();
  SmallVector<Value> operands{parts.input};
  llvm::append_range(operands,
                     old->getOperands().drop_front().drop_back(numFused));
  llvm::append_range(operands, parts.prologueInputs);
  llvm::append_range(operands, parts.epilogueInputs);

  SmallVector<Type> types{parts.outputType};
  unsigned numResults = old->getNumResults() - (op.getPrologueResult() ? 1 : 0);
  llvm::append_range(types,
                     TypeRange(old->getResultTypes()).slice(1, numResults - 1));
  if (parts.prologueResultType)
    types.push_back(parts.prologueResultType);

  NamedAttrList attrs(old->getAttrDictionary());
  auto segments = llvm::to_vector(
      cast<DenseI32ArrayAttr>(attrs.get(kOperandSegments)).asArrayRef());
  segments[segments.size() - 2] = parts.prologueInputs.size();
  segments.back() = parts.epilogueInputs.size();
  attrs.set(kOperandSegments, rewriter.getDenseI32ArrayAttr(segments));
  if (Attribute resultSegments = attrs.get(kResultSegments)) {
    auto sizes =
        llvm::to_vector(cast<DenseI32ArrayAttr>(resultSegments).asArrayRef());
    sizes.back() = parts.prologueResultType ? 1 : 0;
    attrs.set(kResultSegments, rewriter.getDenseI32ArrayAttr(sizes));
  }
  attrs.erase("prologue_maps");
  attrs.erase("epilogue_maps");
  if (ArrayAttr maps = mapsAttr(rewriter, parts.prologueMaps))
    attrs.set("prologue_maps", maps);
  if (ArrayAttr maps = mapsAttr(rewriter, parts.epilogueMaps))
    attrs.set("epilogue_maps", maps);

  OperationState state(old->getLoc(), old->getName(), operands, types,
                       attrs.getAttrs());
  Region *prologue = state.addRegion();
  Region *epilogue = state.addRegion();
  if (parts.prologue)
    prologue->takeBody(*parts.prologue);
  if (parts.epilogue)
    epilogue->takeBody(*parts.epilogue);
  return cast<NormalizationOpInterface>(rewriter.create(state));
}

/// A linalg.generic that applies the body of `region` elementwise to
/// `first` (identity-indexed) and `inputs` (indexed by `maps`).
static Value elementwise(RewriterBase &rewriter, Location loc, Value first,
                         ValueRange inputs, ArrayRef<AffineMap> maps,
                         Region &region, Type elementType) {
  auto shape = cast<RankedTensorType>(first.getType());
  Value init = tensor::EmptyOp::create(
      rewriter, loc, tensor::getMixedSizes(rewriter, loc, first), elementType);
  AffineMap identity =
      rewriter.getMultiDimIdentityMap(static_cast<unsigned>(shape.getRank()));
  SmallVector<AffineMap> indexing{identity};
  llvm::append_range(indexing, maps);
  indexing.push_back(identity);
  SmallVector<Value> operands{first};
  llvm::append_range(operands, inputs);
  SmallVector<utils::IteratorType> iterators(shape.getRank(),
                                             utils::IteratorType::parallel);
  Block &body = region.front();
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{init.getType()}, operands, ValueRange{init},
      indexing, iterators, [&](OpBuilder &b, Location nested, ValueRange args) {
        IRMapping mapping;
        mapping.map(body.getArguments(), args.drop_back());
        for (Operation &inner : body.without_terminator())
          b.clone(inner, mapping);
        auto yield = cast<YieldOp>(body.getTerminator());
        linalg::YieldOp::create(b, nested,
                                mapping.lookupOrDefault(yield.getValue()));
      });
  return generic.getResult(0);
}

LogicalResult norm::unfuseNormOp(RewriterBase &rewriter,
                                 NormalizationOpInterface op) {
  if (!op.isFused())
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  auto inputType = cast<RankedTensorType>(op.getInput().getType());
  Type normalized = op.getNormalizedElementType();

  Value h = op.getInput();
  if (!op.getPrologue().empty())
    h = elementwise(rewriter, loc, h, op.getPrologueInputs(),
                    op.getPrologueIndexing(), op.getPrologue(), normalized);

  FusedParts parts;
  parts.input = h;
  parts.outputType = RankedTensorType::get(inputType.getShape(), normalized);
  NormalizationOpInterface plain = rebuildNormOp(rewriter, op, parts);

  Value output = plain.getOutput();
  if (!op.getEpilogue().empty())
    output = elementwise(rewriter, loc, output, op.getEpilogueInputs(),
                         op.getEpilogueIndexing(), op.getEpilogue(),
                         getElementTypeOrSelf(op.getOutput().getType()));

  SmallVector<Value> results{output};
  llvm::append_range(results, plain->getResults().drop_front());
  if (Value kept = op.getPrologueResult()) {
    // The prologue's value stored at the result's element type.
    Type keptElem = getElementTypeOrSelf(kept.getType());
    if (keptElem == normalized) {
      results.push_back(h);
    } else {
      Region cast;
      Block *block = rewriter.createBlock(&cast, {}, {normalized}, {loc});
      Value v = block->getArgument(0);
      unsigned from = normalized.getIntOrFloatBitWidth();
      unsigned to = keptElem.getIntOrFloatBitWidth();
      if (from == to) // f16 <-> bf16 through f32
        v = arith::ExtFOp::create(rewriter, loc, rewriter.getF32Type(), v);
      v = to < std::max(from, 32u)
              ? Value(arith::TruncFOp::create(rewriter, loc, keptElem, v))
              : Value(arith::ExtFOp::create(rewriter, loc, keptElem, v));
      YieldOp::create(rewriter, loc, v);
      rewriter.setInsertionPoint(op);
      results.push_back(elementwise(rewriter, loc, h, {}, {}, cast, keptElem));
    }
  }
  rewriter.replaceOp(op, results);
  return success();
}

bool norm::isBroadcastMap(AffineMap map) {
  if (map.getNumSymbols() != 0 ||
      !map.isProjectedPermutation(/*allowZeroInResults=*/false))
    return false;
  for (unsigned r = 1; r < map.getNumResults(); ++r)
    if (map.getDimPosition(r - 1) >= map.getDimPosition(r))
      return false;
  return true;
}

bool norm::isElementwiseGeneric(linalg::GenericOp g) {
  return g && g.hasPureTensorSemantics() && g.getNumResults() == 1 &&
         g.getNumDpsInits() == 1 &&
         g.getNumLoops() == g.getNumParallelLoops() &&
         g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity() &&
         !g.payloadUsesValueFromOperand(g.getDpsInitOperand(0));
}

namespace {
struct Unfuse : OpInterfaceRewritePattern<NormalizationOpInterface> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(NormalizationOpInterface op,
                                PatternRewriter &rewriter) const override {
    return unfuseNormOp(rewriter, op);
  }
};
} // namespace

void norm::populateUnfusePatterns(RewritePatternSet &patterns) {
  patterns.add<Unfuse>(patterns.getContext());
}
