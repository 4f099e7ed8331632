//===- RaiseDynamicBroadcasts.cpp - torch-mlir's dynamic broadcasts -------===//
//
// With dynamic sizes, torch-mlir cannot tell at compile time whether a
// dimension of size `?` broadcasts (is 1 at run time), so it writes a
// broadcast as a generic without inputs that extracts each element:
//
//   %b = linalg.generic outs(%empty : tensor<?x?x64xf32>) {
//     %i = linalg.index 0
//     %j = linalg.index 1
//     %c = arith.cmpi eq, %dim, %c1        // %dim: the source's size
//     %k = arith.select %c, %c0, %i
//     ...
//     %e = tensor.extract %stat[%k, %l, %c0] : tensor<?x?x1xf32>
//     linalg.yield %e
//   }
//
// Where the source's size equals the loop's (the same SSA size, seen
// through tensor.dim, tensor.empty and destination operands), the select
// gives the loop index either way (a loop of extent 1 only has index 0),
// and the generic is the plain broadcast the static import writes:
// `ins(%stat)` with the map `(d0, d1, d2) -> (d0, d1, 0)`. That is the form
// the statistics matchers read, so LayerNorm and RMSNorm over models with
// dynamic batch and sequence sizes are raised too.
//
//===----------------------------------------------------------------------===//

#include "RaiseMatchers.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::norm::raise;

namespace {

/// `v` = linalg.index d: d.
std::optional<unsigned> loopIndex(Value v) {
  if (auto index = v.getDefiningOp<linalg::IndexOp>())
    return index.getDim();
  return std::nullopt;
}

/// One index of the extract as an affine expression of the loops, given
/// the size of the source dimension it reads.
std::optional<AffineExpr> readExpr(linalg::GenericOp g, Value index,
                                   const Extent &sourceExtent) {
  MLIRContext *context = g.getContext();
  Value init = g.getDpsInitOperand(0)->get();
  auto sameAsLoop = [&](unsigned d) {
    return extentOf(init, d) == sourceExtent;
  };
  if (std::optional<int64_t> c = getConstantIntValue(index))
    return getAffineConstantExpr(*c, context);
  if (std::optional<unsigned> d = loopIndex(index))
    return sameAsLoop(*d) ? std::optional(getAffineDimExpr(*d, context))
                          : std::nullopt;
  // select(size == 1, 0, index d), with `size` the loop's extent.
  auto select = index.getDefiningOp<arith::SelectOp>();
  if (!select || !isConstantIntValue(select.getTrueValue(), 0))
    return std::nullopt;
  std::optional<unsigned> d = loopIndex(select.getFalseValue());
  auto cmp = select.getCondition().getDefiningOp<arith::CmpIOp>();
  if (!d || !cmp || cmp.getPredicate() != arith::CmpIPredicate::eq)
    return std::nullopt;
  Value size = cmp.getLhs();
  if (!isConstantIntValue(cmp.getRhs(), 1)) {
    if (!isConstantIntValue(cmp.getLhs(), 1))
      return std::nullopt;
    size = cmp.getRhs();
  }
  if (!(extentOfValue(size) == extentOf(init, *d)) || !sameAsLoop(*d))
    return std::nullopt;
  return getAffineDimExpr(*d, context);
}

struct DynamicBroadcastAsMap : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp g,
                                PatternRewriter &rewriter) const override {
    if (g.getNumDpsInputs() != 0 || g.getNumDpsInits() != 1 ||
        g.getNumResults() != 1 || !g.hasPureTensorSemantics() ||
        g.getNumLoops() != g.getNumParallelLoops() ||
        !g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity())
      return failure();
    Block *body = g.getBody();
    auto extract =
        body->getTerminator()->getOperand(0).getDefiningOp<tensor::ExtractOp>();
    if (!extract || extract->getBlock() != body ||
        extract.getTensor().getParentBlock() == body ||
        g.payloadUsesValueFromOperand(g.getDpsInitOperand(0)))
      return failure();
    Value source = extract.getTensor();
    auto sourceType = cast<RankedTensorType>(source.getType());
    SmallVector<AffineExpr> exprs;
    for (auto [k, index] : llvm::enumerate(extract.getIndices())) {
      std::optional<AffineExpr> e = readExpr(g, index, extentOf(source, k));
      if (!e)
        return failure();
      if (auto c = dyn_cast<AffineConstantExpr>(*e);
          c && (sourceType.isDynamicDim(k) || c.getValue() < 0 ||
                c.getValue() >= sourceType.getDimSize(k)))
        return failure();
      exprs.push_back(*e);
    }
    AffineMap read =
        AffineMap::get(g.getNumLoops(), 0, exprs, rewriter.getContext());
    SmallVector<AffineMap> maps = {
        read, g.getMatchingIndexingMap(g.getDpsInitOperand(0))};
    rewriter.replaceOpWithNewOp<linalg::GenericOp>(
        g, g.getResultTypes(), ValueRange{source},
        ValueRange{g.getDpsInitOperand(0)->get()}, maps,
        g.getIteratorTypesArray(),
        [](OpBuilder &b, Location loc, ValueRange args) {
          linalg::YieldOp::create(b, loc, args[0]);
        });
    return success();
  }
};

} // namespace

void norm::raise::populateDynamicBroadcastPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DynamicBroadcastAsMap>(patterns.getContext());
}
