//===- KernelEmitter.h - The gpu.func of a norm op --------------*- C++ -*-===//

#ifndef NORM_CONVERSION_NORMTOGPU_KERNELEMITTER_H
#define NORM_CONVERSION_NORMTOGPU_KERNELEMITTER_H

#include "KernelPlan.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

namespace mlir::norm::gpu_plan {

/// Emits, at the end of `module`, the kernel `name` computing `op` with
/// `plan` and `width` elements per access along the innermost segment. Its
/// arguments are the op's operands then its results, each a rank-0 memref
/// (a bare pointer to the dense row-major buffer).
gpu::GPUFuncOp emitKernel(gpu::GPUModuleOp module, NormalizationOpInterface op,
                          const KernelPlan &plan, int64_t width,
                          llvm::StringRef name);

} // namespace mlir::norm::gpu_plan

#endif // NORM_CONVERSION_NORMTOGPU_KERNELEMITTER_H
