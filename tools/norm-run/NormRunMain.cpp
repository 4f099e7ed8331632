//===- NormRunMain.cpp - Run a norm function on the CPU -------------------===//
//
// norm-run's options and body: compiles one function of a .mlir file with
// the JIT, runs it on inputs from .npy files or generated data, writes the
// results, and optionally checks them against the float64 reference and
// times them. A library, so that a fuzz target can drive the same options.
//
//===----------------------------------------------------------------------===//

#include "NormRunMain.h"

#include "norm/Pipelines/ModuleFile.h"
#include "norm/Pipelines/Pipelines.h"
#include "norm/Runner/Runner.h"
#include "norm/Support/InputSpec.h"
#include "norm/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <optional>
#include <unistd.h>

using namespace mlir;
using namespace mlir::norm;

namespace cl = llvm::cl;

static cl::OptionCategory runCategory("norm-run options");

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<input .mlir file>"),
                                          cl::init("-"), cl::cat(runCategory));
static cl::opt<std::string>
    functionName("function",
                 cl::desc("Function to run (default: the only function)"),
                 cl::cat(runCategory));
static cl::list<std::string>
    inputs("input",
           cl::desc("An argument: @FILE.npy, TYPE=random, "
                    "TYPE=random(LOW,HIGH) or TYPE=NUMBER, where "
                    "TYPE is like 4x768xf32; random...+nan makes one "
                    "element NaN"),
           cl::cat(runCategory));
static cl::list<std::string>
    outputs("output", cl::desc("Write the next result to @FILE.npy"),
            cl::cat(runCategory));
static cl::list<std::string>
    expects("expect",
            cl::desc("Compare the next result with @FILE.npy (another run's "
                     "--output); fail over the tolerance of its dtype"),
            cl::cat(runCategory));
static cl::opt<bool> check("check",
                           cl::desc("Compare every result with the float64 "
                                    "reference; fail over the tolerance"),
                           cl::cat(runCategory));
static cl::opt<std::string> tolerance(
    "tolerance",
    cl::desc("ATOL,RTOL: --check and --expect fail where |got - want| > "
             "ATOL + RTOL * |want| (default: a few units in the last place "
             "of the result's dtype)"),
    cl::value_desc("atol,rtol"), cl::cat(runCategory));
static cl::opt<unsigned>
    benchmark("benchmark",
              cl::desc("Time N calls; print the median and GB/s of the "
                       "minimum bytes moved"),
              cl::init(0), cl::cat(runCategory));
static cl::opt<Pipeline> pipeline(
    "pipeline", cl::desc("How to compile the function"),
    cl::values(clEnumValN(Pipeline::CPU, "cpu",
                          "norm-lower-to-cpu: vectorized, parallel kernels "
                          "(default)"),
               clEnumValN(Pipeline::Reference, "reference",
                          "norm-reference-to-llvm: the linalg decomposition "
                          "(the oracle)")),
    cl::init(Pipeline::CPU), cl::cat(runCategory));
static cl::opt<std::string> targetCpu(
    "target-cpu",
    cl::desc("Compile for this CPU (an LLVM name such as haswell or "
             "x86-64) instead of the host; the host must have its features "
             "(default: $NORM_TARGET_CPU if set, else the host)"),
    cl::cat(runCategory));
static cl::opt<int64_t> streamingThreshold(
    "streaming-threshold",
    cl::desc("Outputs of at least this many bytes take the kernels that "
             "stream them out (non-temporal stores, pipelined rows; default "
             "16 MiB); 0 tests those kernels on small tensors"),
    cl::cat(runCategory));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed of the random inputs"),
                              cl::init(0), cl::cat(runCategory));

static int fail(const llvm::Twine &message) {
  llvm::outs().flush(); // keep stdout and stderr in order
  llvm::WithColor::error(llvm::errs(), "norm-run") << message << "\n";
  return 1;
}

static int fail(llvm::Error err) {
  return fail(llvm::toString(std::move(err)));
}

/// Reads or generates input `index` for an argument of type `argType`.
static llvm::Expected<HostTensor> makeInput(llvm::StringRef text,
                                            unsigned index, Type argType) {
  auto spec = parseInputSpec(text);
  if (!spec)
    return spec.takeError();
  if (spec->kind != InputSpec::Kind::File) {
    // Refuse what cannot fit instead of dying in the allocator.
    uint64_t bytes = byteWidth(spec->dtype);
    for (int64_t d : spec->shape)
      bytes *= static_cast<uint64_t>(d);
    uint64_t memory = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) *
                      static_cast<uint64_t>(sysconf(_SC_PAGE_SIZE));
    if (bytes > memory / 2)
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "'" + text + "' needs " + llvm::Twine(bytes >> 20) +
              " MiB, more than half of this machine's memory");
    return materialize(*spec, seed + index);
  }
  auto tensor = readNpy(spec->path);
  if (!tensor)
    return tensor.takeError();
  // A file is converted to the argument's element type, rounding to nearest.
  auto tensorType = dyn_cast<RankedTensorType>(argType);
  std::optional<DType> target =
      tensorType ? toDType(tensorType.getElementType()) : std::nullopt;
  if (!target)
    return std::move(*tensor);
  if (tensor->dtype() == DType::BF16 && *target != DType::BF16)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "'" + spec->path +
            "' holds <u2 (bf16 bits) but the argument is not "
            "bf16");
  return tensor->convertTo(*target);
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

static void printSummary(unsigned i, const HostTensor &t) {
  llvm::outs() << "result[" << i << "]: " << t.typeString() << " [";
  int64_t n = std::min<int64_t>(t.numElements(), 6);
  for (int64_t k = 0; k < n; ++k)
    llvm::outs() << (k ? ", " : "") << llvm::format("%.6g", t.get(k));
  llvm::outs() << (t.numElements() > n ? ", ...]\n" : "]\n");
}

int mlir::norm::normRunMain(int argc, const char *const *argv,
                            llvm::raw_ostream *parseErrors) {
  cl::HideUnrelatedOptions(runCategory);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "norm-run: run a function of a .mlir file on the CPU\n\n"
          "  norm-run model.mlir --function=ln --input=4x768xf32=random \\\n"
          "           --input=@gamma.npy --output=@y.npy --check "
          "--benchmark=100\n",
          parseErrors))
    return 1;
  // The whole test suite can run another vector path than the host's:
  // NORM_TARGET_CPU=x86-64-v3 make check.
  if (targetCpu.getNumOccurrences() == 0)
    if (const char *cpu = std::getenv("NORM_TARGET_CPU"); cpu && *cpu)
      targetCpu = cpu;

  CompileOptions compileOptions;
  compileOptions.targetCpu = targetCpu;
  if (streamingThreshold.getNumOccurrences()) {
    if (streamingThreshold < 0)
      return fail("--streaming-threshold must not be negative");
    compileOptions.streamingThreshold = streamingThreshold;
  }

  DialectRegistry registry;
  registerNormDialects(registry);
  MLIRContext context(registry);
  context.disableMultithreading();

  ModuleFile file;
  if (llvm::Error err = readModuleFile(inputFilename, context, file))
    return fail(std::move(err));
  OwningOpRef<ModuleOp> &module = file.module;

  func::FuncOp func;
  if (functionName.empty()) {
    auto funcs = llvm::to_vector(module->getOps<func::FuncOp>());
    llvm::erase_if(funcs, [](func::FuncOp f) { return f.isExternal(); });
    if (funcs.size() != 1)
      return fail("the module has " + llvm::Twine(funcs.size()) +
                  " functions; name one with --function");
    func = funcs.front();
  } else {
    func = module->lookupSymbol<func::FuncOp>(functionName);
    if (!func || func.isExternal())
      return fail("no function named '" + functionName + "'");
  }
  if (inputs.size() != func.getNumArguments())
    return fail("function '" + func.getSymName() + "' takes " +
                llvm::Twine(func.getNumArguments()) + " inputs, got " +
                llvm::Twine(inputs.size()) + " --input");
  if (expects.size() > func.getNumResults())
    return fail("function '" + func.getSymName() + "' has " +
                llvm::Twine(func.getNumResults()) + " results, got " +
                llvm::Twine(expects.size()) + " --expect");
  if (outputs.size() > func.getNumResults())
    return fail("function '" + func.getSymName() + "' has " +
                llvm::Twine(func.getNumResults()) + " results, got " +
                llvm::Twine(outputs.size()) + " --output");

  std::optional<std::pair<double, double>> givenTolerance;
  if (!tolerance.empty()) {
    auto [a, r] = llvm::StringRef(tolerance).split(',');
    double atol, rtol;
    if (a.trim().getAsDouble(atol) || r.trim().getAsDouble(rtol) ||
        !(atol >= 0) || !(rtol >= 0) || std::isinf(atol) || std::isinf(rtol))
      return fail("--tolerance takes ATOL,RTOL: two finite numbers >= 0, "
                  "got '" +
                  tolerance + "'");
    givenTolerance = {atol, rtol};
  }
  auto compareWith = [&](const HostTensor &got, const ref::Tensor &want,
                         DType precision) {
    if (givenTolerance)
      return compare(got, want, givenTolerance->first, givenTolerance->second);
    return compare(got, want, precision);
  };

  std::vector<HostTensor> args;
  for (auto [i, text] : llvm::enumerate(inputs)) {
    auto tensor = makeInput(text, i, func.getArgumentTypes()[i]);
    if (!tensor)
      return fail("input #" + llvm::Twine(i) + ": " +
                  llvm::toString(tensor.takeError()));
    args.push_back(std::move(*tensor));
  }
  if (llvm::Error err = checkInputs(func, args))
    return fail(std::move(err));

  // Results are checked from a build whose allocations start as NaN; timings
  // come from a separate build without that memset.
  auto compiled =
      CompiledFunction::create(*module, func.getSymName(), pipeline,
                               Allocation::Poisoned, compileOptions);
  if (!compiled)
    return fail(compiled.takeError());
  // A function must not write into its arguments (tensors are values): with
  // --check, a copy of them is compared after the call.
  std::vector<HostTensor> argsBefore;
  if (check)
    argsBefore = args;
  auto results = (*compiled)->invoke(args);
  if (!results)
    return fail(results.takeError());
  for (auto [i, before] : llvm::enumerate(argsBefore))
    if (before.numBytes() > 0 &&
        std::memcmp(before.data(), args[i].data(), before.numBytes()) != 0)
      return fail("check failed: the compiled function overwrote argument #" +
                  llvm::Twine(i));

  for (auto [i, t] : llvm::enumerate(*results))
    printSummary(i, t);
  for (auto [i, text] : llvm::enumerate(outputs)) {
    llvm::StringRef path = text;
    path.consume_front("@");
    if (llvm::Error err = writeNpy((*results)[i], path))
      return fail(std::move(err));
  }

  bool ok = true;
  auto report = [&](const char *what, size_t i, const Comparison &c) {
    llvm::outs() << what << " result[" << i << "]: max abs error "
                 << llvm::format("%.3g", c.maxAbsError) << ", max rel error "
                 << llvm::format("%.3g", c.maxRelError) << " (tolerance "
                 << llvm::format("%g", c.atol) << " + "
                 << llvm::format("%g", c.rtol) << "*|ref|): ";
    if (c.passed()) {
      llvm::outs() << "ok\n";
      return;
    }
    ok = false;
    llvm::outs() << "FAILED, " << c.mismatches << " elements over tolerance, "
                 << c.nanMismatches << " NaN mismatches\n";
  };
  for (auto [i, text] : llvm::enumerate(expects)) {
    llvm::StringRef path = text;
    if (!path.consume_front("@"))
      return fail("--expect takes @FILE.npy, got '" + text + "'");
    auto want = readNpy(path);
    if (!want)
      return fail(want.takeError());
    const HostTensor &got = (*results)[i];
    if (want->shape() != got.shape())
      return fail("--expect: result #" + llvm::Twine(i) + " is " +
                  got.typeString() + " but " + path + " holds " +
                  want->typeString());
    ref::Tensor expected{
        std::vector<int64_t>(want->shape().begin(), want->shape().end()),
        want->toDoubles()};
    // Two computations of the same thing: the tolerance of the coarser of
    // the two dtypes.
    DType precision = got.dtype();
    if (byteWidth(want->dtype()) < byteWidth(precision) ||
        want->dtype() == DType::BF16)
      precision = want->dtype();
    report("expect", i, compareWith(got, expected, precision));
  }
  if (check) {
    auto reference = evaluateReference(func, args);
    if (!reference)
      return fail(reference.takeError());
    std::vector<DType> precisions = resultPrecisions(func);
    for (auto [i, got] : llvm::enumerate(*results))
      report("check", i, compareWith(got, (*reference)[i], precisions[i]));
  }

  if (benchmark > 0) {
    int64_t bytes = 0;
    for (const HostTensor &t : args)
      bytes += t.numBytes();
    for (const HostTensor &t : *results)
      bytes += t.numBytes();
    auto timed = CompiledFunction::create(*module, func.getSymName(), pipeline,
                                          Allocation::Pooled, compileOptions);
    if (!timed)
      return fail(timed.takeError());
    std::vector<double> times;
    for (unsigned r = 0; r < benchmark; ++r) {
      auto seconds = (*timed)->time(args);
      if (!seconds)
        return fail(seconds.takeError());
      times.push_back(*seconds);
    }
    // The machine's own copy speed for the same number of bytes moved
    // (half read, half written), measured side by side.
    std::vector<char> src(std::max<int64_t>(bytes / 2, 1), 1), dst(src.size());
    std::vector<double> copies;
    for (unsigned r = 0; r < benchmark; ++r) {
      auto start = std::chrono::steady_clock::now();
      std::memcpy(dst.data(), src.data(), src.size());
      auto stop = std::chrono::steady_clock::now();
      copies.push_back(std::chrono::duration<double>(stop - start).count());
      src[r % src.size()] = dst[(r * 7) % dst.size()];
    }
    double t = median(times), tc = median(copies);
    double gbps = bytes / t / 1e9, copyGbps = 2.0 * src.size() / tc / 1e9;
    llvm::outs() << "benchmark: " << benchmark << " calls, median "
                 << llvm::format("%.2f", t * 1e6) << " us, "
                 << llvm::format("%.2f", gbps) << " GB/s of " << bytes
                 << " bytes moved = " << llvm::format("%.2f", gbps / copyGbps)
                 << "x memcpy (" << llvm::format("%.2f", copyGbps)
                 << " GB/s)\n";
  }
  if (!ok)
    return fail("check failed: results differ from the float64 reference or "
                "the expected results");
  return 0;
}
