//===- Outline.cpp - One private function per norm op ---------------------===//

#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Transforms/Passes.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMOUTLINEPASS
#include "norm/Transforms/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

/// Moves `op` into a new private function next to `parent` and calls it.
/// (The fused regions are isolated from above: the operands are all the op
/// reads.)
static void outline(NormalizationOpInterface op, func::FuncOp parent,
                    int64_t index, SymbolTable &symbols) {
  OpBuilder b(parent);
  b.setInsertionPointAfter(parent);
  Location loc = op.getLoc();
  auto type = b.getFunctionType(op->getOperandTypes(), op->getResultTypes());
  auto callee = func::FuncOp::create(
      b, loc, (parent.getSymName() + "_norm" + Twine(index)).str(), type);
  callee.setPrivate();
  callee->setAttr("norm.outlined", b.getUnitAttr());
  symbols.insert(callee); // renamed if the name is taken

  Block *entry = callee.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping mapping;
  mapping.map(op->getOperands(), entry->getArguments());
  Operation *clone = b.clone(*op, mapping);
  func::ReturnOp::create(b, loc, clone->getResults());

  b.setInsertionPoint(op);
  auto call = func::CallOp::create(b, loc, callee, op->getOperands());
  op->replaceAllUsesWith(call.getResults());
  op->erase();
}

namespace {
struct NormOutlinePass : norm::impl::NormOutlinePassBase<NormOutlinePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs) {
      if (func->hasAttr("norm.outlined"))
        continue;
      SmallVector<NormalizationOpInterface> ops;
      func.walk([&](NormalizationOpInterface op) { ops.push_back(op); });
      for (auto [k, op] : llvm::enumerate(ops))
        outline(op, func, k, symbols);
    }
  }
};
} // namespace
