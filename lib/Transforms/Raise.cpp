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

namespace {

/// Statistics over `axes` of `x` (a tensor, seen through widening casts),
/// produced by a reduction whose result is indexed by `outMap` from the
/// reduction's loops (the loops of x).
struct Stat {
  Value x;
  SmallVector<int64_t> axes;
  AffineMap outMap;
  bool operator==(const Stat &o) const {
    return x == o.x && axes == o.axes && outMap == o.outMap;
  }
};

/// A scalar constant, also through a cast of a constant.
std::optional<double> constantValue(Value v) {
  if (auto cast = v.getDefiningOp<arith::TruncFOp>())
    return constantValue(cast.getIn());
  if (auto cast = v.getDefiningOp<arith::ExtFOp>())
    return constantValue(cast.getIn());
  FloatAttr f;
  if (matchPattern(v, m_Constant(&f)))
    return f.getValueAsDouble();
  IntegerAttr i;
  if (matchPattern(v, m_Constant(&i)))
    return static_cast<double>(i.getInt());
  return std::nullopt;
}

/// The generic whose body `arg` belongs to, and the operand it reads.
OpOperand *readOperand(Value v) {
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg)
    return nullptr;
  auto generic = dyn_cast<linalg::GenericOp>(arg.getOwner()->getParentOp());
  if (!generic || arg.getOwner() != generic.getBody() ||
      arg.getArgNumber() >= generic.getNumDpsInputs())
    return nullptr;
  return generic.getDpsInputOperand(arg.getArgNumber());
}

/// Looks through block arguments that read an elementwise generic's result
/// with the identity map: the scalar that generic yields.
Value resolve(Value v) {
  while (OpOperand *operand = readOperand(v)) {
    auto owner = cast<linalg::GenericOp>(operand->getOwner());
    if (!owner.getMatchingIndexingMap(operand).isIdentity())
      return v;
    auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
    if (!isElementwiseGeneric(producer))
      return v;
    v = producer.getBody()->getTerminator()->getOperand(0);
  }
  return v;
}

/// resolve, then through float casts (a widening extf always; a narrowing
/// truncf only when `narrowing`).
Value peel(Value v, bool narrowing) {
  while (true) {
    v = resolve(v);
    if (auto ext = v.getDefiningOp<arith::ExtFOp>()) {
      v = ext.getIn();
      continue;
    }
    if (auto trunc = v.getDefiningOp<arith::TruncFOp>(); trunc && narrowing) {
      v = trunc.getIn();
      continue;
    }
    return v;
  }
}

/// The tensor a scalar reads with the identity map of its generic (through
/// extf in the body), seen through generics that only widen it. Unlike
/// resolve, this stops at the first tensor that is not a widening cast.
Value identityRead(Value v) {
  while (auto ext = v.getDefiningOp<arith::ExtFOp>())
    v = ext.getIn();
  OpOperand *operand = readOperand(v);
  if (!operand || !cast<linalg::GenericOp>(operand->getOwner())
                       .getMatchingIndexingMap(operand)
                       .isIdentity())
    return {};
  Value t = operand->get();
  while (auto g = t.getDefiningOp<linalg::GenericOp>()) {
    if (!isElementwiseGeneric(g) || g.getNumDpsInputs() != 1)
      break;
    Value y = g.getBody()->getTerminator()->getOperand(0);
    auto ext = y.getDefiningOp<arith::ExtFOp>();
    if (!ext || ext.getIn() != g.getBody()->getArgument(0) ||
        !g.getMatchingIndexingMap(g.getDpsInputOperand(0)).isIdentity())
      break;
    t = g.getDpsInputOperand(0)->get();
  }
  return t;
}

/// A sum reduction read with the identity map by `v`: its body term and
/// reduced loops.
struct Reduction {
  Value term;
  SmallVector<int64_t> axes;
  AffineMap outMap;
  int64_t count = 1;
};

/// A tensor filled with 0: linalg.fill, or the generic it generalizes to.
bool isZeroFilled(Value init) {
  std::optional<double> value;
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    value = constantValue(fill.getInputs()[0]);
  } else if (auto g = init.getDefiningOp<linalg::GenericOp>()) {
    if (g.getNumResults() != 1 || g.getNumLoops() != g.getNumParallelLoops() ||
        g.payloadUsesValueFromOperand(g.getDpsInitOperand(0)))
      return false;
    Value y = g.getBody()->getTerminator()->getOperand(0);
    if (auto arg = dyn_cast<BlockArgument>(y);
        arg && arg.getOwner() == g.getBody() &&
        arg.getArgNumber() < g.getNumDpsInputs())
      value = constantValue(g.getDpsInputOperand(arg.getArgNumber())->get());
    else
      value = constantValue(y);
  }
  return value && *value == 0.0;
}

std::optional<Reduction> matchSum(Value v) {
  OpOperand *operand = readOperand(resolve(v));
  if (!operand || !cast<linalg::GenericOp>(operand->getOwner())
                       .getMatchingIndexingMap(operand)
                       .isIdentity())
    return std::nullopt;
  auto g = operand->get().getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumResults() != 1 || g.getNumDpsInputs() < 1)
    return std::nullopt;
  if (!isZeroFilled(g.getDpsInitOperand(0)->get()))
    return std::nullopt;
  // yield addf(term, acc).
  Block *body = g.getBody();
  auto add =
      body->getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  Value acc = body->getArgument(g.getNumDpsInputs());
  if (!add || (add.getLhs() != acc && add.getRhs() != acc))
    return std::nullopt;
  Reduction r;
  r.term = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  r.outMap = g.getMatchingIndexingMap(g.getDpsInitOperand(0));
  for (auto [i, it] : llvm::enumerate(g.getIteratorTypesArray())) {
    if (it == utils::IteratorType::reduction)
      r.axes.push_back(static_cast<int64_t>(i));
  }
  if (r.axes.empty())
    return std::nullopt;
  // The term must read the reduced tensor with the identity map; the count
  // is the product of its reduced extents.
  for (OpOperand *input : g.getDpsInputOperands())
    if (!g.getMatchingIndexingMap(input).isIdentity() &&
        !g.getMatchingIndexingMap(input).isProjectedPermutation())
      return std::nullopt;
  SmallVector<int64_t> loops = g.getStaticLoopRanges();
  for (int64_t a : r.axes) {
    if (ShapedType::isDynamic(loops[a]))
      return std::nullopt;
    r.count *= loops[a];
  }
  return r;
}

/// `v` (in the statistics' space) = sum(term) / n, for the reduction's own
/// element count n: returns the reduction.
std::optional<Reduction> matchAverage(Value v) {
  v = peel(v, /*narrowing=*/true);
  Value sum;
  std::optional<double> scale;
  bool divide = false;
  if (auto div = v.getDefiningOp<arith::DivFOp>()) {
    sum = div.getLhs();
    scale = constantValue(div.getRhs());
    divide = true;
  } else if (auto mul = v.getDefiningOp<arith::MulFOp>()) {
    sum = mul.getLhs();
    scale = constantValue(mul.getRhs());
    if (!scale) {
      sum = mul.getRhs();
      scale = constantValue(mul.getLhs());
    }
  }
  if (!sum || !scale)
    return std::nullopt;
  std::optional<Reduction> r = matchSum(peel(sum, /*narrowing=*/true));
  if (!r)
    return std::nullopt;
  double n = static_cast<double>(r->count);
  bool exact = divide ? *scale == n : std::fabs(*scale * n - 1.0) < 1e-6;
  if (!exact)
    return std::nullopt;
  return r;
}

/// A scalar in a generic of the input's loops that reads a statistic with a
/// broadcast map: the scalar the statistic's generic yields, and the map.
std::optional<std::pair<Value, AffineMap>> broadcastRead(Value v) {
  OpOperand *operand = readOperand(peel(v, /*narrowing=*/true));
  if (!operand)
    return std::nullopt;
  AffineMap map = cast<linalg::GenericOp>(operand->getOwner())
                      .getMatchingIndexingMap(operand);
  Value read = operand->get();
  // ONNX importers collapse Nx1 statistics to N before broadcasting them:
  // reading the collapsed tensor with map m reads the source with 0 for
  // the dropped unit dims.
  if (auto collapse = read.getDefiningOp<tensor::CollapseShapeOp>()) {
    RankedTensorType source = collapse.getSrcType();
    SmallVector<AffineExpr> exprs;
    for (auto [i, group] :
         llvm::enumerate(collapse.getReassociationIndices())) {
      int64_t kept = group.back(); // the one dim that is not 1, if any
      int64_t others = 0;
      for (int64_t d : group)
        if (source.getDimSize(d) != 1) {
          kept = d;
          ++others;
        }
      if (others > 1)
        return std::nullopt; // a real reshape, not dropped unit dims
      for (int64_t d : group)
        exprs.push_back(d == kept ? map.getResult(i)
                                  : getAffineConstantExpr(0, map.getContext()));
    }
    map = AffineMap::get(map.getNumDims(), 0, exprs, map.getContext());
    read = collapse.getSrc();
  }
  auto producer = read.getDefiningOp<linalg::GenericOp>();
  if (!isElementwiseGeneric(producer))
    return std::nullopt;
  return std::make_pair(producer.getBody()->getTerminator()->getOperand(0),
                        map);
}

/// mean(x) over some axes, read by a scalar of the input's loops.
std::optional<Stat> matchMeanRead(Value v) {
  auto read = broadcastRead(v);
  if (!read)
    return std::nullopt;
  std::optional<Reduction> r = matchAverage(read->first);
  if (!r || r->outMap != read->second)
    return std::nullopt;
  Value x = identityRead(r->term);
  if (!x)
    return std::nullopt;
  return Stat{x, r->axes, r->outMap};
}

bool isSquare(Value v, Value &base) {
  v = resolve(v);
  if (auto mul = v.getDefiningOp<arith::MulFOp>()) {
    if (resolve(mul.getLhs()) != resolve(mul.getRhs()))
      return false;
    base = mul.getLhs();
    return true;
  }
  Value exponent;
  if (auto pow = v.getDefiningOp<math::FPowIOp>()) {
    base = pow.getLhs();
    exponent = pow.getRhs();
  } else if (auto pow = v.getDefiningOp<math::PowFOp>()) {
    base = pow.getLhs();
    exponent = pow.getRhs();
  } else {
    return false;
  }
  std::optional<double> e = constantValue(exponent);
  return e && *e == 2.0;
}

/// var(x) = mean((x - mean(x))^2) (centered) or mean(x^2), in the
/// statistics' space.
std::optional<Stat> matchVariance(Value v, bool centered) {
  std::optional<Reduction> r = matchAverage(v);
  if (!r)
    return std::nullopt;
  Value base;
  if (!isSquare(r->term, base))
    return std::nullopt;
  Value x;
  if (centered) {
    auto sub = peel(base, false).getDefiningOp<arith::SubFOp>();
    if (!sub)
      return std::nullopt;
    x = identityRead(sub.getLhs());
    std::optional<Stat> mean = matchMeanRead(sub.getRhs());
    if (!x || !mean || mean->x != x || mean->axes != r->axes)
      return std::nullopt;
  } else {
    x = identityRead(base);
    if (!x)
      return std::nullopt;
  }
  return Stat{x, r->axes, r->outMap};
}

/// rsqrt(v + eps) or 1 / sqrt(v + eps) (`inverse`), or sqrt(v + eps) (not
/// `inverse`), eps a non-negative constant: returns v and sets `eps`.
Value matchRootOfSum(Value s, bool inverse, double &eps) {
  s = peel(s, /*narrowing=*/true);
  Value root;
  if (inverse) {
    if (auto rsqrt = s.getDefiningOp<math::RsqrtOp>()) {
      root = rsqrt.getOperand();
    } else if (auto div = s.getDefiningOp<arith::DivFOp>()) {
      std::optional<double> one = constantValue(div.getLhs());
      auto sqrt = peel(div.getRhs(), true).getDefiningOp<math::SqrtOp>();
      if (one && *one == 1.0 && sqrt)
        root = sqrt.getOperand();
    }
  } else if (auto sqrt = s.getDefiningOp<math::SqrtOp>()) {
    root = sqrt.getOperand();
  }
  auto add =
      root ? peel(root, true).getDefiningOp<arith::AddFOp>() : arith::AddFOp();
  if (!add)
    return {};
  Value v = add.getLhs();
  std::optional<double> e = constantValue(add.getRhs());
  if (!e) {
    v = add.getRhs();
    e = constantValue(add.getLhs());
  }
  if (!e || *e < 0)
    return {};
  eps = *e;
  return v;
}

/// The scale of a normalization, matchRootOfSum of a variance, in the
/// statistics' space.
std::optional<Stat> matchScale(Value v, bool centered, bool inverse,
                               double &eps) {
  Value var = matchRootOfSum(v, inverse, eps);
  if (!var)
    return std::nullopt;
  return matchVariance(var, centered);
}

std::optional<Stat> matchScaleRead(Value v, bool centered, bool inverse,
                                   double &eps) {
  auto read = broadcastRead(v);
  if (!read)
    return std::nullopt;
  std::optional<Stat> s = matchScale(read->first, centered, inverse, eps);
  if (!s || s->outMap != read->second)
    return std::nullopt;
  return s;
}

/// What one op of a generic's body computes, if it is a normalization.
struct Found {
  Operation *op; // its result is the normalized value
  Value xScalar; // the scalar of x it reads
  Stat stat;
  double eps;
  bool centered;
  // Batch norm inference: the given per-channel statistics and their axis.
  Value mean, var;
  int64_t channelAxis = -1;
};

/// A per-channel vector read by a scalar of the input's loops: a 1-D tensor
/// read as (..., dK, ...) -> (dK), or an expand_shape of one to Cx1x1 read
/// as (..., dK, ...) -> (dK, 0, 0). Returns the vector and K.
std::optional<std::pair<Value, int64_t>> channelRead(Value v) {
  OpOperand *operand = readOperand(peel(v, /*narrowing=*/false));
  if (!operand)
    return std::nullopt;
  AffineMap map = cast<linalg::GenericOp>(operand->getOwner())
                      .getMatchingIndexingMap(operand);
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
  Value var = v ? unpadChannelVector(identityRead(v)) : Value();
  auto isChannelVector = [](Value t) {
    auto type = dyn_cast<RankedTensorType>(t.getType());
    return type && type.getRank() == 1 && type.getElementType().isF32();
  };
  if (!var || !isChannelVector(var) || !isChannelVector(mean->first))
    return std::nullopt;
  Found found{op, sub.getLhs(), Stat{}, eps, true};
  found.mean = mean->first;
  found.var = var;
  found.channelAxis = mean->second;
  return found;
}

std::optional<Found> matchNormalization(Operation *op) {
  double eps = 0;
  // (x - mean) * rstd, x * rstd (RMS), (x - mean) / std.
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
    for (auto [a, b] : {std::pair{mul.getLhs(), mul.getRhs()},
                        std::pair{mul.getRhs(), mul.getLhs()}}) {
      Stat mean;
      if (Value x = centeredX(a, mean)) {
        std::optional<Stat> s = matchScaleRead(b, true, true, eps);
        if (s && *s == mean && identityRead(x) == s->x)
          return Found{op, x, *s, eps, true};
      }
      std::optional<Stat> s = matchScaleRead(b, false, true, eps);
      if (s && identityRead(a) == s->x)
        return Found{op, a, *s, eps, false};
      if (auto bn = matchBatchNormInference(op, a, b, /*inverse=*/true))
        return bn;
    }
  }
  if (auto div = dyn_cast<arith::DivFOp>(op)) {
    Stat mean;
    if (Value x = centeredX(div.getLhs(), mean)) {
      std::optional<Stat> s = matchScaleRead(div.getRhs(), true, false, eps);
      if (s && *s == mean && identityRead(x) == s->x)
        return Found{op, x, *s, eps, true};
    }
    if (auto bn = matchBatchNormInference(op, div.getLhs(), div.getRhs(),
                                          /*inverse=*/false))
      return bn;
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
  } else {
    state.addAttribute("axes", rewriter.getDenseI64ArrayAttr(found.stat.axes));
    state.addAttribute("operandSegmentSizes",
                       rewriter.getDenseI32ArrayAttr({1, 0, 0, 0, 0}));
    state.addAttribute("resultSegmentSizes",
                       rewriter.getDenseI32ArrayAttr({1, 0, 0}));
  }
  Region *prologue = state.addRegion();
  state.addRegion();
  if (xType.getElementType() != normalized) {
    Block *block =
        rewriter.createBlock(prologue, {}, {xType.getElementType()}, {loc});
    Value wide =
        arith::ExtFOp::create(rewriter, loc, normalized, block->getArgument(0));
    YieldOp::create(rewriter, loc, wide);
    rewriter.setInsertionPoint(generic);
  }
  Operation *norm = rewriter.create(state);

  // The generic again, reading the normalized tensor in place of the
  // matched op.
  SmallVector<Value> inputs(generic.getDpsInputs());
  inputs.push_back(norm->getResult(0));
  SmallVector<AffineMap> maps;
  for (OpOperand *input : generic.getDpsInputOperands())
    maps.push_back(generic.getMatchingIndexingMap(input));
  maps.push_back(rewriter.getMultiDimIdentityMap(generic.getNumLoops()));
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
            mapping.map(inner.getResult(0), args[numInputs]);
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

struct NormRaisePass : norm::impl::NormRaisePassBase<NormRaisePass> {
  void runOnOperation() override {
    Operation *root = getOperation();
    MLIRContext *context = &getContext();
    // Named and arith ops on tensors as linalg.generic ops.
    {
      RewritePatternSet patterns(context);
      linalg::populateLinalgNamedOpsGeneralizationPatterns(patterns);
      linalg::populateElementwiseToLinalgConversionPatterns(patterns);
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
  }
};

} // namespace
