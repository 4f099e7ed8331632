//===- Runner.h - Executing norm functions on the CPU -----------*- C++ -*-===//
//
// What norm-run does, as a library: compile a func.func through the reference
// pipeline and the JIT, call it on host tensors, and evaluate the same
// function in float64 to check the results.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_RUNNER_RUNNER_H
#define NORM_RUNNER_RUNNER_H

#include "norm/Reference/Reference.h"
#include "norm/Support/HostTensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <optional>
#include <string>

namespace mlir {
class ExecutionEngine;
namespace func {
class FuncOp;
} // namespace func
namespace norm {

/// The element type of a tensor of `type`, if norm-run supports it.
std::optional<DType> toDType(Type type);

/// The compilation path of a function.
enum class Pipeline {
  /// norm-lower-to-cpu: vectorized, parallel kernels.
  CPU,
  /// norm-reference-to-llvm: the decomposition to linalg (the oracle).
  Reference,
};

/// Where the buffers a function allocates come from.
enum class Allocation {
  /// malloc.
  Plain,
  /// malloc, every byte then set to 0xFF (NaN in f32, f16 and bf16), so
  /// that result elements a kernel leaves unwritten show.
  Poisoned,
  /// A pool that reuses freed buffers of the same size, for timing.
  Pooled,
};

/// How CompiledFunction::create compiles.
struct CompileOptions {
  /// An LLVM CPU name such as haswell, or empty for the host: a CPU whose
  /// features the host has, so that another vector path than the host's
  /// runs here.
  std::string targetCpu;
  /// The CPU pipeline's streaming threshold (outputs of at least this many
  /// bytes take the kernels that stream them out: non-temporal stores,
  /// pipelined rows, prefetches), or its default (16 MiB) when unset. 0
  /// runs those kernels on small tensors too (tests).
  std::optional<int64_t> streamingThreshold;
};

/// A function compiled by the JIT, callable on host tensors.
class CompiledFunction {
public:
  /// Compiles function `name` of `module` (which is not modified).
  static llvm::Expected<std::unique_ptr<CompiledFunction>>
  create(ModuleOp module, llvm::StringRef name, Pipeline pipeline,
         Allocation allocation, const CompileOptions &options = {});
  ~CompiledFunction();

  /// Calls the function. The inputs must have the argument types. With
  /// `kernelSeconds`, stores how long the call itself took (without copying
  /// the results out).
  llvm::Expected<std::vector<HostTensor>>
  invoke(llvm::ArrayRef<HostTensor> inputs, double *kernelSeconds = nullptr);

  /// Calls the function and returns how long the call took; the results are
  /// freed unread. For timing: copying a large result out would leave it
  /// dirty in the cache, to be written back during the next call.
  llvm::Expected<double> time(llvm::ArrayRef<HostTensor> inputs);

private:
  CompiledFunction() = default;
  /// Calls the function; `results` receives the descriptors of its results.
  llvm::Error call(llvm::ArrayRef<HostTensor> inputs,
                   std::vector<int64_t> &results, double *kernelSeconds);
  /// Frees the results' buffers (`buffers`, their allocated pointers).
  void release(llvm::ArrayRef<HostTensor> inputs,
               llvm::ArrayRef<void *> buffers);
  std::unique_ptr<ExecutionEngine> engine;
  std::string name;
  std::vector<int64_t> argRanks, resultRanks;
  std::vector<DType> resultTypes;
  void (*freeFn)(void *) = nullptr;
};

/// Checks that `inputs` fit the arguments of `func`: count, element types,
/// static dimensions.
llvm::Error checkInputs(func::FuncOp func, llvm::ArrayRef<HostTensor> inputs);

/// Evaluates `func` in float64 with the reference implementation. Only norm
/// ops and func.return are supported.
llvm::Expected<std::vector<ref::Tensor>>
evaluateReference(func::FuncOp func, llvm::ArrayRef<HostTensor> inputs);

/// The finest element type each result of `func` can be checked to: the
/// coarser of its element type and the compute type of the op producing it.
std::vector<DType> resultPrecisions(func::FuncOp func);

/// How far a result is from the reference.
struct Comparison {
  double maxAbsError = 0;
  double maxRelError = 0;
  double atol = 0, rtol = 0;
  int64_t mismatches = 0; // elements outside atol + rtol * |ref|
  int64_t nanMismatches = 0;
  bool passed() const { return mismatches == 0 && nanMismatches == 0; }
};

/// The tolerance that fits results of precision `type`.
void toleranceFor(DType type, double &atol, double &rtol);

/// Compares `got` with `want` elementwise. NaN matches NaN only.
Comparison compare(const HostTensor &got, const ref::Tensor &want,
                   DType precision);
/// The same with a given tolerance: |got - want| <= atol + rtol * |want|.
Comparison compare(const HostTensor &got, const ref::Tensor &want, double atol,
                   double rtol);

} // namespace norm
} // namespace mlir

#endif // NORM_RUNNER_RUNNER_H
