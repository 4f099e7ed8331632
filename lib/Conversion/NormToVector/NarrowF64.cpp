//===- NarrowF64.cpp - f64 to 16- and 8-bit floats through f32 ------------===//
//
// With `compute_type = f64` a kernel rounds f64 values to its 16- or 8-bit
// result type. LLVM rounds f64 to bf16 with a call to __truncdfbf2, which
// neither the JIT nor Debian 12's libgcc has (and an object compiled ahead
// of time would leave its embedder an undefined symbol), and f64 to f16
// with a libcall per element. This pass rounds such values to f32 first,
// rounded to odd, then to the narrow type: an f32 result that is inexact
// is made odd (the neighbour of the nearest f32 on the side of the exact
// value, where the nearest is even), which keeps the information that the
// value lies strictly between two f32 values. Rounding that to nearest
// even with at most 22 bits is then the correctly rounded result (f32's 24
// bits are at least 2 more than bf16's 8, f16's 11 and f8E4M3FN's 4),
// where rounding to nearest twice could land on the wrong side of a tie.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMNARROWF64PASS
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {

struct NarrowF64ThroughF32 : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &b) const override {
    Type from = getElementTypeOrSelf(op.getIn().getType());
    Type to = getElementTypeOrSelf(op.getType());
    if (!from.isF64() || to.getIntOrFloatBitWidth() >= 32)
      return b.notifyMatchFailure(op, "not f64 to a type narrower than f32");
    // Another rounding mode is rejected by the conversion to LLVM.
    if (op.getRoundingmodeAttr())
      return b.notifyMatchFailure(op, "not rounded to nearest even");
    Location loc = op.getLoc();
    auto like = [&](Type elem) -> Type {
      if (auto shaped = dyn_cast<ShapedType>(op.getType()))
        return shaped.clone(elem);
      return elem;
    };
    Type i32 = like(b.getI32Type());
    auto one = [&]() -> Value {
      TypedAttr attr = b.getI32IntegerAttr(1);
      if (auto shaped = dyn_cast<ShapedType>(i32))
        return arith::ConstantOp::create(b, loc,
                                         DenseElementsAttr::get(shaped, attr));
      return arith::ConstantOp::create(b, loc, attr);
    };
    Value x = op.getIn();
    Value nearest = arith::TruncFOp::create(b, loc, like(b.getF32Type()), x);
    Value back = arith::ExtFOp::create(b, loc, x.getType(), nearest);
    // Inexact (NaN compares unordered: kept as rounded, a NaN).
    Value inexact =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, back, x);
    Value bits = arith::BitcastOp::create(b, loc, i32, nearest);
    Value even = arith::CmpIOp::create(
        b, loc, arith::CmpIPredicate::eq,
        arith::AndIOp::create(b, loc, bits, one()),
        arith::ConstantOp::create(b, loc, b.getZeroAttr(i32)));
    // The odd neighbour on the exact value's side: one step down in
    // magnitude where the nearest is farther from zero (an overflow to
    // infinity becomes the largest f32), else one step up (an underflow to
    // zero becomes the smallest subnormal, its sign kept).
    Value away = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT,
                                       math::AbsFOp::create(b, loc, back),
                                       math::AbsFOp::create(b, loc, x));
    Value toward = arith::SelectOp::create(
        b, loc, away, arith::SubIOp::create(b, loc, bits, one()),
        arith::AddIOp::create(b, loc, bits, one()));
    Value odd = arith::SelectOp::create(
        b, loc, arith::AndIOp::create(b, loc, inexact, even), toward, bits);
    Value f32 = arith::BitcastOp::create(b, loc, nearest.getType(), odd);
    b.replaceOpWithNewOp<arith::TruncFOp>(op, op.getType(), f32);
    return success();
  }
};

struct NormNarrowF64Pass
    : norm::impl::NormNarrowF64PassBase<NormNarrowF64Pass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<NarrowF64ThroughF32>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
