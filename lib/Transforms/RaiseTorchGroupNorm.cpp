//===- RaiseTorchGroupNorm.cpp - F.group_norm as torch-mlir imports it ----===//
//
// PyTorch's decomposition of native_group_norm, as torch-mlir's FX importer
// lowers it to linalg, normalizes NCHW x (or [N, C]: H*W = 1, e.g. RWKV's
// GroupNorm over the heads of [B*T, C]) through a per-(n, c) scale and
// shift:
//
//   x' = reshape(x) : [N, G, C/G, H*W]
//   mean = sum(x' over 2, 3) / K; var = the same of (x' - mean)^2, in f64
//   rstd = rsqrt(var + eps)                         : [N, G, 1, 1]
//   A = rstd * reshape(w) : [N, G, C/G, 1];  B = -mean * A + reshape(b)
//   S = gather(A), T = gather(B)                    : [N, C]
//   y = x * S[n, c] + T[n, c]
//
// where each gather reads A (B) with four constant index tensors that, for
// the shapes of the program, spell out the row-major reshape of
// [N, G, C/G, 1] to [N, C]. This file checks every piece of that, the index
// tensors' values included, and replaces y with norm.group_norm of x with
// gamma w and beta b (the mean subtracted before scaling, which only
// improves the rounding). Weights narrower than f32 (a bf16 model) are
// widened by arith.extf on the weight vectors, since the op then normalizes
// the f32 input that the program widened x to.
//
//===----------------------------------------------------------------------===//

#include "RaiseGroupNorm.h"
#include "RaiseMatchers.h"

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Transforms/FusedForm.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::raise;

namespace {

/// The shapes the pattern is made of.
struct Shapes {
  int64_t n = 0, c = 0, groups = 0, perGroup = 0, spatial = 1;
};

/// Whether `map` (over loops of extents `loops`) reads dims `dims` in order,
/// -1 meaning the constant 0. A loop of extent 1 and the constant 0 stand
/// for each other (importers write either; a batch of 1 or 1 group).
bool readsAs(AffineMap map, ArrayRef<int64_t> loops, ArrayRef<int64_t> dims) {
  if (map.getNumResults() != dims.size() || map.getNumSymbols() != 0)
    return false;
  auto unit = [&](int64_t loop) {
    return loop >= 0 && loop < static_cast<int64_t>(loops.size()) &&
           loops[loop] == 1;
  };
  for (auto [e, want] : llvm::zip(map.getResults(), dims)) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      int64_t p = d.getPosition();
      if (p == want || (want < 0 && unit(p)))
        continue;
      return false;
    }
    auto k = dyn_cast<AffineConstantExpr>(e);
    if (!k || k.getValue() != 0 || (want >= 0 && !unit(want)))
      return false;
  }
  return true;
}

/// The operand a scalar reads (through casts) and its map.
std::pair<Value, AffineMap> readOf(Value scalar) {
  OpOperand *operand = readOperand(peel(scalar, /*narrowing=*/false));
  if (!operand)
    return {};
  auto g = cast<linalg::GenericOp>(operand->getOwner());
  return {operand->get(), g.getMatchingIndexingMap(operand)};
}

/// The int64 values of a constant tensor (dense or dense_resource).
std::optional<SmallVector<int64_t>> constantIndices(Value t) {
  Attribute attr;
  if (!matchPattern(t, m_Constant(&attr)))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    if (!dense.getElementType().isInteger(64))
      return std::nullopt;
    return llvm::to_vector(dense.getValues<int64_t>());
  }
  if (auto resource = dyn_cast<DenseI64ResourceElementsAttr>(attr))
    if (std::optional<ArrayRef<int64_t>> values = resource.tryGetAsArrayRef())
      return llvm::to_vector(*values);
  return std::nullopt;
}

/// The block argument an index of tensor.extract comes from: index_cast of
/// the argument, possibly wrapped for negative indices (select(arg < 0,
/// arg + extent, arg)); the wrap never applies to the values checked below.
Value indexArgument(Value index) {
  auto cast = index.getDefiningOp<arith::IndexCastOp>();
  if (!cast)
    return {};
  Value v = cast.getIn();
  if (auto select = v.getDefiningOp<arith::SelectOp>()) {
    auto cmp = select.getCondition().getDefiningOp<arith::CmpIOp>();
    std::optional<double> zero =
        cmp ? constantValue(cmp.getRhs()) : std::nullopt;
    if (!cmp || cmp.getPredicate() != arith::CmpIPredicate::slt || !zero ||
        *zero != 0 || cmp.getLhs() != select.getFalseValue())
      return {};
    v = select.getFalseValue();
  }
  return isa<BlockArgument>(v) ? v : Value();
}

/// `t` ([N, C]) is the row-major reshape of a rank-4 tensor, written as a
/// gather with constant indices: returns that tensor.
Value gatheredReshape(Value t, const Shapes &s) {
  auto g = t.getDefiningOp<linalg::GenericOp>();
  auto type = dyn_cast<RankedTensorType>(t.getType());
  if (!g || !isElementwiseGeneric(g) || !type ||
      type.getShape() != ArrayRef<int64_t>{s.n, s.c} ||
      g.getNumDpsInputs() != 4)
    return {};
  auto extract = g.getBody()
                     ->getTerminator()
                     ->getOperand(0)
                     .getDefiningOp<tensor::ExtractOp>();
  if (!extract || extract.getIndices().size() != 4)
    return {};
  Value source = extract.getTensor();
  auto sourceType = dyn_cast<RankedTensorType>(source.getType());
  if (source.getParentBlock() == g.getBody() || !sourceType ||
      !sourceType.hasStaticShape() || sourceType.getNumElements() != s.n * s.c)
    return {};
  // Index k of the extract is input k's value at (n, c).
  SmallVector<SmallVector<int64_t>> indices;
  for (auto [k, index] : llvm::enumerate(extract.getIndices())) {
    auto arg = dyn_cast_or_null<BlockArgument>(indexArgument(index));
    if (!arg || arg.getOwner() != g.getBody() || arg.getArgNumber() != k)
      return {};
    OpOperand *input = g.getDpsInputOperand(k);
    std::optional<SmallVector<int64_t>> values = constantIndices(input->get());
    if (!readsAs(g.getMatchingIndexingMap(input), {s.n, s.c}, {0, 1}) ||
        !values || static_cast<int64_t>(values->size()) != s.n * s.c)
      return {};
    indices.push_back(std::move(*values));
  }
  ArrayRef<int64_t> extents = sourceType.getShape();
  for (int64_t i = 0; i < s.n * s.c; ++i) {
    int64_t linear = 0;
    for (int64_t k = 0; k < 4; ++k) {
      int64_t v = indices[k][i];
      if (v < 0 || v >= extents[k])
        return {};
      linear = linear * extents[k] + v;
    }
    if (linear != i)
      return {};
  }
  return source;
}

/// The [N, C] tensor a scalar of the output's loops reads per (n, c): an
/// [N, C, 1, ...] expand_shape of it read as (d0, d1, 0, ...), or, over an
/// [N, C] input (no spatial axes), the tensor itself read as (d0, d1).
Value perChannelRead(Value scalar, ArrayRef<int64_t> loops) {
  if (loops.size() == 2) {
    // Not readOf: it would look through the identity read into the gather.
    OpOperand *operand = identityOperand(scalar);
    return operand ? operand->get() : Value();
  }
  auto [t, map] = readOf(scalar);
  if (!t)
    return {};
  SmallVector<int64_t> dims(loops.size(), -1);
  dims[0] = 0;
  dims[1] = 1;
  auto expand = t.getDefiningOp<tensor::ExpandShapeOp>();
  if (!expand || expand.getSrcType().getRank() != 2 ||
      !readsAs(map, loops, dims))
    return {};
  for (int64_t d : expand.getResultType().getShape().drop_front(2))
    if (d != 1)
      return {};
  return expand.getSrc();
}

/// A scalar of the [N, G, C/G, 1] loops that reads a weight vector w [C] as
/// reshape(w) [1, G, C/G, 1] at (g, j): returns w.
Value weightRead(Value scalar, ArrayRef<int64_t> loops, const Shapes &s) {
  auto [t, map] = readOf(scalar);
  auto expand = t ? t.getDefiningOp<tensor::ExpandShapeOp>() : nullptr;
  if (!expand || expand.getSrcType().getRank() != 1 ||
      expand.getResultType().getShape() !=
          ArrayRef<int64_t>{1, s.groups, s.perGroup, 1} ||
      !readsAs(map, loops, {-1, 1, 2, -1}))
    return {};
  return expand.getSrc();
}

/// The group statistics' tensor read at (n, g) by a scalar of the
/// [N, G, C/G, 1] loops: the scalar its generic yields. (Not broadcastRead:
/// with one channel per group the read is the identity, which resolve would
/// look through.)
Value statisticRead(Value scalar, ArrayRef<int64_t> loops) {
  while (Operation *cast = scalar.getDefiningOp()) {
    if (!isa<arith::ExtFOp, arith::TruncFOp>(cast))
      break;
    scalar = cast->getOperand(0);
  }
  OpOperand *operand = readOperand(scalar);
  auto producer = operand ? operand->get().getDefiningOp<linalg::GenericOp>()
                          : linalg::GenericOp();
  if (!producer || !isElementwiseGeneric(producer) ||
      !readsAs(cast<linalg::GenericOp>(operand->getOwner())
                   .getMatchingIndexingMap(operand),
               loops, {0, 1, -1, -1}))
    return {};
  return producer.getBody()->getTerminator()->getOperand(0);
}

/// Group statistics of x' [N, G, C/G, H*W] over its last two axes, written
/// as (n, g, 0, 0).
bool isGroupStat(const Stat &stat, const Shapes &s) {
  auto type = dyn_cast<RankedTensorType>(stat.x.getType());
  return type &&
         type.getShape() ==
             ArrayRef<int64_t>{s.n, s.groups, s.perGroup, s.spatial} &&
         stat.axes == SmallVector<int64_t>{2, 3} &&
         readsAs(stat.outMap, type.getShape(), {0, 1, -1, -1});
}

/// The value a rank-4 generic over [N, G, C/G, 1] yields, with its loops.
std::optional<std::pair<Value, SmallVector<int64_t>>> yieldOf(Value t) {
  auto g = t.getDefiningOp<linalg::GenericOp>();
  if (!g || !isElementwiseGeneric(g) || g.getNumLoops() != 4)
    return std::nullopt;
  return std::make_pair(g.getBody()->getTerminator()->getOperand(0),
                        g.getStaticLoopRanges());
}

struct Match {
  Value x;     // the tensor the output's loops read, as read
  Value gamma; // w [C]
  Value beta;  // b [C]
  double eps = 0;
  int64_t groups = 0;
};

/// A = rstd * reshape(w): returns w and sets eps; checks the statistics.
Value matchScaleTimesWeight(Value a, const Shapes &s, Value xBase,
                            double &eps) {
  auto yield = yieldOf(a);
  if (!yield)
    return {};
  for (auto [r, w] : operandsOf<arith::MulFOp>(resolve(yield->first))) {
    Value rstd = statisticRead(r, yield->second);
    Value weight = weightRead(w, yield->second, s);
    if (!rstd || !weight)
      continue;
    std::optional<Stat> stat =
        matchScale(rstd, /*centered=*/true, /*inverse=*/true, eps);
    if (stat && isGroupStat(*stat, s) &&
        throughWidening(throughReshapes(stat->x)) == xBase)
      return weight;
  }
  return {};
}

/// B = -mean * A + reshape(b), A read with the identity: returns b.
Value matchShift(Value b, Value aYield, const Shapes &s, Value xBase) {
  auto yield = yieldOf(b);
  if (!yield)
    return {};
  for (auto [p, bias] : operandsOf<arith::AddFOp>(resolve(yield->first))) {
    Value beta = weightRead(bias, yield->second, s);
    if (!beta)
      continue;
    for (auto [m, a] : operandsOf<arith::MulFOp>(resolve(p))) {
      if (resolve(a) != aYield)
        continue;
      Value negMean = statisticRead(m, yield->second);
      auto neg = negMean ? peel(negMean, false).getDefiningOp<arith::NegFOp>()
                         : nullptr;
      std::optional<Reduction> mean =
          neg ? matchAverage(neg.getOperand()) : std::nullopt;
      if (!mean)
        continue;
      Stat stat{identityRead(mean->term), mean->axes, mean->outMap};
      if (stat.x && isGroupStat(stat, s) &&
          throughWidening(throughReshapes(stat.x)) == xBase)
        return beta;
    }
  }
  return {};
}

/// The group norm that `generic` (yield x * S + T) computes, if it is one.
std::optional<Match> matchTorchGroupNorm(linalg::GenericOp generic) {
  SmallVector<int64_t> loops = generic.getStaticLoopRanges();
  if (loops.size() < 2 || llvm::any_of(loops, ShapedType::isDynamic))
    return std::nullopt;
  Value yielded = generic.getBody()->getTerminator()->getOperand(0);
  if (!yielded.getDefiningOp<arith::AddFOp>() ||
      yielded.getParentBlock() != generic.getBody())
    return std::nullopt;
  for (auto [product, shiftScalar] : operandsOf<arith::AddFOp>(yielded)) {
    for (auto [xs, scaleScalar] : operandsOf<arith::MulFOp>(resolve(product))) {
      Value xBase = identityRead(xs);
      Value scaleNC = perChannelRead(scaleScalar, loops);
      Value shiftNC = perChannelRead(shiftScalar, loops);
      if (!xBase || !scaleNC || !shiftNC)
        continue;
      Shapes s;
      s.n = loops[0];
      s.c = loops[1];
      for (int64_t d : ArrayRef<int64_t>(loops).drop_front(2))
        s.spatial *= d;
      Value a = gatheredReshape(scaleNC, s);
      Value b = gatheredReshape(shiftNC, s);
      auto aType = a ? dyn_cast<RankedTensorType>(a.getType()) : nullptr;
      if (!a || !b || aType.getRank() != 4 || aType.getDimSize(0) != s.n ||
          aType.getDimSize(3) != 1 || b.getType() != a.getType())
        continue;
      s.groups = aType.getDimSize(1);
      s.perGroup = aType.getDimSize(2);
      if (s.groups * s.perGroup != s.c)
        continue;
      Match match;
      match.gamma = matchScaleTimesWeight(a, s, xBase, match.eps);
      auto aYield = yieldOf(a);
      match.beta = match.gamma && aYield
                       ? matchShift(b, resolve(aYield->first), s, xBase)
                       : Value();
      if (!match.beta)
        continue;
      // x is what the product reads (a widening generic of a narrower x
      // becomes a prologue when the fusion pass runs).
      OpOperand *xOperand = identityOperand(xs);
      if (!xOperand)
        continue;
      match.x = xOperand->get();
      match.groups = s.groups;
      return match;
    }
  }
  return std::nullopt;
}

/// `w` at element type `type`, widened by arith.extf on the tensor.
Value widened(RewriterBase &rewriter, Location loc, Value w, Type type) {
  auto t = cast<RankedTensorType>(w.getType());
  if (t.getElementType() == type)
    return w;
  return arith::ExtFOp::create(rewriter, loc, t.clone(type), w);
}

LogicalResult raiseOne(RewriterBase &rewriter, linalg::GenericOp generic,
                       const Match &match) {
  auto xType = cast<RankedTensorType>(match.x.getType());
  auto outType = cast<RankedTensorType>(generic.getResult(0).getType());
  Type normalized = outType.getElementType();
  if (!isa<Float32Type>(normalized) ||
      !isa<Float32Type, Float16Type, BFloat16Type>(xType.getElementType()) ||
      xType.getShape() != outType.getShape())
    return failure();
  for (Value w : {match.gamma, match.beta})
    if (!isa<Float32Type, Float16Type, BFloat16Type>(
            getElementTypeOrSelf(w.getType())))
      return failure();
  Location loc = generic.getLoc();
  rewriter.setInsertionPoint(generic);
  Value gamma = widened(rewriter, loc, match.gamma, normalized);
  Value beta = widened(rewriter, loc, match.beta, normalized);
  OperationState state(loc, GroupNormOp::getOperationName());
  state.addOperands({match.x, gamma, beta});
  state.addTypes(outType);
  state.addAttribute("num_groups", rewriter.getI64IntegerAttr(match.groups));
  state.addAttribute("channel_axis", rewriter.getI64IntegerAttr(1));
  state.addAttribute("epsilon", rewriter.getF64FloatAttr(match.eps));
  state.addAttribute("operandSegmentSizes",
                     rewriter.getDenseI32ArrayAttr({1, 1, 1, 0, 0}));
  addNormRegions(rewriter, state, xType.getElementType(), normalized);
  Operation *norm = rewriter.create(state);
  rewriter.replaceOp(generic, norm->getResults());
  return success();
}

} // namespace

void norm::raiseTorchGroupNorms(RewriterBase &rewriter, Operation *root) {
  SmallVector<linalg::GenericOp> candidates;
  root->walk([&](linalg::GenericOp g) {
    if (isElementwiseGeneric(g) && g.getNumDpsInputs() == 2)
      candidates.push_back(g);
  });
  for (linalg::GenericOp g : candidates)
    if (std::optional<Match> match = matchTorchGroupNorm(g))
      (void)raiseOne(rewriter, g, *match);
}
