//===- InputSpec.h - Parsing norm-run's --input values ----------*- C++ -*-===//
//
// norm-run takes its inputs in the style of iree-run-module:
//
//   --input=@x.npy                  a NumPy file
//   --input=4x768xf32=random        uniform in [-1, 1), seeded
//   --input=4x768xf32=random(0.5,2) uniform in [0.5, 2)
//   --input=768xbf16=1.0            every element 1.0
//
//===----------------------------------------------------------------------===//

#ifndef NORM_SUPPORT_INPUTSPEC_H
#define NORM_SUPPORT_INPUTSPEC_H

#include "norm/Support/HostTensor.h"

#include "llvm/Support/Error.h"

namespace mlir::norm {

struct InputSpec {
  enum class Kind { File, Random, Splat };
  Kind kind = Kind::Splat;
  std::string path;              // File
  DType dtype = DType::F32;      // Random, Splat
  std::vector<int64_t> shape;    // Random, Splat
  double value = 0.0;            // Splat
  double low = -1.0, high = 1.0; // Random
  bool oneNaN = false;           // Random: one element (drawn) is NaN
};

/// Parses one --input value; the error says what is wrong with it.
llvm::Expected<InputSpec> parseInputSpec(llvm::StringRef text);

/// Parses a tensor type written as in --input: `4x768xf32`, `f32` for a
/// scalar. Dimensions must be known and non-negative.
llvm::Error parseShapedType(llvm::StringRef text, std::vector<int64_t> &shape,
                            DType &dtype);

/// Makes the tensor a Random or Splat spec describes; `seed` picks the
/// random stream.
HostTensor materialize(const InputSpec &spec, uint64_t seed);

} // namespace mlir::norm

#endif // NORM_SUPPORT_INPUTSPEC_H
