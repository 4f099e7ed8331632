//===- FuzzTargets.cpp - Entry points of norm's fuzz targets --------------===//

#include "FuzzTargets.h"
#include "NormRunMain.h"

#include "norm/AOT/CHeader.h"
#include "norm/Pipelines/Pipelines.h"
#include "norm/Support/InputSpec.h"
#include "norm/Support/Npy.h"
#include "norm/Support/ParserGuard.h"
#include "norm/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

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
  // norm's tools reject what upstream's linalg parsers crash on.
  if (findParserHazard(
          llvm::StringRef(reinterpret_cast<const char *>(data), size)))
    return;
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

namespace {

/// Small functions for norm-run: LayerNorm of 4x8 f32 with gamma, an RMSNorm
/// with a dynamic row count, and a residual add with dynamic rows guarded by
/// a size assertion as torch-mlir writes it (checked before the call).
constexpr const char *kKernels = R"mlir(
func.func @ln(%x: tensor<4x8xf32>, %g: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>) {
  %y, %m, %r = norm.layer_norm %x gamma(%g : tensor<8xf32>) {axes = array<i64: 1>} : tensor<4x8xf32> -> tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>
  return %y, %m, %r : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>
}
func.func @rms(%x: tensor<?x8xbf16>) -> tensor<?x8xbf16> {
  %y = norm.rms_norm %x {axes = array<i64: 1>} : tensor<?x8xbf16> -> tensor<?x8xbf16>
  return %y : tensor<?x8xbf16>
}
func.func @add(%x: tensor<?x8xf32>, %r: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x8xf32>
  %m = tensor.dim %r, %c0 : tensor<?x8xf32>
  %same = arith.cmpi eq, %n, %m : index
  cf.assert %same, "mismatched size for broadcast"
  %e = tensor.empty(%n) : tensor<?x8xf32>
  %s = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x, %r : tensor<?x8xf32>, tensor<?x8xf32>) outs(%e : tensor<?x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %t = arith.addf %a, %b : f32
    linalg.yield %t : f32
  } -> tensor<?x8xf32>
  return %s : tensor<?x8xf32>
}
func.func @conv(%x: tensor<1x2x5x5xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %z = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %z : f32
  } : tensor<1x2x5x5xf32> to tensor<1x2x7x7xf32>
  %e = tensor.empty() : tensor<1x2x3x3xf32>
  %f = linalg.fill ins(%z : f32) outs(%e : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %c = linalg.conv_2d_nchw_fchw {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>} ins(%p, %w : tensor<1x2x7x7xf32>, tensor<2x2x3x3xf32>) outs(%f : tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %idx = arith.constant dense<[2, 1, 0]> : tensor<3xi64>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%idx : tensor<3xi64>) outs(%e : tensor<1x2x3x3xf32>) {
  ^bb0(%k: i64, %o: f32):
    %n = linalg.index 0 : index
    %ch = linalg.index 1 : index
    %h = linalg.index 2 : index
    %kk = arith.index_cast %k : i64 to index
    %v = tensor.extract %c[%n, %ch, %h, %kk] : tensor<1x2x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}
)mlir";

/// Whether an argument stays inside the scratch directory and within
/// bounds the harness can afford: no path separators, only norm-run's own
/// options (LLVM's help and version options exit), and no number sequence
/// whose product exceeds 2^20 (sizes, benchmark counts).
bool affordable(llvm::StringRef arg) {
  if (arg.contains('/') || arg.size() > 256)
    return false;
  // Options: norm-run's own only. LLVM's (-help, -version, -print-*, and
  // prefixes of them) print and exit the process.
  if (arg.starts_with("-")) {
    llvm::StringRef name = arg.ltrim('-').split('=').first;
    static const char *const ours[] = {"function", "input", "output",
                                       "expect",   "check", "benchmark",
                                       "pipeline", "seed"};
    if (!llvm::is_contained(ours, name))
      return false;
  }
  uint64_t product = 1;
  for (size_t i = 0; i < arg.size();) {
    if (!llvm::isDigit(arg[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < arg.size() && llvm::isDigit(arg[j]))
      ++j;
    uint64_t value = 0;
    if (j - i > 7 || arg.substr(i, j - i).getAsInteger(10, value))
      return false;
    product *= std::max<uint64_t>(value, 1);
    if (product > (uint64_t{1} << 20))
      return false;
    i = j;
  }
  return true;
}

} // namespace

void norm::fuzz::normRunArgs(const uint8_t *data, size_t size) {
  // Once: a scratch directory with the kernels and an input.
  // Removed at exit with what the runs wrote into it (--output files).
  static struct Scratch {
    llvm::SmallString<128> dir;
    ~Scratch() {
      if (!dir.empty())
        (void)llvm::sys::fs::remove_directories(dir);
    }
  } scratch;
  // Runs happen inside the scratch directory; the caller's directory is
  // restored after each (libFuzzer reads its corpus relative to it).
  llvm::SmallString<256> home;
  if (llvm::sys::fs::current_path(home))
    return;
  static const bool ready = [] {
    if (llvm::sys::fs::createUniqueDirectory("norm-run-fuzz", scratch.dir) ||
        llvm::sys::fs::set_current_path(scratch.dir))
      return false;
    std::error_code ec;
    llvm::raw_fd_ostream kernels("k.mlir", ec);
    kernels << kKernels;
    HostTensor x(DType::F32, {4, 8});
    for (int64_t i = 0; i < x.numElements(); ++i)
      x.set(i, 0.25 * static_cast<double>(i % 7) - 0.5);
    if (llvm::Error err = writeNpy(x, "x.npy")) {
      llvm::consumeError(std::move(err));
      return false;
    }
    return !ec;
  }();
  if (!ready || llvm::sys::fs::set_current_path(scratch.dir))
    return;
  std::vector<std::string> args{"norm-run"};
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::SmallVector<llvm::StringRef> lines;
  text.split(lines, '\n', /*MaxSplit=*/16, /*KeepEmpty=*/false);
  for (llvm::StringRef line : lines)
    if (affordable(line))
      args.push_back(line.str());
  std::vector<const char *> argv;
  for (const std::string &a : args)
    argv.push_back(a.c_str());
  llvm::cl::ResetAllOptionOccurrences();
  (void)normRunMain(static_cast<int>(argv.size()), argv.data(), &llvm::nulls());
  (void)llvm::sys::fs::set_current_path(home);
}
