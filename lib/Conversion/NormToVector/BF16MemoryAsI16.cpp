//===- BF16MemoryAsI16.cpp - bf16 loads and stores as i16 -----------------===//
//
// On targets without bf16 registers LLVM carries a bf16 value that lives
// across basic blocks in f32 and rounds it back with `__truncsfbf2` (one
// call per lane), a symbol neither the JIT nor Debian 12's libgcc has.
// After norm-expand-bf16 and arith-emulate-unsupported-floats the only bf16
// values left are loaded, stored and bitcast: loading and storing them as
// i16 lets LLVM fold the bitcasts away, so no bf16 value remains.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMBF16MEMORYASI16PASS
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {

/// `type` with its bf16 elements as i16, or null when it holds no bf16.
Type asI16(Type type) {
  auto i16 = IntegerType::get(type.getContext(), 16);
  if (type.isBF16())
    return i16;
  if (auto vector = dyn_cast<VectorType>(type);
      vector && vector.getElementType().isBF16())
    return vector.clone(i16);
  return {};
}

struct BF16MemoryAsI16
    : norm::impl::NormBF16MemoryAsI16PassBase<BF16MemoryAsI16> {
  void runOnOperation() override {
    getOperation()->walk([](Operation *op) {
      if (auto load = dyn_cast<LLVM::LoadOp>(op)) {
        Type type = asI16(load.getType());
        if (!type)
          return;
        OpBuilder b(op);
        // A copy with every attribute (alignment, non-temporal, ...).
        Operation *copy = b.clone(*op);
        copy->getResult(0).setType(type);
        b.setInsertionPointAfter(copy);
        Value cast = LLVM::BitcastOp::create(b, op->getLoc(), load.getType(),
                                             copy->getResult(0));
        load.getResult().replaceAllUsesWith(cast);
        load.erase();
      } else if (auto store = dyn_cast<LLVM::StoreOp>(op)) {
        Type type = asI16(store.getValue().getType());
        if (!type)
          return;
        OpBuilder b(op);
        Value cast =
            LLVM::BitcastOp::create(b, op->getLoc(), type, store.getValue());
        store.getValueMutable().assign(cast);
      }
    });
  }
};

} // namespace
