//===- PackBF16Pairs.cpp - Two f32 vectors to bf16 in one instruction ----===//
//
// AVX512-BF16's vcvtne2ps2bf16 rounds two vectors of 16 f32 into one of 32
// bf16, the second operand's in the lower half. The interleaved store of a
// bf16 row normalized as even and odd halves (PairedRows.cpp) rounds both
// halves and interleaves them: with this instruction and one word
// permutation instead of two vcvtneps2bf16, a lane insert and a
// two-register permutation. A vector rounded in order only to be stored
// takes it too, for each 32 elements.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "BF16Truncations.h"

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
using mlir::norm::roundedFromF32;

/// Whether `type` is a fixed 1-D vector of a multiple of `n` elements.
static bool isMultipleOf(Type type, int64_t n) {
  auto vector = dyn_cast<VectorType>(type);
  return vector && vector.getRank() == 1 && !vector.isScalable() &&
         vector.getNumElements() % n == 0;
}

/// vcvtne2ps2bf16: 16 f32 of `low` rounded into the lower 16 words, 16 of
/// `high` into the upper 16.
static Value roundPair(PatternRewriter &rewriter, Location loc, Value high,
                       Value low) {
  auto bf16x32 = VectorType::get({32}, rewriter.getBF16Type());
  return LLVM::CallIntrinsicOp::create(
             rewriter, loc, bf16x32,
             rewriter.getStringAttr("llvm.x86.avx512bf16.cvtne2ps2bf16.512"),
             ValueRange{high, low})
      .getResult(0);
}

/// 16 elements of `v` from `offset`.
static Value slice16(PatternRewriter &rewriter, Location loc, Value v,
                     int64_t offset) {
  return vector::ExtractStridedSliceOp::create(rewriter, loc, v, offset, 16, 1);
}

/// `chunk` appended to `packed` (null at first).
static Value append(PatternRewriter &rewriter, Location loc, Value packed,
                    Value chunk) {
  if (!packed)
    return chunk;
  int64_t n = cast<VectorType>(packed.getType()).getNumElements() +
              cast<VectorType>(chunk.getType()).getNumElements();
  return vector::ShuffleOp::create(rewriter, loc, packed, chunk,
                                   llvm::to_vector(llvm::seq<int64_t>(0, n)));
}

namespace {

struct PackInterleavedTruncs : OpRewritePattern<vector::InterleaveOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::InterleaveOp op,
                                PatternRewriter &rewriter) const override {
    Value evens = roundedFromF32(op.getLhs());
    Value odds = roundedFromF32(op.getRhs());
    if (!evens || !odds || !isMultipleOf(evens.getType(), 16))
      return rewriter.notifyMatchFailure(op, "not two f32 -> bf16 roundings");
    Location loc = op.getLoc();
    // Word i of a rounded pair: element i of the second operand (an even
    // one) for i < 16, element i - 16 of the first (an odd one) after.
    SmallVector<int64_t> interleave;
    for (int64_t i = 0; i < 16; ++i)
      llvm::append_range(interleave, ArrayRef<int64_t>{i, 16 + i});
    Value packed;
    int64_t n = cast<VectorType>(evens.getType()).getNumElements();
    for (int64_t c = 0; c < n; c += 16) {
      Value both = roundPair(rewriter, loc, slice16(rewriter, loc, odds, c),
                             slice16(rewriter, loc, evens, c));
      packed = append(
          rewriter, loc, packed,
          vector::ShuffleOp::create(rewriter, loc, both, both, interleave));
    }
    rewriter.replaceOp(op, packed);
    return success();
  }
};

/// A vector rounded in order only to be stored: 32 elements per
/// vcvtne2ps2bf16 (the upper 16 its first operand), where two
/// vcvtneps2bf16 and a lane insert took three instructions.
struct PackStoredTrunc : OpRewritePattern<arith::TruncFOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::TruncFOp op,
                                PatternRewriter &rewriter) const override {
    Value in = roundedFromF32(op.getResult());
    if (!in || !isMultipleOf(in.getType(), 32) || op->use_empty() ||
        !llvm::all_of(op->getUsers(), llvm::IsaPred<vector::StoreOp>))
      return rewriter.notifyMatchFailure(op, "not a stored f32 -> bf16 vector");
    Location loc = op.getLoc();
    Value packed;
    int64_t n = cast<VectorType>(in.getType()).getNumElements();
    for (int64_t c = 0; c < n; c += 32)
      packed =
          append(rewriter, loc, packed,
                 roundPair(rewriter, loc, slice16(rewriter, loc, in, c + 16),
                           slice16(rewriter, loc, in, c)));
    rewriter.replaceOp(op, packed);
    return success();
  }
};

struct NormPackBF16PairsPass
    : norm::impl::NormPackBF16PairsPassBase<NormPackBF16PairsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<PackInterleavedTruncs, PackStoredTrunc>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
