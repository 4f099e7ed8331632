//===- Raise.cpp - Recognize normalizations written out in linalg ---------===//
//
// Importers (torch-mlir, ONNX decompositions) write a LayerNorm as a handful
// of linalg ops: a sum reduction for the mean, a second one for the variance,
// elementwise ops for rsqrt(var + eps) and for (x - mean) * rstd. This pass
// finds that formula, exactly, and replaces the elementwise op that applies
// it with a norm op; what surrounds it (gamma, beta, activations) stays in
// linalg for --norm-fuse-elementwise.
//
// Matching works on scalar SSA values inside linalg.generic bodies. A block
// argument that reads, with the identity map, the result of another
// elementwise generic is looked through to the value that generic yields, so
// the formula is found whether the importer wrote one op per step or fused
// them. A read with a broadcast map (the mean of shape Nx1 read as (d0, 0))
// is where the statistics begin.
//
//===----------------------------------------------------------------------===//

#include "RaiseGroupNorm.h"
#include "RaiseMatchers.h"
#include "RaiseStatistics.h"

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Transforms/FusedForm.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMRAISEPASS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::raise;

namespace {

/// What one op of a generic's body computes, if it is a normalization.
struct Found {
  Operation *op; // its result is the normalized value
  Value xScalar; // the scalar of x it reads
  Stat stat;
  double eps;
  bool centered;
  // Batch norm inference: the given per-channel statistics and their axis.
  Value mean = {}, var = {};
  int64_t channelAxis = -1;
  // x / max(sqrt(sum(x^2)), eps): an L2 normalization.
  bool l2 = false;
  // Epsilon on the standard deviation: 1 / (sqrt(var) + eps).
  bool onStd = false;
  // The variance divided by n - 1 (torch.var's default).
  bool unbiased = false;
  // (w * (x - mean)) / std: the factor w, read from `factor` with
  // `factorMap` in the loops of the generic (w * the normalized value
  // replaces the quotient).
  OpOperand *factor = nullptr;
};

/// A per-channel vector read by a scalar of the input's loops: a 1-D tensor
/// read as (..., dK, ...) -> (dK), or an expand_shape of one to Cx1x1 read
/// as (..., dK, ...) -> (dK, 0, 0). Returns the vector and K.
std::optional<std::pair<Value, int64_t>> channelRead(Value v) {
  OpOperand *operand = readOperand(peel(v, /*narrowing=*/false));
  if (!operand)
    return std::nullopt;
  auto owner = cast<linalg::GenericOp>(operand->getOwner());
  // A batch of one may be read as d0 or as 0.
  AffineMap map = unitLoopsAsZero(owner.getMatchingIndexingMap(operand), owner);
  Value t = operand->get();
  int64_t dim = -1;
  for (AffineExpr e : map.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      if (dim >= 0)
        return std::nullopt;
      dim = d.getPosition();
    } else if (auto c = dyn_cast<AffineConstantExpr>(e); !c || c.getValue()) {
      return std::nullopt;
    }
  }
  if (dim < 0)
    return std::nullopt;
  if (map.getNumResults() > 1) {
    // An expand_shape of the vector; or (ONNX importers) a tensor computed
    // on the expanded 1xCx1x1 vectors, whose other dims are all 1.
    if (auto expand = t.getDefiningOp<tensor::ExpandShapeOp>();
        expand && expand.getSrcType().getRank() == 1) {
      t = expand.getSrc();
    } else {
      auto type = dyn_cast<RankedTensorType>(t.getType());
      if (!type || !t.getDefiningOp<linalg::GenericOp>())
        return std::nullopt;
      for (auto [e, extent] : llvm::zip(map.getResults(), type.getShape()))
        if (isa<AffineConstantExpr>(e) && extent != 1)
          return std::nullopt;
    }
  }
  return std::make_pair(t, dim);
}

/// A per-channel vector seen through an expand_shape to 1xCx1x1 (other
/// dims 1), as ONNX importers pass them.
Value unpadChannelVector(Value t) {
  if (auto expand = t.getDefiningOp<tensor::ExpandShapeOp>();
      expand && expand.getSrcType().getRank() == 1 &&
      llvm::count_if(expand.getResultType().getShape(),
                     [](int64_t d) { return d != 1; }) <= 1)
    return expand.getSrc();
  return t;
}

/// The given-statistics form of batch norm (inference):
/// (x - m[c]) * rsqrt(v[c] + eps) or (x - m[c]) / sqrt(v[c] + eps), with m
/// and v f32 vectors along the same axis c, the rsqrt (sqrt) computed on the
/// vector.
std::optional<Found> matchBatchNormInference(Operation *op, Value centered,
                                             Value scale, bool inverse) {
  auto sub = peel(centered, false).getDefiningOp<arith::SubFOp>();
  if (!sub)
    return std::nullopt;
  auto mean = channelRead(sub.getRhs());
  auto rstd = channelRead(scale);
  if (!mean || !rstd || mean->second != rstd->second)
    return std::nullopt;
  auto producer = rstd->first.getDefiningOp<linalg::GenericOp>();
  if (!isElementwiseGeneric(producer))
    return std::nullopt;
  double eps = 0;
  Value v = matchRootOfSum(producer.getBody()->getTerminator()->getOperand(0),
                           inverse, eps);
  auto isChannelVector = [](Value t) {
    auto type = t ? dyn_cast<RankedTensorType>(t.getType()) : nullptr;
    return type && type.getRank() == 1 && type.getElementType().isF32();
  };
  // The f32 vector, seen through widening generics; else (a bf16 model
  // widens its bf16 running variance) the widened f32 vector itself.
  Value var = v ? unpadChannelVector(identityRead(v)) : Value();
  if (OpOperand *read = v ? identityOperand(v) : nullptr;
      read && !isChannelVector(var))
    var = unpadChannelVector(read->get());
  if (!isChannelVector(var) || !isChannelVector(mean->first))
    return std::nullopt;
  Found found{op, sub.getLhs(), Stat{}, eps, true};
  found.mean = mean->first;
  found.var = var;
  found.channelAxis = mean->second;
  return found;
}

/// max(v, eps) as importers write it (select(v < eps, eps, v), either
/// comparison order, or maximumf/maxnumf): returns v and sets eps.
Value matchClampMin(Value v, double &eps) {
  v = peel(v, /*narrowing=*/true);
  if (auto orders = operandsOf<arith::MaximumFOp>(v); !orders.empty()) {
    for (auto [value, limit] : orders)
      if (std::optional<double> e = constantValue(limit); e && *e >= 0) {
        eps = *e;
        return value;
      }
    return {};
  }
  auto select = v.getDefiningOp<arith::SelectOp>();
  auto cmp = select ? select.getCondition().getDefiningOp<arith::CmpFOp>()
                    : arith::CmpFOp();
  if (!cmp)
    return {};
  // select(v < eps, eps, v) or select(v > eps, v, eps).
  using P = arith::CmpFPredicate;
  P pred = cmp.getPredicate();
  bool less =
      pred == P::ULT || pred == P::OLT || pred == P::ULE || pred == P::OLE;
  bool greater =
      pred == P::UGT || pred == P::OGT || pred == P::UGE || pred == P::OGE;
  Value value = cmp.getLhs();
  std::optional<double> e = constantValue(cmp.getRhs());
  Value picked = less ? select.getFalseValue() : select.getTrueValue();
  Value other = less ? select.getTrueValue() : select.getFalseValue();
  if ((!less && !greater) || !e || *e < 0 || picked != value ||
      constantValue(other) != e)
    return {};
  eps = *e;
  return value;
}

/// x / max(sqrt(sum(x^2)), eps) with the norm read back by broadcast
/// (PyTorch's F.normalize), or x / sqrt(sum(x^2)) (ONNX's LpNormalization,
/// epsilon 0): an L2 normalization of x over the sum's axes.
std::optional<Found> matchL2Normalize(arith::DivFOp div) {
  auto read = broadcastRead(div.getRhs());
  if (!read)
    return std::nullopt;
  // Without a floor (ONNX's LpNormalization) epsilon is 0: max(r, 0) = r.
  double eps = 0;
  Value root = matchClampMin(read->first, eps);
  if (!root)
    root = read->first;
  root = peel(root, /*narrowing=*/true);
  Value sumValue;
  if (auto sqrt = root.getDefiningOp<math::SqrtOp>()) {
    sumValue = sqrt.getOperand();
  } else if (auto pow = root.getDefiningOp<math::PowFOp>()) {
    std::optional<double> half = constantValue(pow.getRhs());
    if (half && *half == 0.5)
      sumValue = pow.getLhs();
  }
  std::optional<Reduction> sum =
      sumValue ? matchSum(peel(sumValue, /*narrowing=*/true)) : std::nullopt;
  Value base;
  if (!sum || sum->outMap != read->second || !isSquare(sum->term, base))
    return std::nullopt;
  // |x|^2 = x^2.
  if (auto abs = peel(base, false).getDefiningOp<math::AbsFOp>())
    base = abs.getOperand();
  Value x = identityRead(base);
  if (!x || identityRead(div.getLhs()) != x)
    return std::nullopt;
  Found found{div, div.getLhs(), Stat{x, sum->axes, sum->outMap}, eps, false};
  found.l2 = true;
  return found;
}

std::optional<Found> matchNormalization(Operation *op) {
  double eps = 0;
  bool onStd = false, unbiased = false;
  auto found = [&](Value x, const Stat &s, bool centered) {
    Found f{op, x, s, eps, centered};
    f.onStd = onStd;
    f.unbiased = unbiased;
    return f;
  };
  // (x - mean) * rstd, x * rstd (RMS), (x - mean) / std, x / std (RMS).
  auto centeredX = [&](Value v, Stat &mean) -> Value {
    auto sub = peel(v, false).getDefiningOp<arith::SubFOp>();
    if (!sub)
      return {};
    std::optional<Stat> m = matchMeanRead(sub.getRhs());
    if (!m)
      return {};
    mean = *m;
    return sub.getLhs();
  };
  if (auto mul = dyn_cast<arith::MulFOp>(op)) {
    for (auto [a, b] : operandsOf<arith::MulFOp>(mul.getResult())) {
      Stat mean;
      if (Value x = centeredX(a, mean)) {
        std::optional<Stat> s =
            matchScaleRead(b, true, true, eps, &onStd, &unbiased);
        if (s && *s == mean && identityRead(x) == s->x)
          return found(x, *s, true);
      }
      std::optional<Stat> s =
          matchScaleRead(b, false, true, eps, &onStd, &unbiased);
      if (s && identityRead(a) == s->x)
        return found(a, *s, false);
      if (auto bn = matchBatchNormInference(op, a, b, /*inverse=*/true))
        return bn;
    }
  }
  if (auto div = dyn_cast<arith::DivFOp>(op)) {
    Stat mean;
    if (Value x = centeredX(div.getLhs(), mean)) {
      std::optional<Stat> s =
          matchScaleRead(div.getRhs(), true, false, eps, &onStd, &unbiased);
      if (s && *s == mean && identityRead(x) == s->x)
        return found(x, *s, true);
    }
    // (w * (x - mean)) / std, the weight applied before the division (the
    // Annotated Transformer's and BERT-pytorch's LayerNorm): w * the
    // normalized value, w a tensor read by a generic that this one reads
    // through identity maps only (so its map holds in these loops).
    for (auto [w, c] :
         operandsOf<arith::MulFOp>(peel(div.getLhs(), /*narrowing=*/false))) {
      OpOperand *factor = readOperand(w);
      if (!factor || w.getType() != div.getType())
        continue;
      Value x = centeredX(c, mean);
      if (!x)
        continue;
      std::optional<Stat> s =
          matchScaleRead(div.getRhs(), true, false, eps, &onStd, &unbiased);
      if (s && *s == mean && identityRead(x) == s->x) {
        Found f = found(x, *s, true);
        f.factor = factor;
        return f;
      }
    }
    // x / sqrt(mean(x^2) + eps): RMSNorm as ONNX exporters decompose it.
    std::optional<Stat> s =
        matchScaleRead(div.getRhs(), false, false, eps, &onStd, &unbiased);
    if (s && identityRead(div.getLhs()) == s->x)
      return found(div.getLhs(), *s, false);
    if (auto bn = matchBatchNormInference(op, div.getLhs(), div.getRhs(),
                                          /*inverse=*/false))
      return bn;
    if (auto l2 = matchL2Normalize(div))
      return l2;
  }
  return std::nullopt;
}

/// Replaces the normalization found in `generic` by a norm op whose result
/// the generic reads instead.
LogicalResult raise(RewriterBase &rewriter, linalg::GenericOp generic,
                    const Found &found) {
  // The tensor x is read from (perhaps by a generic that feeds this one):
  // the norm op's input. A narrower tensor widened in the body becomes a
  // prologue that widens it.
  Value xScalar = found.xScalar;
  while (auto ext = xScalar.getDefiningOp<arith::ExtFOp>())
    xScalar = ext.getIn();
  OpOperand *xOperand = readOperand(xScalar);
  if (!xOperand)
    return failure();
  Value x = xOperand->get();
  auto xType = cast<RankedTensorType>(x.getType());
  Type normalized = found.op->getResult(0).getType();
  // A formula computed in f64 (a 16-bit model's decomposition that promotes
  // to double) gets an f32 result, widened where the f64 value was used:
  // the norm op computes in f32 either way.
  Type used = normalized;
  if (normalized.isF64())
    normalized = rewriter.getF32Type();
  if (!isa<Float32Type, Float16Type, BFloat16Type>(normalized) ||
      !isa<Float32Type, Float16Type, BFloat16Type>(xType.getElementType()) ||
      xType.getElementType().getIntOrFloatBitWidth() >
          normalized.getIntOrFloatBitWidth() ||
      xType.getRank() != static_cast<int64_t>(generic.getNumLoops()))
    return failure();

  Location loc = generic.getLoc();
  rewriter.setInsertionPoint(generic);
  DominanceInfo dominance(generic);
  auto outType = RankedTensorType::get(xType.getShape(), normalized);
  OperationState state(loc, found.mean
                                ? BatchNormInferenceOp::getOperationName()
                            : found.l2       ? L2NormalizeOp::getOperationName()
                            : found.centered ? LayerNormOp::getOperationName()
                                             : RMSNormOp::getOperationName());
  state.addOperands(x);
  state.addTypes(outType);
  state.addAttribute("epsilon", rewriter.getF64FloatAttr(found.eps));
  if (found.mean) {
    if (xType.getRank() < 2 || found.channelAxis >= xType.getRank() ||
        !dominance.properlyDominates(found.mean, generic) ||
        !dominance.properlyDominates(found.var, generic))
      return failure();
    state.addOperands({found.mean, found.var});
    state.addAttribute("channel_axis",
                       rewriter.getI64IntegerAttr(found.channelAxis));
    state.addAttribute("operandSegmentSizes",
                       rewriter.getDenseI32ArrayAttr({1, 1, 1, 0, 0, 0, 0}));
  } else if (found.l2) {
    state.addAttribute("axes", rewriter.getDenseI64ArrayAttr(found.stat.axes));
    state.addAttribute("operandSegmentSizes",
                       rewriter.getDenseI32ArrayAttr({1, 0, 0, 0}));
  } else {
    state.addAttribute("axes", rewriter.getDenseI64ArrayAttr(found.stat.axes));
    state.addAttribute("operandSegmentSizes",
                       rewriter.getDenseI32ArrayAttr({1, 0, 0, 0, 0}));
    state.addAttribute("resultSegmentSizes",
                       rewriter.getDenseI32ArrayAttr({1, 0, 0}));
    if (found.onStd)
      state.addAttribute("epsilon_placement",
                         EpsilonPlacementAttr::get(rewriter.getContext(),
                                                   EpsilonPlacement::std));
    if (found.unbiased)
      state.addAttribute(
          "variance_estimator",
          VarianceEstimatorAttr::get(rewriter.getContext(),
                                     VarianceEstimator::unbiased));
  }
  addNormRegions(rewriter, state, xType.getElementType(), normalized);
  Operation *norm = rewriter.create(state);

  // The generic again, reading the normalized tensor in place of the
  // matched op (and the factor applied before the division, after it).
  SmallVector<Value> inputs(generic.getDpsInputs());
  inputs.push_back(norm->getResult(0));
  SmallVector<AffineMap> maps;
  for (OpOperand *input : generic.getDpsInputOperands())
    maps.push_back(generic.getMatchingIndexingMap(input));
  maps.push_back(rewriter.getMultiDimIdentityMap(generic.getNumLoops()));
  if (found.factor) {
    inputs.push_back(found.factor->get());
    maps.push_back(cast<linalg::GenericOp>(found.factor->getOwner())
                       .getMatchingIndexingMap(found.factor));
  }
  maps.push_back(generic.getMatchingIndexingMap(generic.getDpsInitOperand(0)));
  auto replacement = linalg::GenericOp::create(
      rewriter, loc, generic.getResultTypes(), inputs, generic.getDpsInits(),
      maps, generic.getIteratorTypesArray(),
      [&](OpBuilder &b, Location, ValueRange args) {
        Block *old = generic.getBody();
        IRMapping mapping;
        unsigned numInputs = generic.getNumDpsInputs();
        for (unsigned i = 0; i < numInputs; ++i)
          mapping.map(old->getArgument(i), args[i]);
        mapping.map(old->getArgument(numInputs), args.back());
        for (Operation &inner : old->without_terminator()) {
          if (&inner == found.op) {
            Value y = args[numInputs];
            if (used != normalized)
              y = arith::ExtFOp::create(b, loc, used, y);
            if (found.factor)
              y = arith::MulFOp::create(b, loc, args[numInputs + 1], y);
            mapping.map(inner.getResult(0), y);
            continue;
          }
          b.clone(inner, mapping);
        }
        linalg::YieldOp::create(
            b, loc,
            mapping.lookupOrDefault(old->getTerminator()->getOperand(0)));
      });
  rewriter.replaceOp(generic, replacement->getResults());
  return success();
}

/// Generalizes the named linalg ops that a normalization is written with:
/// those with parallel loops only (linalg.add, linalg.exp, ...) and
/// linalg.reduce.
struct GeneralizeNamedStatisticsOps
    : OpInterfaceRewritePattern<linalg::LinalgOp> {
  using OpInterfaceRewritePattern::OpInterfaceRewritePattern;
  LogicalResult matchAndRewrite(linalg::LinalgOp op,
                                PatternRewriter &rewriter) const override {
    if (isa<linalg::GenericOp>(op) ||
        (op.getNumParallelLoops() != op.getNumLoops() &&
         !isa<linalg::ReduceOp>(op)))
      return failure();
    return linalg::generalizeNamedOp(rewriter, op);
  }
};

struct NormRaisePass : norm::impl::NormRaisePassBase<NormRaisePass> {
  void runOnOperation() override {
    Operation *root = getOperation();
    MLIRContext *context = &getContext();
    // Named elementwise and reduction ops, and arith ops on tensors, as
    // linalg.generic ops (convolutions, matmuls and the like stay named).
    {
      RewritePatternSet patterns(context);
      patterns.add<GeneralizeNamedStatisticsOps>(context);
      linalg::populateElementwiseToLinalgConversionPatterns(patterns);
      raise::populateDynamicBroadcastPatterns(patterns);
      if (failed(applyPatternsGreedily(root, std::move(patterns))))
        return signalPassFailure();
    }
    IRRewriter rewriter(context);
    bool changed = true;
    while (changed) {
      changed = false;
      SmallVector<linalg::GenericOp> generics;
      root->walk([&](linalg::GenericOp g) {
        if (isElementwiseGeneric(g))
          generics.push_back(g);
      });
      for (linalg::GenericOp g : generics) {
        for (Operation &op : g.getBody()->without_terminator()) {
          std::optional<Found> found = matchNormalization(&op);
          if (found && succeeded(raise(rewriter, g, *found))) {
            changed = true;
            break;
          }
        }
        if (changed)
          break;
      }
    }
    raiseTorchGroupNorms(rewriter, root);
    // The statistics ops are dead now, and so are the generics' operands
    // that fed the replaced formula.
    RewritePatternSet patterns(context);
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    if (failed(applyPatternsGreedily(root, std::move(patterns))))
      return signalPassFailure();
    // Group norms that the importer wrote as reshaped LayerNorms (their
    // results now reach the reshapes directly).
    raiseGroupNorms(root);
    // Statistics the graph also uses, computed beside a raised op: taken
    // from the op, and their reductions erased.
    if (reuseRaisedStatistics(rewriter, root)) {
      RewritePatternSet cleanup(context);
      linalg::populateEraseUnusedOperandsAndResultsPatterns(cleanup);
      linalg::GenericOp::getCanonicalizationPatterns(cleanup, context);
      if (failed(applyPatternsGreedily(root, std::move(cleanup))))
        return signalPassFailure();
    }
  }
};

} // namespace
