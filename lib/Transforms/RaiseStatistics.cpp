//===- RaiseStatistics.cpp - Statistics a graph also returns --------------===//
//
// ONNX's LayerNormalization has two optional outputs, Mean and InvStdDev,
// and training graphs use them. torch-mlir computes them with the reductions
// of its decomposition, which --norm-raise then leaves beside the raised op:
// the statistics computed twice, the input read twice more. Here a raised
// LayerNorm or RMSNorm without statistics results that has a twin statistic
// still in use (an elementwise generic in the statistics' space computing
// mean(x) or rsqrt(var(x) + eps) over the op's axes and epsilon, the same
// formulas the raise matched) returns its statistics, and the twins' users
// read them instead (through an expand_shape where the twin kept the reduced
// axes as 1s), so the twins and their reductions die. A twin computing the
// biased variance is used when nothing computes the inverse standard
// deviation.
//
//===----------------------------------------------------------------------===//

#include "RaiseStatistics.h"
#include "RaiseMatchers.h"

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Transforms/FusedForm.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::raise;

namespace {

/// The generics whose results are statistics of a norm op (null: none).
struct Twins {
  linalg::GenericOp mean, var, rstd;
};

/// Whether a statistic written with `outMap` (from the input's loops) holds
/// its values in the order of the op's statistics (the kept axes in order):
/// its results are the kept loops in increasing order and zeros, and the
/// kept loops it leaves out have extent 1.
bool sameOrder(AffineMap outMap, ArrayRef<int64_t> axes,
               RankedTensorType input) {
  int64_t last = -1;
  llvm::SmallDenseSet<int64_t> named;
  for (AffineExpr e : outMap.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      int64_t pos = d.getPosition();
      if (pos <= last || llvm::is_contained(axes, pos))
        return false;
      last = pos;
      named.insert(pos);
      continue;
    }
    auto c = dyn_cast<AffineConstantExpr>(e);
    if (!c || c.getValue() != 0)
      return false;
  }
  for (int64_t a = 0; a < input.getRank(); ++a)
    if (!llvm::is_contained(axes, a) && !named.contains(a) &&
        input.getDimSize(a) != 1)
      return false;
  return true;
}

/// The twins of `op` (input `x` seen through widening, `axes`, `eps` and
/// where it is added: `onStd`, and the variance's divisor: `unbiased`) among
/// the elementwise generics of `root` that have a use after `op` (one that
/// `op` dominates).
Twins findTwins(Operation *root, Operation *op, Value x, ArrayRef<int64_t> axes,
                double eps, bool onStd, bool unbiased, bool centered,
                DominanceInfo &dominance) {
  Twins twins;
  auto input = cast<RankedTensorType>(op->getOperand(0).getType());
  auto fits = [&](linalg::GenericOp g, const Stat &s) {
    auto type = cast<RankedTensorType>(g.getResult(0).getType());
    return s.x == x && llvm::equal(s.axes, axes) &&
           type.getElementType().isF32() && sameOrder(s.outMap, axes, input);
  };
  root->walk([&](linalg::GenericOp g) {
    if (g->getNumResults() != 1 || !isElementwiseGeneric(g) ||
        llvm::none_of(g->getUsers(), [&](Operation *user) {
          return dominance.properlyDominates(op, user);
        }))
      return;
    Value yielded = g.getBody()->getTerminator()->getOperand(0);
    double e = 0;
    bool twinOnStd = false, twinUnbiased = false;
    if (std::optional<Stat> s =
            matchScale(yielded, centered, true, e, &twinOnStd, &twinUnbiased))
      if (e == eps && twinOnStd == onStd && twinUnbiased == unbiased &&
          fits(g, *s) && !twins.rstd)
        twins.rstd = g;
    if (!centered)
      return;
    if (std::optional<Reduction> r = matchAverage(yielded)) {
      if (Value term = identityRead(r->term);
          term && fits(g, Stat{term, r->axes, r->outMap}) && !twins.mean)
        twins.mean = g;
    }
    if (std::optional<Stat> s = matchVariance(yielded, true, &twinUnbiased))
      if (twinUnbiased == unbiased && fits(g, *s) && !twins.var)
        twins.var = g;
  });
  return twins;
}

/// Replaces the uses of `twin`'s result that `value` (the op's statistic,
/// shaped as the kept axes) dominates by `value` reshaped to the twin's type.
void replaceTwin(RewriterBase &rewriter, DominanceInfo &dominance,
                 linalg::GenericOp twin, Value value) {
  Value old = twin->getResult(0);
  auto from = cast<RankedTensorType>(value.getType());
  auto to = cast<RankedTensorType>(old.getType());
  Value reshaped = value;
  if (from != to) {
    std::optional<SmallVector<ReassociationIndices>> groups =
        from.getRank() == 0 ? std::optional<SmallVector<ReassociationIndices>>(
                                  SmallVector<ReassociationIndices>{})
                            : getReassociationIndicesForReshape(from, to);
    if (!groups)
      return;
    // Each group holds one source axis, whose size its dynamic target
    // axis takes (the others are 1).
    SmallVector<OpFoldResult> sizes;
    for (auto [i, group] : llvm::enumerate(*groups))
      for (int64_t j : group)
        sizes.push_back(
            to.isDynamicDim(j)
                ? OpFoldResult(
                      tensor::DimOp::create(rewriter, value.getLoc(), value, i)
                          .getResult())
                : OpFoldResult(rewriter.getIndexAttr(to.getDimSize(j))));
    reshaped = tensor::ExpandShapeOp::create(rewriter, value.getLoc(), to,
                                             value, *groups, sizes);
  }
  rewriter.replaceUsesWithIf(old, reshaped, [&](OpOperand &use) {
    return use.getOwner() != reshaped.getDefiningOp() &&
           dominance.properlyDominates(reshaped, use.getOwner());
  });
}

/// Gives `op` the statistics results its twins compute and hands them to
/// the twins' users. Returns whether it did.
bool reuseTwins(RewriterBase &rewriter, Operation *root,
                NormalizationOpInterface op) {
  Operation *old = op.getOperation();
  bool layer = isa<LayerNormOp>(old);
  if ((!layer && !isa<RMSNormOp>(old)) || !op.getStatsResults().empty())
    return false;
  // The statistics of x itself: a prologue that only widens it (what the
  // raise gives a narrower x), computed in f32.
  Region &prologue = op.getPrologue();
  if (!prologue.empty() && (!op.getPrologueInputs().empty() ||
                            llvm::any_of(prologue.front().without_terminator(),
                                         [](Operation &inner) {
                                           return !isa<arith::ExtFOp>(inner);
                                         })))
    return false;
  auto computeType = old->getAttrOfType<TypeAttr>("compute_type");
  if (computeType && !computeType.getValue().isF32())
    return false;
  NormDesc desc = op.getDesc();
  auto input = cast<RankedTensorType>(op.getInput().getType());
  DominanceInfo dominance(old->getParentOp());
  Twins twins = findTwins(root, old, throughWidening(op.getInput()), desc.axes,
                          desc.epsilon, desc.scaling == Scaling::StdPlusEpsilon,
                          desc.unbiasedVar, desc.center, dominance);
  // A LayerNorm returns the mean beside the inverse standard deviation
  // (its default) or the variance.
  linalg::GenericOp scale = twins.rstd ? twins.rstd : twins.var;
  if (!twins.mean && !scale)
    return false;

  auto statType = RankedTensorType::get(
      desc.statsShape(std::vector<int64_t>(input.getShape().begin(),
                                           input.getShape().end())),
      rewriter.getF32Type());
  SmallVector<Type> types{old->getResultTypes()[0]};
  types.append(layer ? 2 : 1, statType);
  llvm::append_range(types, TypeRange(old->getResultTypes()).drop_front());
  NamedAttrList attrs(old->getAttrDictionary());
  auto sizes = llvm::to_vector(
      cast<DenseI32ArrayAttr>(attrs.get("resultSegmentSizes")).asArrayRef());
  sizes[1] = layer ? 2 : 1;
  attrs.set("resultSegmentSizes", rewriter.getDenseI32ArrayAttr(sizes));
  if (layer)
    attrs.set("stats", StatsKindAttr::get(rewriter.getContext(),
                                          twins.rstd || !twins.var
                                              ? StatsKind::mean_rstd
                                              : StatsKind::mean_var));
  rewriter.setInsertionPoint(old);
  OperationState state(old->getLoc(), old->getName(), old->getOperands(), types,
                       attrs.getAttrs());
  for (Region &region : old->getRegions())
    state.addRegion()->takeBody(region);
  Operation *norm = rewriter.create(state);
  SmallVector<Value> replacements{norm->getResult(0)};
  llvm::append_range(replacements,
                     norm->getResults().drop_front(layer ? 3 : 2));
  rewriter.replaceOp(old, replacements);

  rewriter.setInsertionPointAfter(norm);
  if (layer && twins.mean)
    replaceTwin(rewriter, dominance, twins.mean, norm->getResult(1));
  if (scale)
    replaceTwin(rewriter, dominance, scale, norm->getResult(layer ? 2 : 1));
  return true;
}

} // namespace

bool mlir::norm::reuseRaisedStatistics(RewriterBase &rewriter,
                                       Operation *root) {
  SmallVector<NormalizationOpInterface> ops;
  root->walk([&](NormalizationOpInterface op) { ops.push_back(op); });
  bool changed = false;
  for (NormalizationOpInterface op : ops)
    changed |= reuseTwins(rewriter, root, op);
  return changed;
}
