//===- FuzzTargets.cpp - Entry points of norm's fuzz targets --------------===//

#include "FuzzTargets.h"

#include "norm/AOT/CHeader.h"
#include "norm/Pipelines/Pipelines.h"
#include "norm/Support/InputSpec.h"
#include "norm/Support/Npy.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/FileSystem.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <string>

using namespace mlir;
using namespace mlir::norm;

void fuzz::npyReader(const uint8_t *data, size_t size) {
  auto tensor =
      parseNpy(llvm::StringRef(reinterpret_cast<const char *>(data), size));
  if (!tensor) {
    llvm::consumeError(tensor.takeError());
    return;
  }
  // Whatever parses must also read and write back.
  if (tensor->numElements() > 0)
    (void)tensor->get(tensor->numElements() - 1);
  if (tensor->numBytes() < (1 << 20))
    (void)serializeNpy(*tensor);
}

void fuzz::inputSpec(const uint8_t *data, size_t size) {
  auto spec = parseInputSpec(
      llvm::StringRef(reinterpret_cast<const char *>(data), size));
  if (!spec) {
    llvm::consumeError(spec.takeError());
    return;
  }
  // Materialize only what is small: size is not what is being fuzzed.
  int64_t elements = 1;
  for (int64_t d : spec->shape)
    elements *= d;
  if (spec->kind != InputSpec::Kind::File && elements <= 4096)
    (void)materialize(*spec, 0);
}

void fuzz::normOpt(const uint8_t *data, size_t size) {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    registerNormDialects(*r);
    registerNormPasses();
    return r;
  }();
  MLIRContext context(*registry);
  context.disableMultithreading();
  // Diagnostics are expected on most inputs; keep them quiet.
  context.getDiagEngine().registerHandler([](Diagnostic &) {});
  // As norm-opt reads a file: an owned, null-terminated buffer with a name.
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz-input.mlir"),
      llvm::SMLoc());
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
  if (!module)
    return;
  // norm-compile's path only for modules whose functions fit the C ABI.
  bool fitsABI = true;
  for (auto func : module->getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    auto kernel = describeKernel(func);
    if (!kernel) {
      llvm::consumeError(kernel.takeError());
      fitsABI = false;
    } else {
      (void)emitCHeader({*kernel}, "FUZZ_H");
    }
  }
  // The GPU pipeline up to PTX text needs the CUDA toolkit's libdevice.
  static const bool hasToolkit = llvm::sys::fs::exists(
      defaultCudaToolkit() + "/nvvm/libdevice/libdevice.10.bc");
  for (int pipeline = 0; pipeline < 6; ++pipeline) {
    if ((pipeline == 2 && !fitsABI) || (pipeline == 5 && !hasToolkit))
      continue;
    OwningOpRef<ModuleOp> copy(module->clone());
    PassManager pm(&context);
    LogicalResult built = success();
    if (pipeline == 0) {
      pm.addPass(createNormDecomposePass());
    } else if (pipeline == 3) {
      // Recognition and fusion, then the fused ops down to the CPU.
      pm.addPass(createNormRaisePass());
      pm.addPass(createNormFuseElementwisePass());
      CPUPipelineOptions options;
      options.vectorWidth = 8;
      built = buildCPUPipeline(pm, options);
    } else if (pipeline == 4) {
      pm.addPass(createNormUnfusePass());
    } else if (pipeline == 5) {
      GPUPipelineOptions options;
      options.chips = {"sm_90"};
      options.format = "ptx";
      built = buildGPUPipeline(pm, options);
    } else {
      CPUPipelineOptions options;
      options.vectorWidth = 16;
      options.destinationPassing = pipeline == 2;
      built = buildCPUPipeline(pm, options);
    }
    if (succeeded(built))
      (void)pm.run(*copy);
  }
}
