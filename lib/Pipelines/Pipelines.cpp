//===- Pipelines.cpp - Pipelines shared by the norm tools -----------------===//

#include "norm/Pipelines/Pipelines.h"
#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormDialect.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVM.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVM.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/UBToLLVM/UBToLLVM.h"
#include "mlir/Conversion/VectorToLLVM/ConvertVectorToLLVM.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void norm::registerNormDialects(DialectRegistry &registry) {
  registry
      .insert<norm::NormDialect, func::FuncDialect, arith::ArithDialect,
              math::MathDialect, linalg::LinalgDialect, tensor::TensorDialect,
              bufferization::BufferizationDialect, memref::MemRefDialect,
              scf::SCFDialect, cf::ControlFlowDialect, affine::AffineDialect,
              vector::VectorDialect, omp::OpenMPDialect, LLVM::LLVMDialect,
              gpu::GPUDialect, NVVM::NVVMDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerBufferDeallocationOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  cf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  // convert-gpu-to-nvvm converts the other dialects of a kernel through
  // their ConvertToLLVM interfaces.
  NVVM::registerConvertGpuToNVVMInterface(registry);
  arith::registerConvertArithToLLVMInterface(registry);
  cf::registerConvertControlFlowToLLVMInterface(registry);
  registerConvertFuncToLLVMInterface(registry);
  registerConvertMemRefToLLVMInterface(registry);
  ub::registerConvertUBToLLVMInterface(registry);
  vector::registerConvertVectorToLLVMInterface(registry);
  registerConvertNVVMToLLVMInterface(registry);
}

/// Arithmetic on bf16 and f16 values (a residual add, a bias, an
/// activation written in the 16-bit type, of a fused or unfused program)
/// computed in f32 and rounded once where the body yields or converts its
/// value, as PyTorch computes such ops (and as the float64 reference reads
/// them, docs/fusion.md): the emulation's conversions between two ops fold
/// away. LLVM would otherwise round bf16 with a call to __truncsfbf2 on
/// targets without AVX512-BF16, which neither the JIT nor Debian 12's
/// libgcc has, and f16 after every operation. f32's 24 bits are more than
/// 2 x 11 + 2, so one operation's double rounding (exact to f32, f32 to the
/// 16-bit type) gives the correctly rounded result. Every pipeline runs it
/// (the GPU's on the device code, where PTX would round each operation).
static constexpr const char *kEmulate16BitFloats =
    "arith-emulate-unsupported-floats{source-types=bf16,f16 "
    "target-type=f32},";

/// The reference pipeline as a textual pipeline: every pass in it is an
/// upstream pass with a stable name. The head, then bf16 (and f16) math
/// in f32 (math-extend-to-supported-types) and kEmulate16BitFloats, then the
/// tail.
static constexpr const char *kReferenceToLLVMHead =
    "convert-elementwise-to-linalg,norm-decompose,canonicalize,"
    "norm-read-only-arguments,one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "norm-sort-globals,"
    "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
    "norm-strided-copies,norm-dynamic-expand-shapes,convert-linalg-to-loops,"
    "expand-strided-metadata,lower-affine,norm-narrow-f64,norm-expand-f8,"
    "math-extend-to-supported-types,";
static constexpr const char *kReferenceToLLVMTail =
    "arith-expand{include-bf16=true},"
    // erf and tanh (fused GELU) have no LLVM intrinsic: libm computes them.
    "convert-scf-to-cf,convert-math-to-llvm,convert-math-to-libm,"
    "convert-arith-to-llvm,"
    "finalize-memref-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,"
    "reconcile-unrealized-casts";

/// The CPU pipeline after norm-convert-to-vector: bufferization...
static constexpr const char *kBufferize =
    "canonicalize,cse,norm-read-only-arguments,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "norm-sort-globals";

/// ...optionally results turned into caller-provided buffers...
static constexpr const char *kDestinationPassing =
    "buffer-results-to-out-params{hoist-static-allocs=true "
    "hoist-dynamic-allocs=true modify-public-functions=true}";

/// ...and the conversions to LLVM with an OpenMP team for the slot loops.
/// %s is where arith-expand goes: bf16 conversions are expanded into integer
/// operations unless the target converts in hardware.
static constexpr const char *kVectorToLLVMHead =
    "buffer-deallocation-pipeline,convert-bufferization-to-memref,canonicalize,"
    "norm-strided-copies,norm-dynamic-expand-shapes,convert-linalg-to-loops,";
/// ...the slot loops on an OpenMP team (unless sequential)...
static constexpr const char *kOpenMP = "convert-scf-to-openmp,";
static constexpr const char *kVectorToLLVMMiddle =
    "expand-strided-metadata,lower-affine,norm-narrow-f64,norm-expand-f8,";
static constexpr const char *kVectorToLLVMTail =
    // memref.alloca_scope (around each OpenMP loop body) must be lowered
    // while its body is still a single block, before scf-to-cf.
    "convert-vector-to-llvm,finalize-memref-to-llvm,convert-scf-to-cf,"
    "convert-math-to-llvm,convert-arith-to-llvm,convert-func-to-llvm,"
    "convert-cf-to-llvm,convert-openmp-to-llvm,reconcile-unrealized-casts";

/// The textual pipelines name upstream passes: register them unless the host
/// (norm's tools, or a stock mlir-opt with norm's plugin) already has.
static void ensurePassesRegistered() {
  if (!PassInfo::lookup("one-shot-bufferize") ||
      !PassInfo::lookup("norm-convert-to-vector"))
    norm::registerNormPasses();
}

LogicalResult norm::buildCPUPipeline(OpPassManager &pm,
                                     const CPUPipelineOptions &options) {
  ensurePassesRegistered();
  // Elementwise work left outside norm ops (an unfused program) runs as
  // linalg loops.
  if (failed(parsePassPipeline("convert-elementwise-to-linalg", pm)))
    return failure();
  NormConvertToVectorPassOptions vectorOptions;
  vectorOptions.vectorWidth = options.vectorWidth;
  vectorOptions.streamingThreshold = options.streamingThreshold;
  pm.addPass(createNormConvertToVectorPass(vectorOptions));
  if (failed(parsePassPipeline(kBufferize, pm)))
    return failure();
  if (options.destinationPassing &&
      failed(parsePassPipeline(kDestinationPassing, pm)))
    return failure();
  std::string lowering =
      std::string(kVectorToLLVMHead) + (options.sequential ? "" : kOpenMP) +
      kVectorToLLVMMiddle + kEmulate16BitFloats +
      (options.nativeBF16
           ? "arith-expand,norm-pack-bf16-pairs,"
           : "norm-expand-bf16,arith-expand{include-bf16=true},") +
      kVectorToLLVMTail +
      // After the conversion to LLVM: bf16 memory as i16 (see the pass).
      (options.nativeBF16 ? "" : ",norm-bf16-memory-as-i16");
  return parsePassPipeline(lowering, pm);
}

std::string norm::defaultCudaToolkit() {
  if (const char *root = std::getenv("CUDA_ROOT"); root && *root)
    return root;
  return "/usr/local/cuda";
}

LogicalResult norm::buildGPUPipeline(OpPassManager &pm,
                                     const GPUPipelineOptions &options) {
  ensurePassesRegistered();
  NormConvertToGPUPassOptions convert;
  convert.maxClusterSize = gpuMaxClusterSize(options);
  convert.prefetchMiB = options.prefetchMiB;
  convert.packedRows = options.packedRows;
  convert.rowValues = options.rowValues;
  convert.stagedWeights = options.stagedWeights;
  pm.addPass(createNormConvertToGPUPass(convert));
  return buildGPUSerializationPipeline(pm, options);
}

/// XY of a chip named sm_XY (sm_90a: 90), or nullopt.
static std::optional<int> smNumber(StringRef chip) {
  int number = 0;
  if (!chip.consume_front("sm_") || chip.rtrim("af").getAsInteger(10, number))
    return std::nullopt;
  return number;
}

int64_t norm::gpuMaxClusterSize(const GPUPipelineOptions &options) {
  // Thread-block clusters exist from sm_90 on: every chip must have them.
  for (const std::string &chip : options.chips) {
    std::optional<int> number = smNumber(chip);
    if (!number || *number < 90)
      return 1;
  }
  return 8;
}

LogicalResult
norm::buildGPUSerializationPipeline(OpPassManager &pm,
                                    const GPUPipelineOptions &options) {
  ensurePassesRegistered();
  static const llvm::StringMap<const char *> formats = {
      {"cubin", "bin"}, {"ptx", "isa"}, {"fatbin", "fatbin"}};
  auto format = formats.find(options.format);
  if (format == formats.end() || options.chips.empty())
    return failure();
  for (const std::string &chip : options.chips) {
    // sm_XY: a number of at least 80 (ptxas needs +ptx80 for sm_90 code to
    // serialize at all; the clusters' st.async needs PTX 8.1 on sm_90;
    // sm_100 and later need PTX 8.6).
    std::optional<int> number = smNumber(chip);
    if (!number || *number < 80)
      return failure();
    const char *ptx = *number >= 100  ? "+ptx86"
                      : *number >= 90 ? "+ptx81"
                                      : "+ptx80";
    std::string attach = "nvvm-attach-target{chip=" + chip +
                         " features=" + ptx +
                         " O=" + std::to_string(options.optLevel) + "}";
    if (failed(parsePassPipeline(attach, pm)))
      return failure();
  }
  std::string toolkit = options.toolkit.empty() ? defaultCudaToolkit()
                                                : options.toolkit.getValue();
  std::string device =
      "gpu.module(" + std::string(kEmulate16BitFloats) +
      "norm-expand-f8,convert-scf-to-cf,"
      "convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=true},"
      "canonicalize,cse,reconcile-unrealized-casts),"
      "gpu-module-to-binary{format=" +
      std::string(format->second) + " toolkit=" + toolkit +
      "},norm-check-gpu-binaries";
  return parsePassPipeline(device, pm);
}

LogicalResult norm::buildReferenceToLLVMPipeline(OpPassManager &pm) {
  ensurePassesRegistered();
  return parsePassPipeline(std::string(kReferenceToLLVMHead) +
                               kEmulate16BitFloats + kReferenceToLLVMTail,
                           pm);
}

void norm::registerNormPasses() {
  static bool registered = false;
  if (registered)
    return;
  registered = true;
  registerNormOwnPasses();
  registerTransformsPasses();
  registerConversionPasses();
  registerLinalgPasses();
  arith::registerArithPasses();
  math::registerMathPasses();
  memref::registerMemRefPasses();
  bufferization::registerBufferizationPasses();
  bufferization::registerBufferizationPipelines();
  registerGPUPasses();
}

void norm::registerNormOwnPasses() {
  static bool registered = false;
  if (registered)
    return;
  registered = true;
  norm::registerNormTransformsPasses();
  norm::registerNormConversionPasses();
  PassPipelineRegistration<>(
      "norm-reference-to-llvm",
      "Lower norm ops to the LLVM dialect through the reference "
      "decomposition (the oracle path, not the fast one)",
      [](OpPassManager &pm) {
        // The pipeline is a constant of this file and parses.
        (void)buildReferenceToLLVMPipeline(pm);
      });
  PassPipelineRegistration<CPUPipelineOptions>(
      "norm-lower-to-cpu",
      "Lower norm ops to vectorized, parallel CPU code in the LLVM dialect",
      [](OpPassManager &pm, const CPUPipelineOptions &options) {
        // The pipeline is a constant of this file and parses.
        (void)buildCPUPipeline(pm, options);
      });
  // Registered directly: a bad chip or format is reported, not ignored.
  registerPassPipeline(
      "norm-lower-to-gpu",
      "Lower norm ops to NVIDIA GPU kernels serialized as cubin, PTX or "
      "fatbin (static shapes; docs/gpu.md)",
      [](OpPassManager &pm, StringRef text,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        GPUPipelineOptions options;
        if (failed(options.parseFromString(text)))
          return failure();
        if (failed(buildGPUPipeline(pm, options)))
          return errorHandler("norm-lower-to-gpu: chip must be sm_80 or "
                              "later (sm_XY) and format cubin, ptx or fatbin");
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)> handler) {
        handler(GPUPipelineOptions());
      });
}
