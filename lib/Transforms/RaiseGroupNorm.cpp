//===- RaiseGroupNorm.cpp - Group norms written as reshaped LayerNorms ----===//
//
// ONNX importers write GroupNormalization as a reshape of x [N, C, ...] to
// [N, G, C/G * ...], a normalization over the last axis (which --norm-raise
// turns into a LayerNorm), a reshape back, and the per-channel affine;
// PyTorch's decomposition of F.group_norm without weights normalizes the
// [N, G, C/G, H*W] view over its last two axes, and F.instance_norm the
// [1, N*C, H, W] view over every axis but the second. This replaces such a
// reshaped LayerNorm with one norm.group_norm (norm.instance_norm) of x; an
// affine after the reshape back is then per channel of x, which
// --norm-fuse-elementwise folds in. (PyTorch's group norm with weights is
// RaiseTorchGroupNorm.cpp's; its instance norm with weights applies them
// before the reshape back and stays a LayerNorm of the view.)
//
//===----------------------------------------------------------------------===//

#include "RaiseGroupNorm.h"
#include "RaiseMatchers.h"

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Transforms/FusedForm.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::raise;

/// Whether `op` is an elementwise generic that computes `v * 1` or `v + 0`
/// of the tensor `v` it reads with the identity map, and nothing else.
static bool isIdentityAffine(Operation *op, Value v) {
  auto g = dyn_cast<linalg::GenericOp>(op);
  if (!isElementwiseGeneric(g) || g.getResult(0).getType() != v.getType())
    return false;
  Value y = g.getBody()->getTerminator()->getOperand(0);
  Operation *def = y.getDefiningOp();
  if (!isa_and_nonnull<arith::MulFOp, arith::AddFOp>(def) ||
      def->getBlock() != g.getBody() || &g.getBody()->front() != def)
    return false;
  double neutral = isa<arith::MulFOp>(def) ? 1.0 : 0.0;
  for (auto [a, b] : {std::pair(def->getOperand(0), def->getOperand(1)),
                      std::pair(def->getOperand(1), def->getOperand(0))}) {
    OpOperand *read = readOperand(a);
    std::optional<double> c = constantValue(resolve(b));
    if (read && read->get() == v &&
        g.getMatchingIndexingMap(read).isIdentity() && c && *c == neutral)
      return true;
  }
  return false;
}

/// The group norm or instance norm a reshaped LayerNorm computes, if it is
/// one: replaces the reshape of its result back to x's shape.
static LogicalResult raiseOne(RewriterBase &rewriter, LayerNormOp op) {
  auto ln = cast<NormalizationOpInterface>(op.getOperation());
  if (ln.isFused() || ln.getScaleOperand() || ln.getShiftOperand() ||
      ln->getNumResults() != 1)
    return failure();
  NormDesc desc = ln.getDesc();
  // Group and instance norms add epsilon to the variance only, and take
  // the biased variance.
  if (desc.scaling != Scaling::Variance || desc.unbiasedVar)
    return failure();
  auto view = cast<RankedTensorType>(ln.getInput().getType());
  if (view.getRank() < 3)
    return failure();
  Value x = throughReshapes(ln.getInput());
  auto xType = dyn_cast<RankedTensorType>(x.getType());
  if (x == ln.getInput() || !xType || xType.getRank() < 3 ||
      xType.getElementType() != view.getElementType())
    return failure();
  // Sizes as products of the sizes they are computed from (dynamic ones
  // too: ONNX models reshape with index arithmetic on tensor.dim).
  auto sizes = [](Value t) {
    SmallVector<Monomial> m;
    for (int64_t d = 0; d < cast<RankedTensorType>(t.getType()).getRank(); ++d)
      m.push_back(monomialOfDim(t, d));
    return m;
  };
  auto product = [](ArrayRef<Monomial> m) {
    Monomial p;
    for (const Monomial &f : m)
      p = p * f;
    return p;
  };
  SmallVector<Monomial> viewSizes = sizes(ln.getInput()), xSizes = sizes(x);
  if (!(product(viewSizes) == product(xSizes)))
    return failure();
  // Every axis after the second is reduced; with axis 0 too, the view is
  // [1, N * C, ...] (PyTorch's instance norm), else [N, G, ...]: G groups of
  // C / G channels, [N, G, K] (ONNX) or [N, G, C/G, H*W] (PyTorch's group
  // norm without weights). Row-major reshapes of x [N, C, S...] both (the
  // element counts are equal).
  std::vector<int64_t> rest;
  for (int64_t a = 2; a < view.getRank(); ++a)
    rest.push_back(a);
  std::vector<int64_t> withFirst{0};
  llvm::append_range(withFirst, rest);
  int64_t channels = xSizes[1].factors.empty() ? xSizes[1].coefficient : -1;
  int64_t groups = viewSizes[1].factors.empty() ? viewSizes[1].coefficient : -1;
  bool instance = desc.axes == withFirst && viewSizes[0] == Monomial{1, {}} &&
                  viewSizes[1] == xSizes[0] * xSizes[1];
  bool grouped = desc.axes == rest && viewSizes[0] == xSizes[0] && groups > 0 &&
                 channels > 0 && channels % groups == 0;
  if (!instance && !grouped)
    return failure();
  // The result, reshaped back to x's shape by single-use reshapes (and, as
  // torch.onnx exports GroupNorm through InstanceNormalization with a scale
  // of ones and a bias of zeros per group, multiplied by 1 and added 0).
  Value back = ln->getResult(0);
  SmallVector<Operation *> chain;
  while (back.hasOneUse()) {
    Operation *user = *back.getUsers().begin();
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp, tensor::ReshapeOp>(
            user) &&
        !isIdentityAffine(user, back))
      break;
    chain.push_back(user);
    back = user->getResult(0);
  }
  if (back == ln->getResult(0) || back.getType() != xType)
    return failure();
  SmallVector<Monomial> backSizes = sizes(back);
  for (auto [b, s] : llvm::zip(backSizes, xSizes))
    if (!(b == s))
      return failure();
  auto outType = xType;

  rewriter.setInsertionPointAfterValue(back);
  OperationState state(ln.getLoc(), instance
                                        ? InstanceNormOp::getOperationName()
                                        : GroupNormOp::getOperationName());
  state.addOperands(x);
  state.addTypes(outType);
  if (!instance)
    state.addAttribute("num_groups", rewriter.getI64IntegerAttr(groups));
  state.addAttribute("channel_axis", rewriter.getI64IntegerAttr(1));
  state.addAttribute("epsilon", rewriter.getF64FloatAttr(desc.epsilon));
  if (auto computeType = ln->getAttr("compute_type"))
    state.addAttribute("compute_type", computeType);
  state.addAttribute("operandSegmentSizes",
                     rewriter.getDenseI32ArrayAttr({1, 0, 0, 0, 0}));
  state.addRegion();
  state.addRegion();
  Operation *norm = rewriter.create(state);
  rewriter.replaceAllUsesWith(back, norm->getResult(0));
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
