//===- SortGlobals.cpp - A deterministic order of memref.global ops -------===//

#include "norm/Transforms/Passes.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMSORTGLOBALSPASS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {
struct NormSortGlobalsPass
    : norm::impl::NormSortGlobalsPassBase<NormSortGlobalsPass> {
  void runOnOperation() override {
    Block *body = getOperation().getBody();
    SmallVector<memref::GlobalOp> globals(body->getOps<memref::GlobalOp>());
    llvm::stable_sort(globals, [](memref::GlobalOp a, memref::GlobalOp b) {
      return a.getSymName() < b.getSymName();
    });
    // Back to front, each to the start: the first ends first.
    for (memref::GlobalOp global : llvm::reverse(globals))
      global->moveBefore(body, body->begin());
  }
};
} // namespace
