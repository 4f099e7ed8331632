//===- ExpandBF16.cpp - f32 to bf16 rounding in integer operations --------===//
//
// On targets without a bf16 conversion instruction (AVX2, the x86-64
// baseline), an arith.truncf from f32 to bf16 must be written as integer
// operations. Upstream's arith-expand does so, but selects the NaN result
// on the 16-bit values with a mask from a 32-bit comparison, which LLVM
// scalarizes on AVX2 (a compare and a cmov per lane: a bf16 batch norm ran
// 10x slower than with AVX-512). This pass keeps every lane operation on
// 32 bits and truncates last: round to nearest even on the bits, NaN kept
// NaN (its sign kept, quieted), as vcvtneps2bf16 does.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMEXPANDBF16PASS
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {

struct ExpandTruncFToBF16 : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &b) const override {
    if (!getElementTypeOrSelf(op.getType()).isBF16() ||
        !getElementTypeOrSelf(op.getIn().getType()).isF32())
      return failure();
    Location loc = op.getLoc();
    auto like = [&](Type elem) -> Type {
      if (auto v = dyn_cast<VectorType>(op.getType()))
        return v.clone(elem);
      return elem;
    };
    Type i32 = like(b.getI32Type()), i16 = like(b.getI16Type());
    auto cst = [&](int64_t v) -> Value {
      TypedAttr attr = b.getI32IntegerAttr(v);
      if (auto vt = dyn_cast<VectorType>(i32))
        return arith::ConstantOp::create(b, loc,
                                         DenseElementsAttr::get(vt, attr));
      return arith::ConstantOp::create(b, loc, attr);
    };
    Value x = op.getIn();
    Value u = arith::BitcastOp::create(b, loc, i32, x);
    // Round to nearest, ties to even: add 0x7FFF plus the lowest kept bit,
    // then drop the low 16 bits. Carries run into the exponent as they
    // should (the largest finite values round to infinity), and infinities
    // stay infinite.
    Value lsb = arith::AndIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, u, cst(16)), cst(1));
    Value rounded = arith::AddIOp::create(
        b, loc, u, arith::AddIOp::create(b, loc, lsb, cst(0x7FFF)));
    // NaN: the same bits with the quiet bit set, not rounded (rounding a
    // payload could carry into the sign or clear the mantissa).
    Value isNaN =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
    Value quiet = arith::OrIOp::create(b, loc, u, cst(0x00400000));
    Value bits = arith::SelectOp::create(b, loc, isNaN, quiet, rounded);
    Value high = arith::TruncIOp::create(
        b, loc, i16, arith::ShRUIOp::create(b, loc, bits, cst(16)));
    b.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), high);
    return success();
  }
};

struct NormExpandBF16Pass
    : norm::impl::NormExpandBF16PassBase<NormExpandBF16Pass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateExpandBF16Patterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::norm::populateExpandBF16Patterns(RewritePatternSet &patterns) {
  patterns.add<ExpandTruncFToBF16>(patterns.getContext());
}
