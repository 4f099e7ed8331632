//===- NormToGPU.cpp - Norm ops to GPU kernels ----------------------------===//
//
// Outlines every norm op of a function into kernels of a gpu.module next to
// it (a vectorized kernel when the rows allow 16-byte accesses, and a scalar
// one for buffers that are not aligned for them). The op stays and names its
// kernels in `norm.gpu_kernels`; norm-compile launches them (docs/gpu.md).
//
//===----------------------------------------------------------------------===//

#include "KernelEmitter.h"
#include "KernelPlan.h"

#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSwitch.h"

#include <optional>

namespace mlir::norm {
#define GEN_PASS_DEF_NORMCONVERTTOGPUPASS
#include "norm/Conversion/Passes.h.inc"
} // namespace mlir::norm

using namespace mlir;
using namespace mlir::norm;

namespace {

struct NormConvertToGPUPass
    : norm::impl::NormConvertToGPUPassBase<NormConvertToGPUPass> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (rowValues != 8 && rowValues != 16 && rowValues != 32) {
      emitError(module.getLoc(),
                "norm-convert-to-gpu: row-values must be 8, 16 or 32, not ")
          << static_cast<int64_t>(rowValues);
      return signalPassFailure();
    }
    std::optional<gpu_plan::StagedWeights> staged =
        llvm::StringSwitch<std::optional<gpu_plan::StagedWeights>>(
            stagedWeights)
            .Case("auto", gpu_plan::StagedWeights::Auto)
            .Case("none", gpu_plan::StagedWeights::None)
            .Case("all", gpu_plan::StagedWeights::All)
            .Case("gamma", gpu_plan::StagedWeights::Gamma)
            .Default(std::nullopt);
    if (!staged) {
      emitError(module.getLoc(), "norm-convert-to-gpu: staged-weights must "
                                 "be auto, none, all or gamma, not '")
          << stagedWeights << "'";
      return signalPassFailure();
    }
    OpBuilder b(module.getContext());
    SymbolTable symbols(module);
    bool any = false;
    for (auto func : llvm::to_vector(module.getOps<func::FuncOp>())) {
      SmallVector<NormalizationOpInterface> ops;
      func.walk([&](NormalizationOpInterface op) { ops.push_back(op); });
      if (ops.empty())
        continue;
      any = true;
      b.setInsertionPointAfter(func);
      auto kernels = gpu::GPUModuleOp::create(
          b, func.getLoc(), (func.getSymName() + "_kernels").str());
      symbols.insert(kernels); // renamed if the name is taken
      for (size_t i = 0; i < ops.size(); ++i) {
        NormalizationOpInterface op = ops[i];
        auto planFor = [&](bool packed) -> std::optional<gpu_plan::KernelPlan> {
          gpu_plan::PlanOptions options;
          options.maxCluster = std::clamp<int64_t>(maxClusterSize, 1, 8);
          options.prefetchBytes = std::clamp<int64_t>(prefetchMiB, 0, 1024)
                                  << 20;
          options.packedRows = packed;
          options.rowValues = rowValues;
          options.stagedWeights = *staged;
          llvm::Expected<gpu_plan::KernelPlan> p =
              gpu_plan::planKernel(op, options);
          if (!p) {
            op.emitOpError("cannot be lowered to GPU code: ")
                << llvm::toString(p.takeError());
            return std::nullopt;
          }
          return *p;
        };
        std::optional<gpu_plan::KernelPlan> plan = planFor(packedRows);
        // The scalar kernel of packed rows keeps f32 values as before: with
        // one element per load, ptxas spills 64 packed values per thread.
        std::optional<gpu_plan::KernelPlan> scalarPlan =
            plan && plan->packed ? planFor(false) : plan;
        if (!plan || !scalarPlan)
          return signalPassFailure();
        std::string base = (func.getSymName() + "_" + llvm::Twine(i)).str();
        SmallVector<Attribute> names;
        auto add = [&](const gpu_plan::KernelPlan &p, int64_t width,
                       StringRef suffix) {
          gpu::GPUFuncOp kernel = gpu_plan::emitKernel(kernels, op, p, width,
                                                       (base + suffix).str());
          names.push_back(SymbolRefAttr::get(
              kernels.getSymNameAttr(),
              {FlatSymbolRefAttr::get(kernel.getNameAttr())}));
        };
        if (plan->vectorWidth > 1)
          add(*plan, plan->vectorWidth, "_vector");
        add(*scalarPlan, 1, "_scalar");
        op->setAttr("norm.gpu_kernels", b.getArrayAttr(names));
      }
    }
    if (any)
      module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                      b.getUnitAttr());
  }
};

} // namespace
