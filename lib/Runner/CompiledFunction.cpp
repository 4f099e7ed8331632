//===- CompiledFunction.cpp - JIT compilation and calls -------------------===//

#include "Assertions.h"
#include "norm/Conversion/Passes.h"
#include "norm/Dialect/Norm/IR/NormOps.h"
#include "norm/Pipelines/Pipelines.h"
#include "norm/Runner/Runner.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

using namespace mlir;
using namespace mlir::norm;

static llvm::Error runnerError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::optional<DType> norm::toDType(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isF64())
    return DType::F64;
  if (type.isSignlessInteger(8))
    return DType::I8;
  if (isa<Float8E4M3FNType>(type))
    return DType::F8E4M3FN;
  return std::nullopt;
}

CompiledFunction::~CompiledFunction() = default;

namespace {
/// Buffers freed by timed kernels, kept for the next call of the same size,
/// so that a benchmark measures the kernel and not the page faults of fresh
/// memory, as with caller-allocated outputs. Memory is never returned to the
/// system: this is for norm-run's timing runs only.
struct BufferPool {
  std::mutex mutex;
  std::unordered_map<void *, size_t> sizes;
  std::unordered_multimap<size_t, void *> idle;
};
} // namespace

static BufferPool &pool() {
  static BufferPool *instance = new BufferPool();
  return *instance;
}

static void *pooledMalloc(size_t size) {
  BufferPool &p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  auto it = p.idle.find(size);
  if (it != p.idle.end()) {
    void *buffer = it->second;
    p.idle.erase(it);
    return buffer;
  }
  void *buffer = std::malloc(size);
  if (buffer)
    p.sizes[buffer] = size;
  return buffer;
}

static void pooledFree(void *buffer) {
  if (!buffer)
    return;
  BufferPool &p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  auto it = p.sizes.find(buffer);
  if (it == p.sizes.end())
    return std::free(buffer);
  p.idle.emplace(it->second, buffer);
}

/// malloc for the kernels under test: every byte 0xFF, a NaN in f32, f16 and
/// bf16, so that an element a kernel forgets to write fails the check.
static void *poisonedMalloc(size_t size) {
  void *p = std::malloc(size);
  if (p)
    std::memset(p, 0xFF, size);
  return p;
}

/// The JIT's target: the host, or `cpu` if the host has all its features.
static llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
jitTargetMachine(llvm::StringRef cpu) {
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  if (cpu.empty())
    return builder->createTargetMachine();
  builder->setCPU(cpu.str());
  builder->getFeatures() = llvm::SubtargetFeatures();
  auto machine = builder->createTargetMachine();
  if (!machine)
    return machine.takeError();
  const llvm::MCSubtargetInfo *target = (*machine)->getMCSubtargetInfo();
  if (!target->isCPUStringValid(cpu))
    return runnerError("unknown target CPU '" + cpu + "'");
  // Instruction set features only: the host's list names no tuning flags.
  llvm::StringMap<bool> host = llvm::sys::getHostCPUFeatures();
  std::string missing;
  for (const llvm::SubtargetFeatureKV &feature :
       target->getAllProcessorFeatures()) {
    auto it = host.find(feature.Key);
    if (target->getFeatureBits().test(feature.Value) && it != host.end() &&
        !it->second)
      missing += (missing.empty() ? "" : ", ") + std::string(feature.Key);
  }
  if (!missing.empty())
    return runnerError("this host cannot run code for CPU '" + cpu +
                       "': it lacks " + missing);
  return machine;
}

llvm::Expected<std::unique_ptr<CompiledFunction>>
CompiledFunction::create(ModuleOp module, llvm::StringRef name,
                         Pipeline pipeline, Allocation allocation,
                         const CompileOptions &compileOptions) {
  auto func = module.lookupSymbol<func::FuncOp>(name);
  if (!func || func.isExternal())
    return runnerError("no function named '" + name + "' with a body");

  std::unique_ptr<CompiledFunction> fn(new CompiledFunction());
  fn->name = name.str();
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !toDType(tensor.getElementType()))
      return runnerError("argument #" + llvm::Twine(i) +
                         " is not a ranked tensor of f32, f16 or bf16");
    fn->argRanks.push_back(tensor.getRank());
  }
  for (auto [i, type] : llvm::enumerate(func.getResultTypes())) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    std::optional<DType> dtype =
        tensor ? toDType(tensor.getElementType()) : std::nullopt;
    if (!dtype)
      return runnerError("result #" + llvm::Twine(i) +
                         " is not a ranked tensor of f64, f32, f16 or bf16");
    fn->resultRanks.push_back(tensor.getRank());
    fn->resultTypes.push_back(*dtype);
  }

  OwningOpRef<ModuleOp> lowered(module.clone());
  // Compile only what the function needs: other functions that nothing
  // references would only cost compile time.
  for (auto other : llvm::make_early_inc_range(lowered->getOps<func::FuncOp>()))
    if (other.getSymName() != name &&
        SymbolTable::symbolKnownUseEmpty(other, *lowered))
      other.erase();
  static std::once_flag initTarget;
  std::call_once(initTarget, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  auto machine = jitTargetMachine(compileOptions.targetCpu);
  if (!machine)
    return machine.takeError();

  // Roundings other than to nearest even have no lowering (a bf16 one
  // would call a runtime function that neither the JIT nor libgcc has).
  WalkResult rounding = lowered->walk([&](Operation *op) {
    if (!hasUnsupportedRounding(op))
      return WalkResult::advance();
    op->emitError() << "rounds "
                    << arith::stringifyRoundingMode(
                           *cast<arith::TruncFOp>(op).getRoundingmode())
                    << ": only to_nearest_even (the default) is supported";
    return WalkResult::interrupt();
  });
  if (rounding.wasInterrupted())
    return runnerError("lowering '" + name + "' to LLVM failed");

  trapAssertions(*lowered);

  PassManager pm(module.getContext());
  CPUPipelineOptions cpuOptions;
  const llvm::MCSubtargetInfo *subtarget = (*machine)->getMCSubtargetInfo();
  cpuOptions.nativeBF16 = subtarget->checkFeatures("+avx512bf16");
  cpuOptions.vectorWidth = vectorWidthFor(subtarget->checkFeatures("+avx512f"),
                                          subtarget->checkFeatures("+avx"));
  if (compileOptions.streamingThreshold)
    cpuOptions.streamingThreshold = *compileOptions.streamingThreshold;
  LogicalResult built = pipeline == Pipeline::CPU
                            ? buildCPUPipeline(pm, cpuOptions)
                            : buildReferenceToLLVMPipeline(pm);
  if (failed(built) || failed(pm.run(*lowered)))
    return runnerError("lowering '" + name + "' to LLVM failed");

  // The same LLVM optimization as norm-compile's (level 3, with the target
  // machine's cost model): the reductions' reassociation and the
  // contractions are LLVM's choices, so the JIT and an object compiled
  // ahead of time give the same bits only when they optimize alike.
  auto transformer = makeOptimizingTransformer(/*optLevel=*/3,
                                               /*sizeLevel=*/0, machine->get());
  ExecutionEngineOptions options;
  options.transformer = transformer;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  options.enableGDBNotificationListener = false;
  auto engine = ExecutionEngine::create(*lowered, options, std::move(*machine));
  if (!engine)
    return runnerError("JIT compilation failed: " +
                       llvm::toString(engine.takeError()));
  fn->engine = std::move(*engine);
  void *(*mallocFn)(size_t) = &std::malloc;
  fn->freeFn = &std::free;
  if (allocation == Allocation::Poisoned) {
    mallocFn = &poisonedMalloc;
  } else if (allocation == Allocation::Pooled) {
    mallocFn = &pooledMalloc;
    fn->freeFn = &pooledFree;
  }
  fn->engine->registerSymbols([&](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("malloc")] = {llvm::orc::ExecutorAddr::fromPtr(mallocFn),
                                   llvm::JITSymbolFlags::Exported};
    symbols[interner("free")] = {llvm::orc::ExecutorAddr::fromPtr(fn->freeFn),
                                 llvm::JITSymbolFlags::Exported};
    symbols[interner(kAssertionReporter)] = {
        llvm::orc::ExecutorAddr::fromPtr(assertionReporter()),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  return fn;
}

llvm::Error CompiledFunction::call(llvm::ArrayRef<HostTensor> inputs,
                                   std::vector<int64_t> &results,
                                   double *kernelSeconds) {
  if (inputs.size() != argRanks.size())
    return runnerError("expected " + llvm::Twine(argRanks.size()) +
                       " inputs, got " + llvm::Twine(inputs.size()));
  // Each memref argument is passed expanded: allocated and aligned pointers,
  // offset, sizes and strides, each through a pointer in the packed array.
  std::vector<std::vector<int64_t>> fields(inputs.size());
  std::vector<void *> args;
  for (auto [i, input] : llvm::enumerate(inputs)) {
    if (static_cast<int64_t>(input.shape().size()) != argRanks[i])
      return runnerError("input #" + llvm::Twine(i) + " has rank " +
                         llvm::Twine(input.shape().size()) + ", expected " +
                         llvm::Twine(argRanks[i]));
    std::vector<int64_t> &f = fields[i];
    auto ptr = reinterpret_cast<int64_t>(input.data());
    f = {ptr, ptr, 0};
    llvm::append_range(f, input.shape());
    std::vector<int64_t> strides(input.shape().size(), 1);
    for (int64_t d = static_cast<int64_t>(strides.size()) - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * input.shape()[d + 1];
    llvm::append_range(f, strides);
  }
  for (std::vector<int64_t> &f : fields)
    for (int64_t &field : f)
      args.push_back(&field);

  // The results come back as one struct of descriptors, all 8-byte fields.
  size_t resultFields = 0;
  for (int64_t rank : resultRanks)
    resultFields += 3 + 2 * rank;
  results.assign(resultFields, 0);
  if (resultFields)
    args.push_back(results.data());

  auto start = std::chrono::steady_clock::now();
  if (llvm::Error err = engine->invokePacked(name, args))
    return err;
  if (kernelSeconds)
    *kernelSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
  return llvm::Error::success();
}

void CompiledFunction::release(llvm::ArrayRef<HostTensor> inputs,
                               llvm::ArrayRef<void *> buffers) {
  // Results own their buffers (the deallocation pipeline clones anything
  // else), but two results may share one (a value returned twice): never
  // free an input or a buffer twice.
  std::vector<void *> freed;
  for (void *allocated : buffers) {
    bool isInput = llvm::any_of(
        inputs, [&](const HostTensor &t) { return t.data() == allocated; });
    if (allocated && !isInput && !llvm::is_contained(freed, allocated)) {
      freed.push_back(allocated);
      freeFn(allocated);
    }
  }
}

llvm::Expected<double>
CompiledFunction::time(llvm::ArrayRef<HostTensor> inputs) {
  std::vector<int64_t> results;
  double seconds = 0;
  if (llvm::Error err = call(inputs, results, &seconds))
    return std::move(err);
  std::vector<void *> buffers;
  size_t pos = 0;
  for (int64_t rank : resultRanks) {
    buffers.push_back(reinterpret_cast<void *>(results[pos]));
    pos += 3 + 2 * rank;
  }
  release(inputs, buffers);
  return seconds;
}

llvm::Expected<std::vector<HostTensor>>
CompiledFunction::invoke(llvm::ArrayRef<HostTensor> inputs,
                         double *kernelSeconds) {
  std::vector<int64_t> results;
  if (llvm::Error err = call(inputs, results, kernelSeconds))
    return std::move(err);

  std::vector<HostTensor> outputs;
  std::vector<void *> buffers;
  size_t pos = 0;
  for (auto [rank, dtype] : llvm::zip(resultRanks, resultTypes)) {
    auto *allocated = reinterpret_cast<void *>(results[pos]);
    auto *aligned = reinterpret_cast<char *>(results[pos + 1]);
    int64_t offset = results[pos + 2];
    std::vector<int64_t> sizes(results.begin() + pos + 3,
                               results.begin() + pos + 3 + rank);
    std::vector<int64_t> strides(results.begin() + pos + 3 + rank,
                                 results.begin() + pos + 3 + 2 * rank);
    pos += 3 + 2 * rank;

    HostTensor out(dtype, sizes);
    unsigned width = byteWidth(dtype);
    bool contiguous = true;
    for (int64_t d = rank - 1, expected = 1; d >= 0; --d) {
      contiguous &= sizes[d] == 1 || strides[d] == expected;
      expected *= sizes[d];
    }
    if (out.numBytes() == 0) {
      // An empty result: its buffer may be null, and memcpy takes none.
    } else if (contiguous) {
      std::memcpy(out.data(), aligned + offset * width,
                  static_cast<size_t>(out.numBytes()));
    } else {
      std::vector<int64_t> index(rank, 0);
      for (int64_t i = 0, e = out.numElements(); i < e; ++i) {
        int64_t element = offset;
        for (int64_t d = 0; d < rank; ++d)
          element += index[d] * strides[d];
        std::memcpy(static_cast<char *>(out.data()) + i * width,
                    aligned + element * width, width);
        for (int64_t d = rank - 1; d >= 0; --d) {
          if (++index[d] < sizes[d])
            break;
          index[d] = 0;
        }
      }
    }
    outputs.push_back(std::move(out));
    buffers.push_back(allocated);
  }
  // Only after every result is copied: two results may share a buffer.
  release(inputs, buffers);
  return outputs;
}
