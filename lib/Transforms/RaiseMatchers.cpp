//===- RaiseMatchers.cpp - Matching normalization formulas in linalg ------===//
//
// The pieces --norm-raise matches (RaiseMatchers.h): sums, averages,
// variances and rsqrt(var + eps), found on scalar SSA values inside
// linalg.generic bodies and looked through the generics that feed them.
//
//===----------------------------------------------------------------------===//

#include "RaiseMatchers.h"

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Transforms/FusedForm.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <cmath>

using namespace mlir;
using namespace mlir::norm;

namespace mlir::norm::raise {

/// A scalar constant, also through a cast of a constant, or an element of
/// a splat constant tensor a generic reads (ONNX's scalar initializers, such
/// as an epsilon, are rank-0 tensors).
std::optional<double> constantValue(Value v) {
  if (auto cast = v.getDefiningOp<arith::TruncFOp>())
    return constantValue(cast.getIn());
  if (auto cast = v.getDefiningOp<arith::ExtFOp>())
    return constantValue(cast.getIn());
  if (OpOperand *operand = readOperand(v)) {
    auto constant = operand->get().getDefiningOp<arith::ConstantOp>();
    auto elements =
        constant ? dyn_cast<DenseElementsAttr>(constant.getValue()) : nullptr;
    if (!elements || !elements.isSplat())
      return std::nullopt;
    if (isa<FloatType>(elements.getElementType()))
      return elements.getSplatValue<APFloat>().convertToDouble();
    if (isa<IntegerType>(elements.getElementType()))
      return static_cast<double>(
          elements.getSplatValue<APInt>().getSExtValue());
    return std::nullopt;
  }
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

OpOperand *identityOperand(Value v) {
  while (auto ext = v.getDefiningOp<arith::ExtFOp>())
    v = ext.getIn();
  OpOperand *operand = readOperand(v);
  if (!operand || !cast<linalg::GenericOp>(operand->getOwner())
                       .getMatchingIndexingMap(operand)
                       .isIdentity())
    return nullptr;
  return operand;
}

Value throughWidening(Value t) {
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

Value throughReshapes(Value t) {
  while (true) {
    if (auto c = t.getDefiningOp<tensor::CollapseShapeOp>())
      t = c.getSrc();
    else if (auto e = t.getDefiningOp<tensor::ExpandShapeOp>())
      t = e.getSrc();
    else if (auto r = t.getDefiningOp<tensor::ReshapeOp>())
      t = r.getSource();
    else
      return t;
  }
}

Value identityRead(Value v) {
  OpOperand *operand = identityOperand(v);
  return operand ? throughWidening(operand->get()) : Value();
}

void addNormRegions(RewriterBase &rewriter, OperationState &state, Type from,
                    Type to) {
  Region *prologue = state.addRegion();
  state.addRegion();
  if (from == to)
    return;
  OpBuilder::InsertionGuard guard(rewriter);
  Block *block = rewriter.createBlock(prologue, {}, {from}, {state.location});
  Value wide = arith::ExtFOp::create(rewriter, state.location, to,
                                     block->getArgument(0));
  YieldOp::create(rewriter, state.location, wide);
}

/// `map`, a map of `g`'s loops, with every loop of extent 1 written as the
/// constant 0 (importers read a statistic of shape 1x16x1x1 with either).
AffineMap unitLoopsAsZero(AffineMap map, linalg::GenericOp g) {
  SmallVector<int64_t> loops = g.getStaticLoopRanges();
  SmallVector<AffineExpr> exprs;
  for (AffineExpr e : map.getResults()) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (d && d.getPosition() < loops.size() && loops[d.getPosition()] == 1)
      e = getAffineConstantExpr(0, map.getContext());
    exprs.push_back(e);
  }
  return AffineMap::get(map.getNumDims(), map.getNumSymbols(), exprs,
                        map.getContext());
}

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
  r.outMap =
      unitLoopsAsZero(g.getMatchingIndexingMap(g.getDpsInitOperand(0)), g);
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
    if (!ShapedType::isDynamic(loops[a])) {
      r.count *= loops[a];
      continue;
    }
    // A dynamic extent: named by an input that the loop indexes.
    std::optional<Extent> extent;
    for (OpOperand *input : g.getDpsInputOperands()) {
      AffineMap map = g.getMatchingIndexingMap(input);
      for (unsigned i = 0; i < map.getNumResults() && !extent; ++i)
        if (map.getDimPosition(i) == a)
          extent = extentOf(input->get(), i);
    }
    if (!extent)
      return std::nullopt;
    r.dynamicExtents.push_back(*extent);
  }
  return r;
}

/// `v` (in the statistics' space) = sum(term) / n, for the reduction's own
/// element count n: returns the reduction.
std::optional<Reduction> matchAverage(Value v, bool *unbiased) {
  if (unbiased)
    *unbiased = false;
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
  if (!sum) {
    // Over one element the sum is the mean, and over two the unbiased
    // variance's sum / (n - 1) (importers and canonicalization fold the / 1
    // away).
    std::optional<Reduction> r = matchSum(v);
    if (!r || !r->dynamicExtents.empty())
      return std::nullopt;
    if (r->count == 1)
      return r;
    if (unbiased && r->count == 2) {
      *unbiased = true;
      return r;
    }
    return std::nullopt;
  }
  std::optional<Reduction> r = matchSum(peel(sum, /*narrowing=*/true));
  if (!r)
    return std::nullopt;
  // A dynamic count: sum / sitofp(product of the reduced sizes).
  if (!scale) {
    auto div = v.getDefiningOp<arith::DivFOp>();
    if (!div || !isCountOf(div.getRhs(), *r))
      return std::nullopt;
    return r;
  }
  if (!r->dynamicExtents.empty())
    return std::nullopt;
  double n = static_cast<double>(r->count);
  auto dividesBy = [&](double d) {
    return divide ? *scale == d : std::fabs(*scale * d - 1.0) < 1e-6;
  };
  if (dividesBy(n))
    return r;
  // sum / (n - 1): the unbiased variance's, when the caller takes it.
  if (unbiased && n > 1 && dividesBy(n - 1)) {
    *unbiased = true;
    return r;
  }
  return std::nullopt;
}

/// A scalar in a generic of the input's loops that reads a statistic with a
/// broadcast map: the scalar the statistic's generic yields, and the map.
std::optional<std::pair<Value, AffineMap>> broadcastRead(Value v) {
  OpOperand *operand = readOperand(peel(v, /*narrowing=*/true));
  if (!operand)
    return std::nullopt;
  auto owner = cast<linalg::GenericOp>(operand->getOwner());
  AffineMap map = owner.getMatchingIndexingMap(operand);
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
                        unitLoopsAsZero(map, owner));
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

/// Whether two scalars are the same value: after resolve, or two block
/// arguments of one generic that read the same tensor with the same map
/// (torch-mlir squares x as a generic with x as both of its inputs).
static bool sameScalar(Value a, Value b) {
  a = resolve(a);
  b = resolve(b);
  if (a == b)
    return true;
  OpOperand *x = readOperand(a), *y = readOperand(b);
  if (!x || !y || x->getOwner() != y->getOwner() || x->get() != y->get())
    return false;
  auto g = cast<linalg::GenericOp>(x->getOwner());
  return g.getMatchingIndexingMap(x) == g.getMatchingIndexingMap(y);
}

bool isSquare(Value v, Value &base) {
  v = resolve(v);
  if (auto mul = v.getDefiningOp<arith::MulFOp>()) {
    if (!sameScalar(mul.getLhs(), mul.getRhs()))
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

/// mean(x^2) - mean(x)^2, the biased variance as ONNX's
/// MeanVarianceNormalization is imported: the same value as the centered
/// form (which the norm ops compute, without its cancellation).
static std::optional<Stat> matchMomentsDifference(Value v) {
  // (Biased only: each mean divides by n.)
  auto sub = peel(v, /*narrowing=*/true).getDefiningOp<arith::SubFOp>();
  if (!sub)
    return std::nullopt;
  std::optional<Stat> squares = matchVariance(sub.getLhs(), false);
  Value base;
  if (!squares || !isSquare(sub.getRhs(), base))
    return std::nullopt;
  std::optional<Reduction> mean = matchAverage(base);
  if (!mean || identityRead(mean->term) != squares->x ||
      mean->axes != squares->axes || mean->outMap != squares->outMap)
    return std::nullopt;
  return squares;
}

/// var(x) = mean((x - mean(x))^2) or mean(x^2) - mean(x)^2 (centered), or
/// mean(x^2), in the statistics' space.
std::optional<Stat> matchVariance(Value v, bool centered, bool *unbiased) {
  if (unbiased)
    *unbiased = false;
  if (centered)
    if (std::optional<Stat> s = matchMomentsDifference(v))
      return s;
  std::optional<Reduction> r =
      matchAverage(v, centered ? unbiased : static_cast<bool *>(nullptr));
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

/// v + eps or eps + v with eps a non-negative constant: returns v and sets
/// `eps`.
static Value matchPlusEpsilon(Value s, double &eps) {
  auto add = s ? peel(s, true).getDefiningOp<arith::AddFOp>() : arith::AddFOp();
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

/// 1 / d (`inverse`) or d: returns d.
static Value matchInverse(Value s, bool inverse) {
  if (!inverse)
    return s;
  auto div = s.getDefiningOp<arith::DivFOp>();
  if (!div)
    return {};
  std::optional<double> one = constantValue(div.getLhs());
  return one && *one == 1.0 ? div.getRhs() : Value();
}

Value matchRootOfSum(Value s, bool inverse, double &eps, bool *onStd) {
  s = peel(s, /*narrowing=*/true);
  if (onStd)
    *onStd = false;
  Value root;
  if (inverse) {
    if (auto rsqrt = s.getDefiningOp<math::RsqrtOp>())
      root = rsqrt.getOperand();
  }
  if (!root)
    if (Value d = matchInverse(s, inverse))
      if (auto sqrt = peel(d, true).getDefiningOp<math::SqrtOp>())
        root = sqrt.getOperand();
  if (Value v = matchPlusEpsilon(root, eps))
    return v;
  // sqrt(v) + eps, or 1 / (sqrt(v) + eps): epsilon on the standard
  // deviation, when the caller takes that variant.
  if (!onStd)
    return {};
  Value d = matchInverse(s, inverse);
  Value r = d ? matchPlusEpsilon(d, eps) : Value();
  auto sqrt = r ? peel(r, true).getDefiningOp<math::SqrtOp>() : math::SqrtOp();
  if (!sqrt)
    return {};
  *onStd = true;
  return sqrt.getOperand();
}

/// The scale of a normalization, matchRootOfSum of a variance, in the
/// statistics' space.
std::optional<Stat> matchScale(Value v, bool centered, bool inverse,
                               double &eps, bool *onStd, bool *unbiased) {
  Value var = matchRootOfSum(v, inverse, eps, onStd);
  if (!var)
    return std::nullopt;
  return matchVariance(var, centered, unbiased);
}

std::optional<Stat> matchScaleRead(Value v, bool centered, bool inverse,
                                   double &eps, bool *onStd, bool *unbiased) {
  auto read = broadcastRead(v);
  if (!read)
    return std::nullopt;
  std::optional<Stat> s =
      matchScale(read->first, centered, inverse, eps, onStd, unbiased);
  if (!s || s->outMap != read->second)
    return std::nullopt;
  return s;
}

} // namespace mlir::norm::raise
