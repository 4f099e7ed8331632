//===- NormToVector.cpp - Norm ops to vectorized parallel loops -----------===//
//
// The CPU code generation of norm ops. One pattern serves every op: it reads
// the op's NormDesc, views the input as alternating runs ("segments") of
// reduced and kept axes, and emits an scf.parallel loop over statistics slots
// whose body reduces and normalizes with vector ops on buffers.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"

#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/AxisRoles.h"
#include "norm/Dialect/Norm/IR/FloatCast.h"
#include "norm/Dialect/Norm/IR/GroupSplit.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/TargetParser/Host.h"

#include <functional>

namespace mlir::norm {
#define GEN_PASS_DEF_NORMCONVERTTOVECTORPASS
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::vector_detail;

int64_t norm::vectorWidthFor(bool avx512, bool avx) {
  return avx512 ? 64 : avx ? 32 : 16;
}

int64_t norm::hostVectorWidth() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return vectorWidthFor(features.lookup("avx512f"),
                        features.lookup("avx2") || features.lookup("avx"));
}

namespace {

struct LowerNormalization
    : OpInterfaceRewritePattern<NormalizationOpInterface> {
  LowerNormalization(MLIRContext *context, int64_t width,
                     int64_t streamingThreshold)
      : OpInterfaceRewritePattern(context), width(width),
        streamingThreshold(streamingThreshold) {}
  LogicalResult matchAndRewrite(NormalizationOpInterface op,
                                PatternRewriter &rewriter) const override {
    return KernelBuilder(rewriter, op, width, streamingThreshold).build();
  }
  int64_t width;
  int64_t streamingThreshold;
};

struct NormConvertToVectorPass
    : norm::impl::NormConvertToVectorPassBase<NormConvertToVectorPass> {
  using Base::Base;
  void runOnOperation() override {
    if (vectorWidth < 0 || streamingThreshold < 0) {
      emitError(getOperation()->getLoc())
          << "vector-width and streaming-threshold must not be negative";
      return signalPassFailure();
    }
    RewritePatternSet patterns(&getContext());
    populateNormToVectorPatterns(
        patterns, vectorWidth > 0 ? vectorWidth : hostVectorWidth(),
        streamingThreshold);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    if (failed(verifyNoNormOpsLeft(getOperation(),
                                   "could not be lowered to vector code")))
      return signalPassFailure();
    // Transcendentals of fused epilogues (tanh, erf, exp in GELU, SiLU,
    // sigmoid) as polynomials on vectors, instead of one libm call per lane.
    RewritePatternSet math(&getContext());
    populateErfApproximationPatterns(math);
    populateMathPolynomialApproximationPatterns(math);
    if (failed(applyPatternsGreedily(getOperation(), std::move(math))))
      signalPassFailure();
  }
};

} // namespace

void mlir::norm::populateNormToVectorPatterns(RewritePatternSet &patterns,
                                              int64_t vectorWidth,
                                              int64_t streamingThreshold) {
  patterns.add<LowerNormalization>(patterns.getContext(), vectorWidth,
                                   streamingThreshold);
}
