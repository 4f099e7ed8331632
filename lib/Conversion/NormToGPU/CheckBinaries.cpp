//===- CheckBinaries.cpp - Fail on GPU binaries that did not come out -----===//
//
// gpu-module-to-binary can leave a module unserialized, or PTX with calls to
// unresolved libdevice functions, while the pass manager succeeds. This pass
// turns each such outcome into an error, so that the tools exit non-zero.
//
//===----------------------------------------------------------------------===//

#include "norm/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir::norm {
#define GEN_PASS_DEF_NORMCHECKGPUBINARIESPASS
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;

namespace {

struct NormCheckGPUBinariesPass
    : norm::impl::NormCheckGPUBinariesPassBase<NormCheckGPUBinariesPass> {
  void runOnOperation() override {
    bool failed = false;
    getOperation()->walk([&](gpu::GPUModuleOp module) {
      module.emitError("GPU module was not serialized");
      failed = true;
    });
    getOperation()->walk([&](gpu::BinaryOp binary) {
      for (Attribute attr : binary.getObjects()) {
        auto object = dyn_cast<gpu::ObjectAttr>(attr);
        if (!object)
          continue;
        StringRef bytes = object.getObject().getValue();
        std::string target;
        llvm::raw_string_ostream os(target);
        os << object.getTarget();
        if (bytes.empty()) {
          binary.emitError("empty GPU binary for ") << target;
          failed = true;
          continue;
        }
        switch (object.getFormat()) {
        case gpu::CompilationTarget::Assembly:
          if (bytes.contains(".extern .func")) {
            binary.emitError("PTX for ")
                << target
                << " calls unresolved functions (is libdevice of the CUDA "
                   "toolkit found? set CUDA_ROOT or toolkit=)";
            failed = true;
          }
          break;
        case gpu::CompilationTarget::Binary:
          if (!bytes.starts_with("\x7f"
                                 "ELF")) {
            binary.emitError("GPU binary for ") << target << " is not a cubin";
            failed = true;
          }
          break;
        default:
          break;
        }
      }
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace
