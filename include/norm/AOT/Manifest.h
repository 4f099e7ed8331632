//===- Manifest.h - The machine-readable description of kernels -*- C++ -*-===//
//
// Next to the C header, norm-compile writes a JSON manifest of the same
// kernels for programs that generate their own glue (docs/embedding.md).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_AOT_MANIFEST_H
#define NORM_AOT_MANIFEST_H

#include "norm/AOT/CHeader.h"

#include <string>

namespace mlir::norm {

/// What the kernels were compiled for.
struct ManifestTarget {
  std::string triple, cpu, features;
  int64_t vectorWidth = 0;
  bool nativeBF16 = false;
  /// No thread team: the calling thread runs the kernel (--embedded).
  bool sequential = false;
  /// CUDA kernels (cpu holds the chips, features the image format).
  bool cuda = false;
};

/// The manifest of `kernels` as JSON text.
std::string emitManifest(llvm::ArrayRef<CKernel> kernels,
                         const ManifestTarget &target);

} // namespace mlir::norm

#endif // NORM_AOT_MANIFEST_H
