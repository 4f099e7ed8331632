//===- NormPlugin.cpp - norm as a plugin of a stock mlir-opt --------------===//
//
// Loaded by an mlir-opt that links the same libMLIR (Debian's does):
//
//   mlir-opt --load-dialect-plugin=libNormPlugin.so \
//            --load-pass-plugin=libNormPlugin.so in.mlir --norm-lower-to-cpu
//
// The dialect plugin adds the norm dialect; the pass plugin adds norm's
// passes and pipelines. norm-opt registers the same things through the same
// functions (lib/Pipelines).
//
//===----------------------------------------------------------------------===//

#include "norm/Dialect/Norm/IR/NormDialect.h"
#include "norm/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "Norm", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            registry->insert<mlir::norm::NormDialect>();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "NormPasses", LLVM_VERSION_STRING,
          []() { mlir::norm::registerNormOwnPasses(); }};
}
