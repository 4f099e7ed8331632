//===- Pipelines.h - Pipelines shared by the norm tools ---------*- C++ -*-===//
//
// norm-opt, norm-run and the tests use one definition of each pipeline and of
// the dialects and passes they need.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_PIPELINES_PIPELINES_H
#define NORM_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir {
class DialectRegistry;
class OpPassManager;
namespace norm {

/// Registers the norm dialect and the upstream dialects and interfaces its
/// pipelines produce (func, arith, math, linalg, tensor, bufferization,
/// memref, scf, cf, affine, llvm) with the LLVM IR translations.
void registerNormDialects(DialectRegistry &registry);

/// Registers norm's passes and pipelines and the upstream passes they use;
/// later calls do nothing.
void registerNormPasses();

/// Registers norm's own passes and pipelines only, for a host (a stock
/// mlir-opt with norm's plugin) that registers the upstream ones itself.
void registerNormOwnPasses();

/// Adds the reference lowering to the LLVM dialect: norm-decompose,
/// bufferization with identity layouts at function boundaries, loops, and
/// the conversions to LLVM. Registered as `norm-reference-to-llvm`.
LogicalResult buildReferenceToLLVMPipeline(OpPassManager &pm);

/// Options of the CPU pipeline.
/// Outputs of at least this many bytes use non-temporal stores by default:
/// half a 32 MiB L3 (an output and its input of this size together fill
/// it; smaller ones stay in the last-level cache, where the next op finds
/// them, and ordinary stores are faster there).
inline constexpr int64_t kDefaultStreamingThreshold = 16 << 20;

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  Option<int64_t> vectorWidth{
      *this, "vector-width",
      llvm::cl::desc("Elements per vector operation (0: from the host)"),
      llvm::cl::init(0)};
  Option<int64_t> streamingThreshold{
      *this, "streaming-threshold",
      llvm::cl::desc("Outputs of at least this many bytes use non-temporal "
                     "stores"),
      llvm::cl::init(kDefaultStreamingThreshold)};
  Option<bool> nativeBF16{
      *this, "native-bf16",
      llvm::cl::desc("The target converts f32 to bf16 in hardware "
                     "(AVX512-BF16): leave bf16 conversions to LLVM instead "
                     "of expanding them into integer operations"),
      llvm::cl::init(false)};
  Option<bool> sequential{
      *this, "sequential",
      llvm::cl::desc("No thread team: the slot loops run on the calling "
                     "thread and the code calls no OpenMP runtime (for "
                     "embedders that bring their own threads)"),
      llvm::cl::init(false)};
  Option<bool> destinationPassing{
      *this, "destination-passing",
      llvm::cl::desc("Turn results into buffers the caller provides, "
                     "appended to the arguments (the ahead-of-time ABI)"),
      llvm::cl::init(false)};
};

/// Adds the CPU code generation pipeline: norm-convert-to-vector, then
/// bufferization and the conversions to LLVM. Registered as
/// `norm-lower-to-cpu`. It does not use the reference decomposition.
LogicalResult buildCPUPipeline(OpPassManager &pm,
                               const CPUPipelineOptions &options);

/// Options of the GPU pipeline.
struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  ListOption<std::string> chips{
      *this, "chip",
      llvm::cl::desc("NVIDIA architectures to compile for, e.g. sm_90 or "
                     "sm_80,sm_90 (one object per chip)"),
      llvm::cl::list_init<std::string>({"sm_90"})};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("cubin (ptxas), ptx (text) or fatbin (cubin and PTX)"),
      llvm::cl::init("cubin")};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit for ptxas and libdevice (default: "
                     "$CUDA_ROOT, else /usr/local/cuda)"),
      llvm::cl::init("")};
  Option<int64_t> prefetchMiB{
      *this, "prefetch-mib",
      llvm::cl::desc("MiB of the next wave's rows prefetched into L2 for long "
                     "rows (norm-convert-to-gpu; 0: none)"),
      llvm::cl::init(10)};
  Option<bool> packedRows{
      *this, "packed-rows",
      llvm::cl::desc("Long rows of 16-bit elements keep their values packed "
                     "two per register (norm-convert-to-gpu)"),
      llvm::cl::init(true)};
  Option<int64_t> rowValues{
      *this, "row-values",
      llvm::cl::desc("Values a thread of a row strategy keeps in registers: "
                     "8, 16 or 32 (norm-convert-to-gpu; a tuning knob)"),
      llvm::cl::init(32)};
  Option<std::string> stagedWeights{
      *this, "staged-weights",
      llvm::cl::desc("Which row kernels copy their weights into shared "
                     "memory: auto, none, all or gamma (norm-convert-to-gpu; "
                     "a tuning knob)"),
      llvm::cl::init("auto")};
  Option<int> optLevel{*this, "opt-level",
                       llvm::cl::desc("Optimization level of the device code"),
                       llvm::cl::init(3)};
};

/// Adds the GPU code generation pipeline: norm-convert-to-gpu, the upstream
/// conversion of the kernels to NVVM, gpu-module-to-binary and
/// norm-check-gpu-binaries. Registered as `norm-lower-to-gpu`. Fails on an
/// unknown chip or format.
LogicalResult buildGPUPipeline(OpPassManager &pm,
                               const GPUPipelineOptions &options);

/// The part of the GPU pipeline after norm-convert-to-gpu: the kernels to
/// NVVM, serialized and checked.
LogicalResult buildGPUSerializationPipeline(OpPassManager &pm,
                                            const GPUPipelineOptions &options);

/// Blocks per thread-block cluster the kernels may use: 8 when every chip
/// is sm_90 or later, else 1 (no clusters).
int64_t gpuMaxClusterSize(const GPUPipelineOptions &options);

/// The CUDA toolkit the GPU pipeline uses by default.
std::string defaultCudaToolkit();

} // namespace norm
} // namespace mlir

#endif // NORM_PIPELINES_PIPELINES_H
