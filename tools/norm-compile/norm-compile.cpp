//===- norm-compile.cpp - Compile norm functions ahead of time ------------===//
//
// norm-compile in.mlir -o kernels.o --header kernels.h
//
// Lowers every public function through norm-lower-to-cpu with caller-provided
// outputs, writes a relocatable object for the host (or --target-cpu and
// --cpu-features), and a C header declaring each kernel in a plain pointer
// form and MLIR's memref-descriptor form (docs/aot.md).
//
//===----------------------------------------------------------------------===//

#include "CompileCuda.h"

#include "norm/AOT/CHeader.h"
#include "norm/AOT/Manifest.h"
#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Pipelines/ModuleFile.h"
#include "norm/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;
using namespace mlir::norm;

namespace cl = llvm::cl;

static cl::OptionCategory compileCategory("norm-compile options");

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<input .mlir file>"),
                                          cl::init("-"),
                                          cl::cat(compileCategory));
static cl::opt<std::string> outputFilename("o", cl::desc("Object file"),
                                           cl::value_desc("kernels.o"),
                                           cl::Required,
                                           cl::cat(compileCategory));
static cl::opt<std::string> headerFilename("header",
                                           cl::desc("C header to write"),
                                           cl::value_desc("kernels.h"),
                                           cl::cat(compileCategory));
static cl::opt<std::string> manifestFilename(
    "manifest",
    cl::desc("JSON manifest to write (default: the header's name with "
             ".json)"),
    cl::value_desc("kernels.json"), cl::cat(compileCategory));
static cl::opt<std::string>
    targetCpu("target-cpu", cl::desc("CPU to compile for (default: host)"),
              cl::cat(compileCategory));
static cl::opt<std::string>
    cpuFeatures("cpu-features",
                cl::desc("Features such as +avx2,+fma (default: the host's "
                         "when --target-cpu is not given)"),
                cl::cat(compileCategory));
static cl::opt<int64_t>
    vectorWidth("vector-width",
                cl::desc("Elements per vector operation (default: four "
                         "native f32 vectors of the target)"),
                cl::init(0), cl::cat(compileCategory));

static cl::opt<bool> embedded(
    "embedded",
    cl::desc("An object for compilers that link kernels into their own "
             "executables: no thread team (the caller's thread runs the "
             "kernel) and hence no OpenMP runtime"),
    cl::cat(compileCategory));

static cl::opt<bool> tileEntry(
    "tile-entry",
    cl::desc("Also emit <function>_rows(..., row_begin, row_end): the "
             "statistics slots (rows) [row_begin, row_end) only, for "
             "embedders that split the work over their own threads"),
    cl::cat(compileCategory));

static cl::opt<int64_t> streamingThreshold(
    "streaming-threshold",
    cl::desc("Outputs of at least this many bytes are written with "
             "non-temporal stores (default 16 MiB)"),
    cl::init(kDefaultStreamingThreshold), cl::cat(compileCategory));

static cl::opt<std::string>
    targetKind("target",
               cl::desc("cpu (default) or cuda: NVIDIA kernels launched on a "
                        "caller's stream (docs/gpu.md)"),
               cl::init("cpu"), cl::cat(compileCategory));
static cl::list<std::string>
    gpuChips("gpu-chip", cl::CommaSeparated,
             cl::desc("NVIDIA architectures of --target=cuda (default "
                      "sm_80,sm_90): one image each in the object"),
             cl::cat(compileCategory));
static cl::opt<std::string>
    gpuFormat("gpu-format",
              cl::desc("Device code of --target=cuda: cubin (default), "
                       "fatbin (cubin and PTX) or ptx"),
              cl::init("cubin"), cl::cat(compileCategory));

static cl::opt<int64_t> gpuPrefetchMiB(
    "gpu-prefetch-mib",
    cl::desc("--target=cuda: MiB of the next wave's rows prefetched into L2 "
             "for rows of 32K elements and more (default 10, 0: none)"),
    cl::init(10), cl::cat(compileCategory));

static cl::opt<bool> gpuPackedRows(
    "gpu-packed-rows",
    cl::desc("--target=cuda: long rows of 16-bit elements keep their "
             "values packed two per register (default true)"),
    cl::init(true), cl::cat(compileCategory));

static cl::opt<int64_t> gpuRowValues(
    "gpu-row-values",
    cl::desc("--target=cuda: values a thread of a row strategy keeps in "
             "registers, 8, 16 or 32 (default 32; a tuning knob)"),
    cl::init(32), cl::cat(compileCategory));

static cl::opt<std::string> gpuStagedWeights(
    "gpu-staged-weights",
    cl::desc("--target=cuda: which row kernels copy their weights into "
             "shared memory: auto (default), none, all or gamma (a tuning "
             "knob)"),
    cl::init("auto"), cl::cat(compileCategory));

static int fail(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "norm-compile") << message << "\n";
  return 1;
}

/// The host's features as a +a,-b list.
static std::string hostFeatures() {
  std::vector<std::string> features;
  for (const auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
    features.push_back((enabled ? "+" : "-") + name.str());
  return llvm::join(features, ",");
}

/// Adds `<func>_rows`, `func` with two more index arguments (the first and
/// one past the last row), and records the row count in `kernel`.
static llvm::Expected<func::FuncOp> addRowEntry(func::FuncOp func,
                                                CKernel &kernel) {
  auto error = [&](const llvm::Twine &why) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "@" + func.getSymName() + ": " + why);
  };
  SmallVector<NormalizationOpInterface> ops;
  func.walk([&](NormalizationOpInterface op) { ops.push_back(op); });
  if (ops.size() != 1)
    return error("--tile-entry takes functions of one norm op");
  NormDesc desc = ops[0].getDesc();
  auto input = dyn_cast<BlockArgument>(ops[0].getInput());
  if (!input || desc.givenStats)
    return error("--tile-entry needs a norm op with batch statistics on a "
                 "function argument");
  // Rows: the statistics slots, i.e. the kept axes (a grouped channel axis
  // contributes its groups), when the reduced axes are innermost.
  int64_t rank = desc.rank;
  for (int64_t i = 0; i < static_cast<int64_t>(desc.axes.size()); ++i)
    if (desc.axes[desc.axes.size() - 1 - i] != rank - 1 - i)
      return error("--tile-entry needs the reduced axes innermost");
  std::vector<std::string> rows;
  const CTensor &x = kernel.inputs[input.getArgNumber()];
  for (int64_t a = 0; a < rank; ++a) {
    if (a == desc.groupAxis)
      rows.push_back(std::to_string(desc.numGroups));
    else if (!desc.isReduced(a))
      rows.push_back(x.dims[a]);
  }
  kernel.tileRows = rows.empty() ? "1" : llvm::join(rows, " * ");

  OpBuilder b(func);
  b.setInsertionPointAfter(func);
  auto clone = cast<func::FuncOp>(b.clone(*func));
  clone.setSymName((func.getSymName() + "_rows").str());
  unsigned n = clone.getNumArguments();
  Type index = b.getIndexType();
  if (failed(clone.insertArguments({n, n}, {index, index}, {},
                                   {func.getLoc(), func.getLoc()})))
    return error("cannot add the row arguments");
  clone.walk([&](NormalizationOpInterface op) {
    op->setAttr("norm.slot_range",
                b.getDenseI64ArrayAttr(
                    {static_cast<int64_t>(n), static_cast<int64_t>(n + 1)}));
  });
  // The whole call gives the row entry's bits: it takes the same row
  // kernel (a channels-last group norm would otherwise merge its channels'
  // statistics per group, rounded otherwise, in the channel-groups kernel,
  // which has no row range).
  func.walk([&](NormalizationOpInterface op) {
    op->setAttr("norm.row_kernel", b.getUnitAttr());
  });
  return clone;
}

/// Writes `module` as an object file for `machine`.
static int writeObject(llvm::Module &module, llvm::TargetMachine &machine) {
  std::error_code ec;
  llvm::ToolOutputFile object(outputFilename, ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail("cannot write '" + outputFilename + "': " + ec.message());
  llvm::legacy::PassManager codegen;
  if (machine.addPassesToEmitFile(codegen, object.os(), nullptr,
                                  llvm::CodeGenFileType::ObjectFile))
    return fail("the target cannot emit object files");
  codegen.run(module);
  object.keep();
  return 0;
}

static std::string headerGuard() {
  std::string guard =
      "NORM_KERNELS_" + llvm::sys::path::stem(headerFilename).upper() + "_H";
  for (char &c : guard)
    if (!llvm::isAlnum(c))
      c = '_';
  return guard;
}

static std::string manifestPath() {
  std::string path = manifestFilename;
  if (path.empty() && !headerFilename.empty()) {
    llvm::SmallString<128> p(headerFilename);
    llvm::sys::path::replace_extension(p, "json");
    path = p.str().str();
  }
  return path;
}

static int writeText(const std::string &path, const std::string &text) {
  std::error_code ec;
  llvm::ToolOutputFile file(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  file.os() << text;
  file.keep();
  return 0;
}

/// --target=cuda: device code embedded in a host object.
static int compileCuda(ModuleOp module, llvm::TargetMachine &machine,
                       const llvm::Triple &triple) {
  GPUPipelineOptions options;
  std::vector<std::string> chips(gpuChips.begin(), gpuChips.end());
  if (chips.empty())
    chips = {"sm_80", "sm_90"};
  options.chips = chips;
  options.format = gpuFormat;
  options.prefetchMiB = gpuPrefetchMiB;
  options.packedRows = gpuPackedRows;
  options.rowValues = gpuRowValues;
  options.stagedWeights = gpuStagedWeights;
  auto kernels = lowerToCuda(module, options);
  if (!kernels)
    return fail(llvm::toString(kernels.takeError()));
  if (kernels->empty())
    return fail("'" + inputFilename + "' has no public function to compile");
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> images = buildCudaImages(*kernels, llvmContext);
  images->setTargetTriple(triple);
  images->setDataLayout(machine.createDataLayout());
  if (int rc = writeObject(*images, machine))
    return rc;
  if (!headerFilename.empty())
    if (int rc =
            writeText(headerFilename, emitCudaHeader(*kernels, headerGuard())))
      return rc;
  if (std::string path = manifestPath(); !path.empty()) {
    std::vector<CKernel> described;
    for (const CudaKernel &k : *kernels) {
      CKernel c = k.c;
      c.gpuLaunch = {k.vectorKernel, k.scalarKernel};
      c.gpuGrid = k.grid;
      c.gpuVectorGrid = k.vectorGrid;
      c.gpuBlock = k.block;
      c.gpuVectorBlock = k.vectorBlock;
      described.push_back(std::move(c));
    }
    ManifestTarget target{"nvptx64-nvidia-cuda",
                          llvm::join(chips, ","),
                          gpuFormat,
                          0,
                          false,
                          false};
    target.cuda = true;
    if (int rc = writeText(path, emitManifest(described, target)))
      return rc;
  }
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(compileCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "norm-compile: compile norm functions into an object and a C header\n");

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return fail("no target for " + triple.str() + ": " + error);
  std::string cpu =
      targetCpu.empty() ? llvm::sys::getHostCPUName().str() : targetCpu;
  std::string features = cpuFeatures.empty() && targetCpu.empty()
                             ? hostFeatures()
                             : cpuFeatures.getValue();
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!machine)
    return fail("cannot create a target machine for CPU '" + cpu + "'");
  const llvm::MCSubtargetInfo *subtarget = machine->getMCSubtargetInfo();
  if (!subtarget->isCPUStringValid(cpu))
    return fail("unknown --target-cpu '" + cpu + "'");
  int64_t width = vectorWidth;
  if (width < 0)
    return fail("--vector-width must be positive");
  if (streamingThreshold < 0)
    return fail("--streaming-threshold must not be negative");
  if (width == 0)
    width = vectorWidthFor(subtarget->checkFeatures("+avx512f"),
                           subtarget->checkFeatures("+avx"));

  DialectRegistry registry;
  registerNormDialects(registry);
  MLIRContext context(registry);
  ModuleFile file;
  if (llvm::Error err = readModuleFile(inputFilename, context, file))
    return fail(llvm::toString(std::move(err)));
  OwningOpRef<ModuleOp> &module = file.module;
  // What the fusion passes leave unused in a function (the tensor.dim and
  // constants that sized an unfused tensor.empty) is no part of the ABI:
  // erased, last first, so that a chain of them goes too.
  for (auto func : module->getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    for (Operation &op :
         llvm::make_early_inc_range(llvm::reverse(func.getBody().front())))
      if (isOpTriviallyDead(&op))
        op.erase();
  }
  SmallVector<llvm::StringRef> derived;
  if (targetKind == "cuda")
    derived.push_back("_cuda_module");
  if (tileEntry)
    derived.push_back("_rows");
  if (llvm::Error err = checkDerivedNames(*module, derived))
    return fail(llvm::toString(std::move(err)));
  if (targetKind == "cuda")
    return compileCuda(*module, *machine, triple);
  if (targetKind != "cpu")
    return fail("unknown --target '" + targetKind + "' (cpu or cuda)");

  std::vector<CKernel> kernels;
  std::vector<std::string> names;
  std::vector<func::FuncOp> rowEntries;
  for (auto func : llvm::to_vector(module->getOps<func::FuncOp>())) {
    if (func.isExternal() || !func.isPublic())
      continue;
    auto kernel = describeKernel(func);
    if (!kernel)
      return fail(llvm::toString(kernel.takeError()));
    if (tileEntry) {
      llvm::Expected<func::FuncOp> rows = addRowEntry(func, *kernel);
      if (!rows)
        return fail(llvm::toString(rows.takeError()));
      rowEntries.push_back(*rows);
    }
    kernels.push_back(*kernel);
    names.push_back(func.getSymName().str());
    func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(&context));
  }
  for (func::FuncOp rows : rowEntries) {
    names.push_back(rows.getSymName().str());
    rows->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                  UnitAttr::get(&context));
  }
  if (kernels.empty())
    return fail("'" + inputFilename + "' has no public function to compile");

  PassManager pm(&context);
  CPUPipelineOptions options;
  options.vectorWidth = width;
  options.nativeBF16 = subtarget->checkFeatures("+avx512bf16");
  options.streamingThreshold = streamingThreshold;
  options.destinationPassing = true;
  options.sequential = embedded;
  if (failed(buildCPUPipeline(pm, options)) || failed(pm.run(*module)))
    return fail("lowering to LLVM failed");
  // Only the descriptor entry points are exported; the expanded-argument
  // functions they call stay internal to the object.
  for (auto fn : module->getOps<LLVM::LLVMFuncOp>())
    if (llvm::is_contained(names, fn.getName().str()))
      fn.setLinkage(LLVM::Linkage::Internal);

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*module, llvmContext);
  if (!llvmModule)
    return fail("translation to LLVM IR failed");
  llvmModule->setTargetTriple(triple);
  llvmModule->setDataLayout(machine->createDataLayout());
  auto optimize = makeOptimizingTransformer(3, 0, machine.get());
  if (llvm::Error err = optimize(llvmModule.get()))
    return fail("optimization failed: " + llvm::toString(std::move(err)));

  if (int rc = writeObject(*llvmModule, *machine))
    return rc;
  if (!headerFilename.empty())
    if (int rc = writeText(headerFilename, emitCHeader(kernels, headerGuard())))
      return rc;
  if (std::string path = manifestPath(); !path.empty()) {
    ManifestTarget described{triple.str(),       cpu,     features, width,
                             options.nativeBF16, embedded};
    if (int rc = writeText(path, emitManifest(kernels, described)))
      return rc;
  }
  return 0;
}
