//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes NumPy's .npy format (versions 1.0 to 3.0), the data
// interchange format of norm-run: little-endian f8, f4 and f2 arrays in C
// order. NumPy has no bfloat16, so bf16 tensors are written as f4 (exactly)
// and '<u2' arrays are read as raw bf16 bit patterns.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_SUPPORT_NPY_H
#define NORM_SUPPORT_NPY_H

#include "norm/Support/HostTensor.h"

#include "llvm/Support/Error.h"

namespace mlir::norm {

/// Parses the bytes of a .npy file.
llvm::Expected<HostTensor> parseNpy(llvm::StringRef buffer);
/// Reads a .npy file.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);
/// Returns the bytes of a .npy file holding `tensor` (bf16 widened to f4).
std::string serializeNpy(const HostTensor &tensor);
/// Writes `tensor` to a .npy file.
llvm::Error writeNpy(const HostTensor &tensor, llvm::StringRef path);

} // namespace mlir::norm

#endif // NORM_SUPPORT_NPY_H
