//===- FuseElementwise.cpp - Fold elementwise work into norm ops ----------===//
//
// Three steps, applied only to the elementwise ops connected to a norm op
// through other elementwise ops:
//   1. arith/math ops on tensors and named elementwise linalg ops become
//      linalg.generic ops;
//   2. chains of those generics are fused with upstream's elementwise fusion
//      (a linalg.broadcast into the add that reads it);
//   3. a generic that reads a norm op's output (and nothing else does) moves
//      into the epilogue, a generic that makes a norm op's input moves into
//      the prologue, and a transpose of the input whose inverse the output
//      is read through goes into the op's axes (FoldTransposes.cpp), to a
//      fixed point.
//
//===----------------------------------------------------------------------===//

#include "FoldTransposes.h"

#include "norm/Transforms/FusedForm.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMFUSEELEMENTWISEPASS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

//===----------------------------------------------------------------------===//
// Which ops take part
//===----------------------------------------------------------------------===//

/// An arith/math-style elementwise op whose operands and results are ranked
/// tensors of one shape.
static bool isElementwiseOnTensors(Operation *op) {
  if (!OpTrait::hasElementwiseMappableTraits(op) || op->getNumResults() != 1 ||
      !isMemoryEffectFree(op) || op->getNumOperands() == 0 ||
      hasUnsupportedRounding(op))
    return false;
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type)
    return false;
  return llvm::all_of(op->getOperandTypes(), [&](Type t) {
    auto operand = dyn_cast<RankedTensorType>(t);
    return operand && operand.getShape() == type.getShape();
  });
}

/// A linalg op on tensors with parallel loops only and one result.
static bool isParallelLinalg(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.hasPureTensorSemantics() &&
         linalgOp->getNumResults() == 1 &&
         linalgOp.getNumLoops() == linalgOp.getNumParallelLoops();
}

static bool isCandidate(Operation *op) {
  return op && (isElementwiseOnTensors(op) || isParallelLinalg(op));
}

/// The candidates connected to a norm op through candidates.
static llvm::SetVector<Operation *> connectedCandidates(Operation *root) {
  llvm::SetVector<Operation *> found;
  SmallVector<Operation *> work;
  auto visit = [&](Operation *op) {
    if (isCandidate(op) && found.insert(op))
      work.push_back(op);
  };
  auto neighbours = [&](Operation *op) {
    for (Value operand : op->getOperands())
      visit(operand.getDefiningOp());
    for (Operation *user : op->getUsers())
      visit(user);
  };
  root->walk([&](NormalizationOpInterface op) { neighbours(op); });
  while (!work.empty())
    neighbours(work.pop_back_val());
  return found;
}

//===----------------------------------------------------------------------===//
// Step 1: everything as linalg.generic
//===----------------------------------------------------------------------===//

static void toGeneric(RewriterBase &rewriter, Operation *op) {
  rewriter.setInsertionPoint(op);
  if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
    if (!isa<linalg::GenericOp>(op))
      (void)linalg::generalizeNamedOp(rewriter, linalgOp);
    return;
  }
  Location loc = op->getLoc();
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Value like = op->getOperand(0);
  Value init = tensor::EmptyOp::create(
      rewriter, loc, tensor::getMixedSizes(rewriter, loc, like),
      type.getElementType());
  AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
  SmallVector<AffineMap> maps(op->getNumOperands() + 1, identity);
  SmallVector<utils::IteratorType> iterators(type.getRank(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      rewriter, loc, TypeRange{type}, op->getOperands(), ValueRange{init}, maps,
      iterators, [&](OpBuilder &b, Location nested, ValueRange args) {
        OperationState state(nested, op->getName(), args.drop_back(),
                             TypeRange{type.getElementType()}, op->getAttrs());
        Operation *scalar = b.create(state);
        linalg::YieldOp::create(b, nested, scalar->getResult(0));
      });
  rewriter.replaceOp(op, generic->getResults());
}

/// Importers broadcast a per-channel weight of NCHW as a 16x1x1 tensor read
/// with (d0, d1, d2, d3) -> (d1, 0, 0). Such reads become broadcasts of the
/// tensor without its unit dims, read with (d0, d1, d2, d3) -> (d1).
static void dropUnitBroadcasts(RewriterBase &rewriter,
                               linalg::GenericOp generic) {
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  bool changed = false;
  Location loc = generic.getLoc();
  rewriter.setInsertionPoint(generic);
  for (OpOperand *input : generic.getDpsInputOperands()) {
    AffineMap map = generic.getMatchingIndexingMap(input);
    auto type = dyn_cast<RankedTensorType>(input->get().getType());
    SmallVector<AffineExpr> kept;
    SmallVector<ReassociationIndices> groups;
    ReassociationIndices pending;
    bool droppable = type != nullptr;
    for (unsigned r = 0; droppable && r < map.getNumResults(); ++r) {
      auto constant = dyn_cast<AffineConstantExpr>(map.getResult(r));
      pending.push_back(r);
      if (!constant) {
        kept.push_back(map.getResult(r));
        groups.push_back(pending);
        pending.clear();
        continue;
      }
      droppable = constant.getValue() == 0 && type.getDimSize(r) == 1;
    }
    if (!droppable || kept.size() == map.getNumResults()) {
      inputs.push_back(input->get());
      maps.push_back(map);
      continue;
    }
    if (!pending.empty() && !groups.empty())
      llvm::append_range(groups.back(), pending);
    // w[:, None, None] is an expand_shape of w: read w itself.
    auto expand = input->get().getDefiningOp<tensor::ExpandShapeOp>();
    auto collapsedType =
        tensor::CollapseShapeOp::inferCollapsedType(type, groups);
    if (expand && expand.getSrcType() == collapsedType)
      inputs.push_back(expand.getSrc());
    else
      inputs.push_back(
          tensor::CollapseShapeOp::create(rewriter, loc, input->get(), groups));
    maps.push_back(
        AffineMap::get(map.getNumDims(), 0, kept, rewriter.getContext()));
    changed = true;
  }
  if (!changed)
    return;
  for (OpOperand &init : generic.getDpsInitsMutable())
    maps.push_back(generic.getMatchingIndexingMap(&init));
  auto replacement = linalg::GenericOp::create(
      rewriter, loc, generic.getResultTypes(), inputs, generic.getDpsInits(),
      maps, generic.getIteratorTypesArray());
  replacement.getRegion().takeBody(generic.getRegion());
  rewriter.replaceOp(generic, replacement->getResults());
}

//===----------------------------------------------------------------------===//
// Step 3: generics into prologues and epilogues
//===----------------------------------------------------------------------===//

/// Whether the body of `generic` can become a prologue or epilogue: scalar
/// elementwise ops only, values from outside only constants.
static bool hasFusableBody(linalg::GenericOp generic) {
  Block *body = generic.getBody();
  for (Operation &op : body->without_terminator()) {
    bool scalar =
        llvm::all_of(op.getOperandTypes(),
                     [](Type t) { return t.isIntOrIndexOrFloat(); }) &&
        llvm::all_of(op.getResultTypes(),
                     [](Type t) { return t.isIntOrIndexOrFloat(); });
    if (!scalar || op.getNumRegions() != 0 || !isMemoryEffectFree(&op) ||
        hasUnsupportedRounding(&op) ||
        !(op.hasTrait<OpTrait::Elementwise>() ||
          matchPattern(&op, m_Constant())))
      return false;
    for (Value operand : op.getOperands()) {
      if (operand.getParentBlock() == body)
        continue;
      Operation *def = operand.getDefiningOp();
      if (!def || !matchPattern(def, m_Constant()))
        return false;
    }
  }
  // The yielded value may also be a block argument or an outer constant.
  Value yielded = body->getTerminator()->getOperand(0);
  if (yielded.getParentBlock() != body) {
    Operation *def = yielded.getDefiningOp();
    return def && matchPattern(def, m_Constant());
  }
  return true;
}

/// A generic that fits a prologue or epilogue around a rank-`rank` norm op.
static bool isFusableGeneric(linalg::GenericOp generic, int64_t rank) {
  if (!isElementwiseGeneric(generic) ||
      generic.getNumLoops() != static_cast<unsigned>(rank))
    return false;
  for (OpOperand *input : generic.getDpsInputOperands())
    if (!isa<RankedTensorType>(input->get().getType()) ||
        !isBroadcastMap(generic.getMatchingIndexingMap(input)))
      return false;
  return hasFusableBody(generic);
}

/// Clones the ops of `body` after `b`'s insertion point with its arguments
/// mapped to `args` (outer constants cloned as well); returns the yielded
/// value.
static Value inlineBody(OpBuilder &b, Block &body, ValueRange args) {
  IRMapping mapping;
  mapping.map(body.getArguments().take_front(args.size()), args);
  auto cloneOuter = [&](Value v) {
    if (v.getParentBlock() == &body || mapping.contains(v))
      return;
    if (Operation *def = v.getDefiningOp())
      b.clone(*def, mapping);
  };
  for (Operation &op : body.without_terminator()) {
    for (Value operand : op.getOperands())
      cloneOuter(operand);
    b.clone(op, mapping);
  }
  Value yielded = body.getTerminator()->getOperand(0);
  cloneOuter(yielded);
  return mapping.lookupOrDefault(yielded);
}

/// The scalar of a splat constant operand (`dense<1.0>`), which becomes a
/// constant in the body instead of an operand; null otherwise.
static TypedAttr splatScalar(Value operand) {
  SplatElementsAttr splat;
  if (!matchPattern(operand, m_Constant(&splat)))
    return {};
  return dyn_cast<TypedAttr>(splat.getSplatValue<Attribute>());
}

/// The argument of the new body for generic operand `operand`: a scalar
/// constant for a splat, else the next fused block argument.
static Value argumentFor(OpBuilder &b, Location loc, OpOperand *operand,
                         ArrayRef<BlockArgument> extra, unsigned &next) {
  if (TypedAttr scalar = splatScalar(operand->get()))
    return arith::ConstantOp::create(b, loc, scalar);
  return extra[next++];
}

/// Folds the generic that is the only user of `op`'s output into its
/// epilogue.
static LogicalResult fuseConsumer(RewriterBase &rewriter,
                                  NormalizationOpInterface op) {
  Value output = op.getOutput();
  if (output.use_empty())
    return failure();
  Operation *user = *output.getUsers().begin();
  if (llvm::any_of(output.getUsers(), [&](Operation *u) { return u != user; }))
    return failure();
  auto generic = dyn_cast<linalg::GenericOp>(user);
  if (generic && llvm::any_of(generic.getDpsInitsMutable(),
                              [&](OpOperand &o) { return o.get() == output; }))
    return failure();
  int64_t rank = cast<RankedTensorType>(output.getType()).getRank();
  if (!generic || !isFusableGeneric(generic, rank))
    return failure();
  // The output must be read element by element (by one or more operands),
  // and the result must be a tensor the norm op can produce.
  auto isRead = [&](OpOperand *input) { return input->get() == output; };
  for (OpOperand *input : generic.getDpsInputOperands())
    if (isRead(input) && !generic.getMatchingIndexingMap(input).isIdentity())
      return failure();
  // The result type stays what it was: its shape must be the norm op's
  // (static and dynamic extents alike).
  auto resultType = cast<RankedTensorType>(generic.getResult(0).getType());
  if (resultType.getShape() !=
          cast<RankedTensorType>(output.getType()).getShape() ||
      (!isa<Float32Type, Float16Type, BFloat16Type, Float8E4M3FNType>(
           resultType.getElementType()) &&
       !resultType.getElementType().isSignlessInteger(8)))
    return failure();

  // The fused op takes the norm op's place, which dominates the users of
  // its other results, if the generic's other operands dominate it; else
  // the generic's place (the per-example scale and shift of DiT's adaLN are
  // computed after the LayerNorm), if the users of the norm op's other
  // results all come after the generic.
  DominanceInfo dominance(op);
  Operation *place = op;
  for (OpOperand *input : generic.getDpsInputOperands())
    if (!isRead(input) && !splatScalar(input->get()) &&
        !dominance.properlyDominates(input->get(), op))
      place = generic;
  if (place == generic.getOperation() && generic->getBlock() != op->getBlock())
    return failure(); // not into a loop that the norm op is outside of
  if (place == generic.getOperation())
    for (Value result : op->getResults().drop_front())
      for (Operation *user : result.getUsers())
        if (!dominance.properlyDominates(generic.getOperation(), user))
          return failure();

  Type normalized = op.getNormalizedElementType();
  FusedParts parts;
  parts.input = op.getInput();
  parts.prologueInputs = llvm::to_vector(op.getPrologueInputs());
  parts.prologueMaps = op.getPrologueIndexing();
  parts.prologue = &op.getPrologue();
  if (Value kept = op.getPrologueResult())
    parts.prologueResultType = kept.getType();
  parts.epilogueInputs = llvm::to_vector(op.getEpilogueInputs());
  parts.epilogueMaps = op.getEpilogueIndexing();
  for (OpOperand *input : generic.getDpsInputOperands()) {
    if (isRead(input) || splatScalar(input->get()))
      continue;
    parts.epilogueInputs.push_back(input->get());
    parts.epilogueMaps.push_back(generic.getMatchingIndexingMap(input));
  }
  parts.outputType =
      RankedTensorType::get(cast<RankedTensorType>(output.getType()).getShape(),
                            resultType.getElementType());

  // The new epilogue: the old one (if any), then the generic's body.
  Region epilogue;
  Location loc = generic.getLoc();
  SmallVector<Type> argTypes{normalized};
  for (Value v : parts.epilogueInputs)
    argTypes.push_back(getElementTypeOrSelf(v.getType()));
  Block *block =
      rewriter.createBlock(&epilogue, epilogue.end(), argTypes,
                           SmallVector<Location>(argTypes.size(), loc));
  Value v = block->getArgument(0);
  size_t oldCount = op.getEpilogueInputs().size();
  if (!op.getEpilogue().empty()) {
    SmallVector<Value> args{v};
    llvm::append_range(args, block->getArguments().slice(1, oldCount));
    v = inlineBody(rewriter, op.getEpilogue().front(), args);
  }
  SmallVector<Value> args;
  auto extra = block->getArguments().drop_front(1 + oldCount);
  unsigned next = 0;
  for (OpOperand *input : generic.getDpsInputOperands())
    args.push_back(
        isRead(input) ? v : argumentFor(rewriter, loc, input, extra, next));
  Value result = inlineBody(rewriter, *generic.getBody(), args);
  YieldOp::create(rewriter, loc, result);
  parts.epilogue = &epilogue;

  rewriter.setInsertionPoint(place);
  NormalizationOpInterface fused = rebuildNormOp(rewriter, op, parts);
  rewriter.replaceOp(generic, fused.getOutput());
  SmallVector<Value> rest{fused.getOutput()};
  llvm::append_range(rest, fused->getResults().drop_front());
  rewriter.replaceOp(op, rest);
  return success();
}

/// Whether a prologue only widens the input: `yield extf(x)`.
static bool isWidening(Region &prologue) {
  Block &body = prologue.front();
  if (body.getNumArguments() != 1)
    return false;
  auto ext = cast<YieldOp>(body.getTerminator())
                 .getValue()
                 .getDefiningOp<arith::ExtFOp>();
  return ext && ext.getIn() == body.getArgument(0) &&
         &body.front() == ext.getOperation();
}

/// Folds the generic that makes `op`'s input into its prologue.
static LogicalResult fuseProducer(RewriterBase &rewriter,
                                  NormalizationOpInterface op) {
  Value input = op.getInput();
  auto generic = input.getDefiningOp<linalg::GenericOp>();
  int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  if (!generic || !isFusableGeneric(generic, rank))
    return failure();
  // Other users of the generic's value: the norm op returns it instead, so
  // they must come after the norm op and the norm op must have no prologue.
  bool shared = false;
  for (OpOperand &use : input.getUses()) {
    if (use.getOwner() == op.getOperation()) {
      if (use.getOperandNumber() != 0)
        return failure(); // also a gamma, a residual, ...
      continue;
    }
    shared = true;
    Operation *user = use.getOwner();
    while (user && user->getBlock() != op->getBlock())
      user = user->getParentOp();
    if (!user || !op->isBeforeInBlock(user))
      return failure();
  }
  // With a prologue already, the norm op can still return the generic's
  // value when that prologue only widens it: the prologue result is the
  // prologue's value stored at the result's type, which gives it back
  // exactly.
  if (shared && (op.getPrologueResult() ||
                 (!op.getPrologue().empty() && !isWidening(op.getPrologue()))))
    return failure();
  // The new input: an identity-indexed float operand of the generic, of
  // the same shape (static and dynamic extents alike) as the old input.
  OpOperand *x = nullptr;
  for (OpOperand *operand : generic.getDpsInputOperands()) {
    auto type = cast<RankedTensorType>(operand->get().getType());
    if (generic.getMatchingIndexingMap(operand).isIdentity() &&
        type.getShape() == cast<RankedTensorType>(input.getType()).getShape() &&
        isa<Float32Type, Float16Type, BFloat16Type>(type.getElementType())) {
      x = operand;
      break;
    }
  }
  if (!x)
    return failure();

  FusedParts parts;
  parts.input = x->get();
  for (OpOperand *operand : generic.getDpsInputOperands()) {
    if (operand == x || splatScalar(operand->get()))
      continue;
    parts.prologueInputs.push_back(operand->get());
    parts.prologueMaps.push_back(generic.getMatchingIndexingMap(operand));
  }
  size_t genericCount = parts.prologueInputs.size();
  llvm::append_range(parts.prologueInputs, op.getPrologueInputs());
  llvm::append_range(parts.prologueMaps, op.getPrologueIndexing());
  if (Value kept = op.getPrologueResult())
    parts.prologueResultType = kept.getType();
  else if (shared)
    parts.prologueResultType = input.getType();
  parts.epilogueInputs = llvm::to_vector(op.getEpilogueInputs());
  parts.epilogueMaps = op.getEpilogueIndexing();
  parts.epilogue = &op.getEpilogue();
  parts.outputType = op.getOutput().getType();

  Region prologue;
  Location loc = generic.getLoc();
  SmallVector<Type> argTypes{getElementTypeOrSelf(parts.input.getType())};
  for (Value v : parts.prologueInputs)
    argTypes.push_back(getElementTypeOrSelf(v.getType()));
  Block *block =
      rewriter.createBlock(&prologue, prologue.end(), argTypes,
                           SmallVector<Location>(argTypes.size(), loc));
  SmallVector<Value> args;
  auto extra = block->getArguments().drop_front();
  unsigned next = 0;
  for (OpOperand *operand : generic.getDpsInputOperands())
    args.push_back(operand == x
                       ? Value(block->getArgument(0))
                       : argumentFor(rewriter, loc, operand, extra, next));
  Value h = inlineBody(rewriter, *generic.getBody(), args);
  if (!op.getPrologue().empty()) {
    SmallVector<Value> oldArgs{h};
    llvm::append_range(oldArgs, extra.drop_front(genericCount));
    h = inlineBody(rewriter, op.getPrologue().front(), oldArgs);
  }
  YieldOp::create(rewriter, loc, h);
  parts.prologue = &prologue;

  rewriter.setInsertionPoint(op);
  NormalizationOpInterface fused = rebuildNormOp(rewriter, op, parts);
  SmallVector<Value> results(fused->getResults());
  if (shared) {
    rewriter.replaceAllUsesExcept(input, fused.getPrologueResult(), fused);
    results.pop_back();
  }
  rewriter.replaceOp(op, results);
  if (generic->use_empty())
    rewriter.eraseOp(generic);
  return success();
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {
struct NormFuseElementwisePass
    : norm::impl::NormFuseElementwisePassBase<NormFuseElementwisePass> {
  void runOnOperation() override {
    Operation *root = getOperation();
    IRRewriter rewriter(&getContext());

    // 1. Generics everywhere around norm ops, unit-dim broadcasts as
    // broadcasts.
    for (Operation *op : connectedCandidates(root))
      toGeneric(rewriter, op);
    for (Operation *op : connectedCandidates(root))
      if (auto generic = dyn_cast<linalg::GenericOp>(op))
        dropUnitBroadcasts(rewriter, generic);

    // 2. Chains of generics around norm ops fused into one generic each.
    bool changed = true;
    while (changed) {
      changed = false;
      for (Operation *op : connectedCandidates(root)) {
        auto consumer = dyn_cast<linalg::GenericOp>(op);
        if (!consumer)
          continue;
        for (OpOperand &operand : consumer->getOpOperands()) {
          auto producer = operand.get().getDefiningOp<linalg::GenericOp>();
          if (!producer || !operand.get().hasOneUse() ||
              !linalg::areElementwiseOpsFusable(&operand))
            continue;
          rewriter.setInsertionPoint(consumer);
          FailureOr<linalg::ElementwiseOpFusionResult> fused =
              linalg::fuseElementwiseOps(rewriter, &operand);
          if (failed(fused))
            continue;
          for (auto [from, to] : fused->replacements)
            rewriter.replaceAllUsesExcept(from, to, fused->fusedOp);
          rewriter.eraseOp(consumer);
          if (producer->use_empty())
            rewriter.eraseOp(producer);
          changed = true;
          break;
        }
        if (changed)
          break;
      }
    }

    // 3. Into the norm ops, to a fixed point.
    changed = true;
    while (changed) {
      changed = false;
      SmallVector<NormalizationOpInterface> ops;
      root->walk([&](NormalizationOpInterface op) { ops.push_back(op); });
      for (NormalizationOpInterface op : ops) {
        if (succeeded(fuseConsumer(rewriter, op)) ||
            succeeded(fuseProducer(rewriter, op)) ||
            succeeded(foldTransposes(rewriter, op))) {
          changed = true;
          break;
        }
      }
    }

    // The inits of the generics that were folded away.
    root->walk([&](tensor::EmptyOp empty) {
      if (empty->use_empty())
        rewriter.eraseOp(empty);
    });
  }
};
} // namespace
