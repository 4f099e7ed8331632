//===- RaiseGroupNorm.cpp - Group norms written as reshaped LayerNorms ----===//
//
// ONNX importers write GroupNormalization as a reshape of x [N, C, ...] to
// [N, G, C/G * ...], a normalization over the last axis (which --norm-raise
// turns into a LayerNorm), a reshape back, and the per-channel affine;
// PyTorch's decomposition of F.group_norm without weights normalizes the
// [N, G, C/G, H*W] view over its last two axes. This replaces such a
// reshaped LayerNorm with one norm.group_norm of x; the affine is then per
// channel of x, which --norm-fuse-elementwise folds in. (PyTorch's form with
// weights is RaiseTorchGroupNorm.cpp's.)
//
//===----------------------------------------------------------------------===//

#include "RaiseGroupNorm.h"

#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::norm;

/// `v` seen through row-major reshapes.
static Value throughReshapes(Value v) {
  while (true) {
    if (auto c = v.getDefiningOp<tensor::CollapseShapeOp>()) {
      v = c.getSrc();
      continue;
    }
    if (auto e = v.getDefiningOp<tensor::ExpandShapeOp>()) {
      v = e.getSrc();
      continue;
    }
    return v;
  }
}

/// The group norm a reshaped LayerNorm computes, if it is one: replaces the
/// reshape of its result back to x's shape.
static LogicalResult raiseOne(RewriterBase &rewriter, LayerNormOp op) {
  auto ln = cast<NormalizationOpInterface>(op.getOperation());
  if (ln.isFused() || ln.getScaleOperand() || ln.getShiftOperand() ||
      ln->getNumResults() != 1)
    return failure();
  NormDesc desc = ln.getDesc();
  auto view = cast<RankedTensorType>(ln.getInput().getType());
  // Every axis after the group axis is reduced: [N, G, K] (ONNX) or
  // [N, G, C/G, H*W] (PyTorch's decomposition without weights).
  std::vector<int64_t> rest;
  for (int64_t a = 2; a < view.getRank(); ++a)
    rest.push_back(a);
  if (!view.hasStaticShape() || view.getRank() < 3 || desc.axes != rest)
    return failure();
  Value x = throughReshapes(ln.getInput());
  auto xType = dyn_cast<RankedTensorType>(x.getType());
  if (x == ln.getInput() || !xType || !xType.hasStaticShape() ||
      xType.getRank() < 3 || xType.getElementType() != view.getElementType() ||
      xType.getNumElements() != view.getNumElements() ||
      xType.getDimSize(0) != view.getDimSize(0))
    return failure();
  // [N, G, ...] of [N, C, S...] (row-major): G groups of C / G channels.
  int64_t channels = xType.getDimSize(1), groups = view.getDimSize(1);
  if (groups <= 0 || channels % groups != 0)
    return failure();
  // The result, reshaped back to x's shape by single-use reshapes.
  Value back = ln->getResult(0);
  SmallVector<Operation *> chain;
  while (back.hasOneUse() &&
         isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
             *back.getUsers().begin())) {
    chain.push_back(*back.getUsers().begin());
    back = chain.back()->getResult(0);
  }
  auto outType = cast<RankedTensorType>(back.getType());
  if (back == ln->getResult(0) || outType.getShape() != xType.getShape())
    return failure();

  rewriter.setInsertionPointAfterValue(back);
  OperationState state(ln.getLoc(), GroupNormOp::getOperationName());
  state.addOperands(x);
  state.addTypes(outType);
  state.addAttribute("num_groups", rewriter.getI64IntegerAttr(groups));
  state.addAttribute("channel_axis", rewriter.getI64IntegerAttr(1));
  state.addAttribute("epsilon", rewriter.getF64FloatAttr(desc.epsilon));
  if (auto computeType = ln->getAttr("compute_type"))
    state.addAttribute("compute_type", computeType);
  state.addAttribute("operandSegmentSizes",
                     rewriter.getDenseI32ArrayAttr({1, 0, 0, 0, 0}));
  state.addRegion();
  state.addRegion();
  Operation *groupNorm = rewriter.create(state);
  rewriter.replaceAllUsesWith(back, groupNorm->getResult(0));
  // The reshapes and the LayerNorm are dead now.
  Value input = ln.getInput();
  for (Operation *op : llvm::reverse(chain))
    rewriter.eraseOp(op);
  rewriter.eraseOp(ln);
  while (input != x && input.use_empty()) {
    Operation *reshape = input.getDefiningOp();
    input = reshape->getOperand(0);
    rewriter.eraseOp(reshape);
  }
  return success();
}

void norm::raiseGroupNorms(Operation *root) {
  SmallVector<LayerNormOp> candidates;
  root->walk([&](LayerNormOp ln) { candidates.push_back(ln); });
  IRRewriter rewriter(root->getContext());
  for (LayerNormOp ln : candidates)
    (void)raiseOne(rewriter, ln);
}
