//===- CHeader.h - The C ABI of ahead-of-time compiled kernels --*- C++ -*-===//
//
// norm-compile turns every public func.func into a kernel with the C ABI
// described in docs/aot.md. This describes a function's arguments and the
// shapes of its results symbolically, and writes the C header.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_AOT_CHEADER_H
#define NORM_AOT_CHEADER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
namespace func {
class FuncOp;
} // namespace func
namespace norm {

/// A tensor of the C ABI: its C name, element type and the C expression of
/// each dimension (a literal, or a size argument such as `x_d1`).
struct CTensor {
  std::string name;
  std::string elementType; // f32, f16, bf16, i8, f8E4M3FN
  std::vector<std::string> dims;
  /// Size arguments this tensor contributes (inputs with dynamic dims).
  std::vector<std::string> sizeArgs;
  /// Outputs: the input this output may be exactly (in place), or -1. Only
  /// a function of one norm op: its output over its input, its new running
  /// statistics over the running ones, each of the same type and shape.
  int inPlaceOf = -1;
};

/// A norm op of a kernel, for the manifest: its name, its attributes as MLIR
/// prints them, and whether it carries fused work.
struct CKernelOp {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  bool prologue = false, epilogue = false;
};

/// A kernel of the C ABI.
struct CKernel {
  std::string name;
  std::vector<CTensor> inputs, outputs;
  std::vector<CKernelOp> ops;
  /// C conditions that must hold for the call to be valid, beyond non-null
  /// pointers and non-negative sizes, each with the reason it fails.
  std::vector<std::pair<std::string, std::string>> requirements;
  /// --tile-entry: the C expression of the number of rows (statistics
  /// slots) of `<name>_rows`; empty without a row-range entry point.
  std::string tileRows;
  /// CUDA target: the kernels (vectorized, may be empty; scalar) and the
  /// launch shape.
  std::vector<std::string> gpuLaunch;
  std::array<int64_t, 3> gpuGrid{}, gpuVectorGrid{}, gpuBlock{},
      gpuVectorBlock{};
};

/// Why `name` cannot name a C function of a generated header (not an
/// identifier, a C or C++ keyword, `main`, a reserved identifier, or a name
/// of norm's runtime), or nullopt.
std::optional<std::string> invalidCName(llvm::StringRef name);

/// Fails where a public function has the name of a symbol norm-compile
/// derives from another's (`<name>` + a suffix: `_rows` with --tile-entry,
/// `_cuda_module` for the CUDA target).
llvm::Error checkDerivedNames(ModuleOp module,
                              llvm::ArrayRef<llvm::StringRef> suffixes);

/// Describes `func`, whose body must be norm ops and a return, and whose
/// arguments and results are ranked tensors of f32, f16 or bf16; its name
/// must be one invalidCName accepts.
llvm::Expected<CKernel> describeKernel(func::FuncOp func);

/// Shared by the CPU and CUDA headers: the comment lines listing a kernel's
/// tensors, and its plain parameters (each input pointer with its size
/// arguments, then each output pointer).
void describeTensors(llvm::raw_ostream &os, const CKernel &kernel);
std::vector<std::string> plainParameters(const CKernel &kernel);
/// The checks of the plain form's pointers and size arguments.
void checkPlainArguments(llvm::raw_ostream &os, const CKernel &kernel);
/// The checks that outputs overlap no other buffer (but the input they may
/// be in place of), after the sizes are known to be valid.
void checkPlainOverlaps(llvm::raw_ostream &os, const CKernel &kernel);
/// The helper checkPlainOverlaps' code calls, once per header.
void emitOverlapHelper(llvm::raw_ostream &os);

/// Writes the C header declaring `kernels`.
std::string emitCHeader(llvm::ArrayRef<CKernel> kernels, llvm::StringRef guard);

} // namespace norm
} // namespace mlir

#endif // NORM_AOT_CHEADER_H
