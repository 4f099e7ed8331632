//===- CompileCuda.h - norm-compile's CUDA target ---------------*- C++ -*-===//

#ifndef NORM_TOOLS_NORMCOMPILE_COMPILECUDA_H
#define NORM_TOOLS_NORMCOMPILE_COMPILECUDA_H

#include "norm/AOT/Cuda.h"
#include "norm/Pipelines/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::norm {

/// Lowers every public function of `module` (one norm op and a return each)
/// to CUDA kernels serialized for `options`, and describes their launches.
llvm::Expected<std::vector<CudaKernel>>
lowerToCuda(ModuleOp module, const GPUPipelineOptions &options);

} // namespace mlir::norm

#endif // NORM_TOOLS_NORMCOMPILE_COMPILECUDA_H
