//===- ExpandF8.cpp - f32 to f8E4M3FN rounding in integer operations ------===//
//
// LLVM has no 8-bit float types: f8E4M3FN values are bytes, and an
// arith.truncf to f8E4M3FN (a quantizing epilogue) has no lowering. This
// pass writes it as integer operations on the f32 bits, on scalars and
// vectors alike, with the semantics of APFloat (and of the float64
// reference): round to nearest even, subnormals below 2^-6, NaN for NaN and
// for anything that rounds above 448 (E4M3FN has no infinity).
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMEXPANDF8PASS
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {

struct ExpandTruncFToF8 : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &b) const override {
    Type to = getElementTypeOrSelf(op.getType());
    if (!isa<Float8E4M3FNType>(to))
      return failure();
    Location loc = op.getLoc();
    auto like = [&](Type elem) -> Type {
      if (auto v = dyn_cast<VectorType>(op.getType()))
        return VectorType::get(v.getShape(), elem);
      return elem;
    };
    Type i32 = like(b.getI32Type()), f32 = like(b.getF32Type());
    Type i8 = like(b.getI8Type());
    auto cst = [&](Type t, double v) -> Value {
      Type elem = getElementTypeOrSelf(t);
      TypedAttr attr = isa<FloatType>(elem)
                           ? TypedAttr(b.getFloatAttr(elem, v))
                           : TypedAttr(b.getIntegerAttr(elem, int64_t(v)));
      if (auto vt = dyn_cast<VectorType>(t))
        return arith::ConstantOp::create(b, loc,
                                         DenseElementsAttr::get(vt, attr));
      return arith::ConstantOp::create(b, loc, attr);
    };
    Value x = op.getIn();
    if (getElementTypeOrSelf(x.getType()) != b.getF32Type())
      x = getElementTypeOrSelf(x.getType()).getIntOrFloatBitWidth() < 32
              ? Value(arith::ExtFOp::create(b, loc, f32, x))
              : Value(arith::TruncFOp::create(b, loc, f32, x));
    Value u = arith::BitcastOp::create(b, loc, i32, x);
    Value sign = arith::AndIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, u, cst(i32, 24)),
        cst(i32, 0x80));
    Value a = arith::AndIOp::create(b, loc, u, cst(i32, 0x7FFFFFFF));

    // Normal results: round the f32 mantissa to 3 bits (ties to even), then
    // rebias the exponent from 127 to 7.
    Value lsb = arith::AndIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, a, cst(i32, 20)), cst(i32, 1));
    Value rounded = arith::AddIOp::create(
        b, loc, a, arith::AddIOp::create(b, loc, lsb, cst(i32, 0x7FFFF)));
    Value normal = arith::SubIOp::create(
        b, loc, arith::ShRUIOp::create(b, loc, rounded, cst(i32, 20)),
        cst(i32, 120 << 3));
    // Subnormal results (|x| < 2^-6): the multiple of 2^-9 nearest |x|, by
    // the f32 addition of 2^23 (ties to even); 8 is the smallest normal.
    Value absX = arith::BitcastOp::create(b, loc, f32, a);
    Value scaled = arith::MulFOp::create(b, loc, absX, cst(f32, 512.0));
    Value magic = cst(f32, 8388608.0);
    Value steps = arith::SubFOp::create(
        b, loc, arith::AddFOp::create(b, loc, scaled, magic), magic);
    Value subnormal = arith::FPToUIOp::create(b, loc, i32, steps);
    Value isSubnormal = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                              a, cst(i32, 0x3C800000));
    Value magnitude =
        arith::SelectOp::create(b, loc, isSubnormal, subnormal, normal);
    // Past 448 (and infinities, NaN): NaN, 0x7F.
    Value tooBig = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt,
                                         magnitude, cst(i32, 0x7E));
    Value isNaN = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ugt, a,
                                        cst(i32, 0x7F800000));
    Value nan = arith::OrIOp::create(b, loc, tooBig, isNaN);
    magnitude = arith::SelectOp::create(b, loc, nan, cst(i32, 0x7F), magnitude);
    Value bits = arith::TruncIOp::create(
        b, loc, i8, arith::OrIOp::create(b, loc, magnitude, sign));
    b.replaceOpWithNewOp<arith::BitcastOp>(op, op.getType(), bits);
    return success();
  }
};

struct NormExpandF8Pass : norm::impl::NormExpandF8PassBase<NormExpandF8Pass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateExpandF8Patterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace

void mlir::norm::populateExpandF8Patterns(RewritePatternSet &patterns) {
  patterns.add<ExpandTruncFToF8>(patterns.getContext());
}
