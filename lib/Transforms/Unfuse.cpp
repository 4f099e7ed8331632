//===- Unfuse.cpp - Split fused norm ops ----------------------------------===//

#include "norm/Transforms/FusedForm.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMUNFUSEPASS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {
struct NormUnfusePass : norm::impl::NormUnfusePassBase<NormUnfusePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateUnfusePatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
