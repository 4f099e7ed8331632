//===- PackBF16Pairs.cpp - Two f32 vectors to bf16 in one instruction ----===//
//
// AVX512-BF16's vcvtne2ps2bf16 rounds two vectors of 16 f32 into one of 32
// bf16, the second operand's in the lower half. The interleaved store of a
// bf16 row normalized as even and odd halves (PairedRows.cpp) rounds both
// halves and interleaves them: with this instruction and one word
// permutation instead of two vcvtneps2bf16, a lane insert and a
// two-register permutation.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMPACKBF16PAIRSPASS
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {

/// The f32 vector that `v` rounds to bf16 (to nearest even), or null.
static Value roundedFromF32(Value v) {
  auto trunc = v.getDefiningOp<arith::TruncFOp>();
  if (!trunc || trunc.getRoundingmodeAttr() ||
      !getElementTypeOrSelf(trunc.getIn().getType()).isF32() ||
      !getElementTypeOrSelf(trunc.getType()).isBF16())
    return {};
  return trunc.getIn();
}

struct PackInterleavedTruncs : OpRewritePattern<vector::InterleaveOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::InterleaveOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getSourceVectorType();
    Value evens = roundedFromF32(op.getLhs());
    Value odds = roundedFromF32(op.getRhs());
    if (!evens || !odds || type.getRank() != 1 || type.isScalable() ||
        type.getNumElements() % 16 != 0)
      return rewriter.notifyMatchFailure(op, "not two f32 -> bf16 roundings");
    Location loc = op.getLoc();
    auto bf16x32 = VectorType::get({32}, rewriter.getBF16Type());
    // Word i of the result: element i of the second operand (an even one)
    // for i < 16, element i - 16 of the first (an odd one) after.
    SmallVector<int64_t> interleave;
    for (int64_t i = 0; i < 16; ++i)
      llvm::append_range(interleave, ArrayRef<int64_t>{i, 16 + i});
    Value packed;
    int64_t n = type.getNumElements();
    for (int64_t c = 0; c < n; c += 16) {
      auto slice = [&](Value v) {
        return vector::ExtractStridedSliceOp::create(rewriter, loc, v, c, 16,
                                                     1);
      };
      Value both =
          LLVM::CallIntrinsicOp::create(
              rewriter, loc, bf16x32,
              rewriter.getStringAttr("llvm.x86.avx512bf16.cvtne2ps2bf16.512"),
              ValueRange{slice(odds), slice(evens)})
              .getResult(0);
      Value chunk =
          vector::ShuffleOp::create(rewriter, loc, both, both, interleave);
      packed = packed ? vector::ShuffleOp::create(
                            rewriter, loc, packed, chunk,
                            llvm::to_vector(llvm::seq<int64_t>(0, 2 * c + 32)))
                            .getResult()
                      : chunk;
    }
    rewriter.replaceOp(op, packed);
    return success();
  }
};

struct NormPackBF16PairsPass
    : norm::impl::NormPackBF16PairsPassBase<NormPackBF16PairsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PackInterleavedTruncs>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
