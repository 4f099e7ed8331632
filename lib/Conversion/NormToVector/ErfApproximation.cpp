//===- ErfApproximation.cpp - math.erf on f32 as one rational function ----===//
//
// erf(x) = x * P(x^2) / Q(x^2) with x clamped to [-4, 4], P and Q of degree
// 5 with positive coefficients (no cancellation in Horner's scheme), and the
// result clamped to [-1, 1]. The coefficients were fitted for this project
// (a linearized least-squares fit of x P(t) - erf(x) Q(t), reweighted toward
// the minimax error, in float64): the rational function is within 2.2e-8 of
// erf on [0, 4] and 1 - erf(4) = 1.5e-8. Evaluated in f32 with FMAs the
// result is within 3e-7 (5 ulp) of erf(x) everywhere; NaN gives NaN, +-inf
// give +-1, -0 gives -0.
//
// Upstream's approximation (populateMathPolynomialApproximationPatterns)
// picks the coefficients of one of three intervals per lane: about 50
// vector operations and a division per vector, which made erf most of the
// cost of a fused GELU epilogue. This one takes 17 and a division.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;

namespace {

constexpr float kClamp = 4.0f;
constexpr float kNumerator[] = {1.128379f,     0.19624883f,    0.05346746f,
                                0.0040036403f, 0.00028804145f, 1.9748325e-06f};
constexpr float kDenominator[] = {1.0f,        0.50725216f,   0.116476364f,
                                  0.01544441f, 0.0012163589f, 3.748089e-05f};

struct ErfRational : OpRewritePattern<math::ErfOp> {
  ErfRational(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(math::ErfOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return rewriter.notifyMatchFailure(op, "not f32");
    Location loc = op.getLoc();
    // Multiplications and additions may become FMAs.
    auto contract = arith::FastMathFlags::contract;
    auto constant = [&](float v) -> Value {
      Attribute attr = rewriter.getF32FloatAttr(v);
      if (auto shaped = dyn_cast<ShapedType>(type))
        attr = SplatElementsAttr::get(shaped, attr);
      return arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(attr));
    };
    // Clamps by compare and select: a NaN fails both comparisons and stays.
    auto clamp = [&](Value v, float limit) {
      Value hi = constant(limit), lo = constant(-limit);
      Value above = arith::CmpFOp::create(rewriter, loc,
                                          arith::CmpFPredicate::OGT, v, hi);
      v = arith::SelectOp::create(rewriter, loc, above, hi, v);
      Value below = arith::CmpFOp::create(rewriter, loc,
                                          arith::CmpFPredicate::OLT, v, lo);
      return arith::SelectOp::create(rewriter, loc, below, lo, v).getResult();
    };
    auto horner = [&](ArrayRef<float> coefficients, Value t) {
      Value acc = constant(coefficients.back());
      for (float c : llvm::reverse(coefficients.drop_back())) {
        acc = arith::MulFOp::create(rewriter, loc, acc, t, contract);
        acc = arith::AddFOp::create(rewriter, loc, acc, constant(c), contract);
      }
      return acc;
    };
    Value x = clamp(op.getOperand(), kClamp);
    Value t = arith::MulFOp::create(rewriter, loc, x, x);
    Value p = horner(kNumerator, t);
    Value q = horner(kDenominator, t);
    Value xp = arith::MulFOp::create(rewriter, loc, x, p);
    Value y = arith::DivFOp::create(rewriter, loc, xp, q);
    rewriter.replaceOp(op, clamp(y, 1.0f));
    return success();
  }
};

} // namespace

void mlir::norm::populateErfApproximationPatterns(RewritePatternSet &patterns) {
  patterns.add<ErfRational>(patterns.getContext());
}
