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
// GELU written with erf, s * 0.5 * (1 + erf(s / sqrt(2))) in any of the
// orders importers emit, becomes s * phi(s) with phi(s) = 0.5 + 0.5 *
// erf(s / sqrt(2)) evaluated as one rational function of s: the same one
// with its coefficients scaled, the 0.5 folded into the numerator, and s
// clamped to [-4 sqrt(2), 4 sqrt(2)]. Below the clamp phi is 0 (as 1 +
// erf is after the erf's clamp to -1), so -inf still gives NaN and large
// negative s gives -0. Within 1.2e-6 of GELU (float64) on [-12, 12], as
// the erf chain it replaces (1.0e-6); four vector operations fewer
// (docs/cpu.md).
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"

#include <cmath>

using namespace mlir;

namespace {

constexpr double kClamp = 4.0;
// The coefficients as f32 (their values, written as doubles).
constexpr double kNumerator[] = {
    static_cast<float>(1.128379),      static_cast<float>(0.19624883),
    static_cast<float>(0.05346746),    static_cast<float>(0.0040036403),
    static_cast<float>(0.00028804145), static_cast<float>(1.9748325e-06)};
constexpr double kDenominator[] = {1.0,
                                   static_cast<float>(0.50725216),
                                   static_cast<float>(0.116476364),
                                   static_cast<float>(0.01544441),
                                   static_cast<float>(0.0012163589),
                                   static_cast<float>(3.748089e-05)};

/// Builds the rational functions of this file at one location.
struct Builder {
  PatternRewriter &rewriter;
  Location loc;
  Type type;

  Value constant(double v) {
    Attribute attr = rewriter.getF32FloatAttr(static_cast<float>(v));
    if (auto shaped = dyn_cast<ShapedType>(type))
      attr = SplatElementsAttr::get(shaped, attr);
    return arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(attr));
  }
  Value compare(arith::CmpFPredicate predicate, Value a, Value b) {
    return arith::CmpFOp::create(rewriter, loc, predicate, a, b);
  }
  Value select(Value condition, Value a, Value b) {
    return arith::SelectOp::create(rewriter, loc, condition, a, b);
  }
  /// Clamps by compare and select: a NaN fails both comparisons and stays.
  Value clamp(Value v, double limit) {
    Value hi = constant(limit), lo = constant(-limit);
    v = select(compare(arith::CmpFPredicate::OGT, v, hi), hi, v);
    return select(compare(arith::CmpFPredicate::OLT, v, lo), lo, v);
  }
  /// Horner's scheme; multiplications and additions may become FMAs.
  Value horner(ArrayRef<double> coefficients, Value t) {
    auto contract = arith::FastMathFlags::contract;
    Value acc = constant(coefficients.back());
    for (double c : llvm::reverse(coefficients.drop_back())) {
      acc = arith::MulFOp::create(rewriter, loc, acc, t, contract);
      acc = arith::AddFOp::create(rewriter, loc, acc, constant(c), contract);
    }
    return acc;
  }
};

struct ErfRational : OpRewritePattern<math::ErfOp> {
  ErfRational(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(math::ErfOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return rewriter.notifyMatchFailure(op, "not f32");
    Builder b{rewriter, op.getLoc(), type};
    Value x = b.clamp(op.getOperand(), kClamp);
    Value t = arith::MulFOp::create(rewriter, b.loc, x, x);
    Value p = b.horner(kNumerator, t);
    Value q = b.horner(kDenominator, t);
    Value xp = arith::MulFOp::create(rewriter, b.loc, x, p);
    Value y = arith::DivFOp::create(rewriter, b.loc, xp, q);
    rewriter.replaceOp(op, b.clamp(y, 1.0));
    return success();
  }
};

/// Whether `v` is a constant (scalar or splat) within a relative 2^-22 of
/// `expected`: the f32 roundings of 0.5, 1, sqrt(2) and 1/sqrt(2), however
/// they were written.
static bool isConstantNear(Value v, double expected) {
  FloatAttr attr;
  if (!matchPattern(v, m_Constant(&attr))) {
    SplatElementsAttr splat;
    if (!matchPattern(v, m_Constant(&splat)) ||
        !isa<FloatType>(splat.getElementType()))
      return false;
    attr = splat.getSplatValue<FloatAttr>();
  }
  double value = attr.getValueAsDouble();
  return std::abs(value - expected) <= std::abs(expected) * 0x1p-22;
}

/// The other operand of a commutative binary op when one of them matches.
template <typename Op>
static Value otherOperand(Operation *op, function_ref<bool(Value)> matches) {
  auto binary = dyn_cast_or_null<Op>(op);
  if (!binary)
    return {};
  if (matches(binary.getLhs()))
    return binary.getRhs();
  if (matches(binary.getRhs()))
    return binary.getLhs();
  return {};
}

/// GELU (erf form) as s * phi(s), phi one rational function (see the top).
struct GeluRational : OpRewritePattern<math::ErfOp> {
  GeluRational(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/3) {}

  LogicalResult matchAndRewrite(math::ErfOp erf,
                                PatternRewriter &rewriter) const override {
    Type type = erf.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return rewriter.notifyMatchFailure(erf, "not f32");
    // erf(s * (1/sqrt(2))) or erf(s / sqrt(2)).
    Operation *arg = erf.getOperand().getDefiningOp();
    Value s = otherOperand<arith::MulFOp>(
        arg, [](Value v) { return isConstantNear(v, M_SQRT1_2); });
    if (auto div = dyn_cast_or_null<arith::DivFOp>(arg);
        div && isConstantNear(div.getRhs(), M_SQRT2))
      s = div.getLhs();
    if (!s)
      return rewriter.notifyMatchFailure(erf, "not erf(s / sqrt(2))");
    // 1 + erf(...), used once.
    auto single = [](Value v) -> Operation * {
      return v.hasOneUse() ? *v.getUsers().begin() : nullptr;
    };
    auto isOne = [](Value v) { return isConstantNear(v, 1.0); };
    auto isHalf = [](Value v) { return isConstantNear(v, 0.5); };
    auto isS = [&](Value v) { return v == s; };
    Operation *plusOne = single(erf.getResult());
    Value one = otherOperand<arith::AddFOp>(
        plusOne, [&](Value v) { return v == erf.getResult(); });
    if (!one || !isOne(one))
      return rewriter.notifyMatchFailure(erf, "not 1 + erf");
    Value t = plusOne->getResult(0);
    auto isT = [&](Value v) { return v == t; };
    // The product of s, 0.5 and t: (t * 0.5) * s, (s * 0.5) * t or
    // (s * t) * 0.5, in either order of each multiplication.
    Operation *first = single(t);
    Value other = otherOperand<arith::MulFOp>(first, isT);
    if (!other)
      return rewriter.notifyMatchFailure(erf, "1 + erf not multiplied");
    Operation *root = nullptr;
    if (isHalf(other) || other == s) {
      // t * 0.5 (or t * s), then times s (or 0.5), used once.
      Operation *second = single(first->getResult(0));
      Value last = otherOperand<arith::MulFOp>(
          second, [&](Value v) { return v == first->getResult(0); });
      if (last && (isHalf(other) ? isS(last) : isHalf(last)))
        root = second;
    } else if (otherOperand<arith::MulFOp>(other.getDefiningOp(), isHalf) ==
               s) {
      root = first; // (s * 0.5) * t
    }
    if (!root)
      return rewriter.notifyMatchFailure(erf, "not s * 0.5 * (1 + erf)");

    rewriter.setInsertionPoint(root);
    Builder b{rewriter, root->getLoc(), type};
    // erf(x) = x P(x^2) / Q(x^2) at x = s / sqrt(2): with u = s^2,
    // 0.5 erf = s P'(u) / Q'(u), P'_i = P_i / sqrt(2)^(2i+1) / 2 and
    // Q'_i = Q_i / 2^i; phi = (0.5 Q' + s P') / Q'.
    SmallVector<double> numerator, denominator;
    for (auto [i, c] : llvm::enumerate(kNumerator))
      numerator.push_back(0.5 * c * std::pow(M_SQRT1_2, 2 * i + 1));
    for (auto [i, c] : llvm::enumerate(kDenominator))
      denominator.push_back(c * std::pow(0.5, i));
    double limit = kClamp * M_SQRT2;
    Value below = b.compare(arith::CmpFPredicate::OLT, s, b.constant(-limit));
    Value clamped = b.clamp(s, limit);
    Value u = arith::MulFOp::create(rewriter, b.loc, clamped, clamped);
    Value p = b.horner(numerator, u);
    Value q = b.horner(denominator, u);
    auto contract = arith::FastMathFlags::contract;
    Value sp = arith::MulFOp::create(rewriter, b.loc, clamped, p, contract);
    Value halfQ =
        arith::MulFOp::create(rewriter, b.loc, q, b.constant(0.5), contract);
    Value num = arith::AddFOp::create(rewriter, b.loc, halfQ, sp, contract);
    Value phi = arith::DivFOp::create(rewriter, b.loc, num, q);
    phi = b.select(below, b.constant(0.0), phi);
    rewriter.replaceOp(root, arith::MulFOp::create(rewriter, b.loc, s, phi));
    return success();
  }
};

} // namespace

void mlir::norm::populateErfApproximationPatterns(RewritePatternSet &patterns) {
  patterns.add<ErfRational, GeluRational>(patterns.getContext());
}
