//===- Cuda.h - Ahead-of-time CUDA kernels ----------------------*- C++ -*-===//
//
// norm-compile --target=cuda: the device code of each kernel embedded in a
// host object, and a C header whose functions take device pointers and a
// stream and launch through runtime/cuda (docs/gpu.md).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_AOT_CUDA_H
#define NORM_AOT_CUDA_H

#include "norm/AOT/CHeader.h"

#include <array>
#include <memory>

namespace llvm {
class LLVMContext;
class Module;
} // namespace llvm

namespace mlir::norm {

/// Where a kernel argument comes from in the C function.
struct CudaArg {
  bool output = false;
  unsigned index = 0; // into CKernel::inputs or ::outputs
  /// Bytes the vectorized kernel needs the pointer aligned to.
  int64_t alignment = 1;
};

/// A C function of the CUDA target: one launch of one norm op.
struct CudaKernel {
  CKernel c;
  std::string vectorKernel; // empty when there is none
  std::string scalarKernel;
  /// Launch shapes of the scalar and the vectorized kernel: the grid
  /// differs when each thread handles one vector (the elementwise strategy),
  /// the block too when the vectorized kernel packs 16-bit rows.
  std::array<int64_t, 3> grid{}, vectorGrid{}, block{}, vectorBlock{};
  std::vector<CudaArg> args;
  /// Dynamic leading sizes: the kernels take their product, `outer` (a C
  /// expression of the size arguments), and the grid of each kernel is
  /// min(ceil(outer * a / b), cap) with {a, b, cap} here (cap 0: none).
  std::string outer;
  /// The largest outer size whose tensors' byte sizes fit in int64_t.
  int64_t maxOuter = 0;
  std::array<int64_t, 3> gridFormula{}, vectorGridFormula{};
  /// (chip, image bytes) of the gpu.binary holding the kernels.
  std::vector<std::pair<std::string, std::string>> images;
};

/// Writes the C header declaring `kernels`.
std::string emitCudaHeader(llvm::ArrayRef<CudaKernel> kernels,
                           llvm::StringRef guard);

/// An LLVM module defining each kernel's `<name>_cuda_module` with its
/// images, for the host target.
std::unique_ptr<llvm::Module>
buildCudaImages(llvm::ArrayRef<CudaKernel> kernels, llvm::LLVMContext &context);

} // namespace mlir::norm

#endif // NORM_AOT_CUDA_H
